import Foundation

/// Visible-text extraction from HTML, on UTF-8 bytes. Not a full HTML parser: it strips
/// tags, comments, `<script>`/`<style>` contents, decodes common entities and collapses
/// whitespace. Title: `<title>`, else the first `<h1>`.
enum IngestHTML {
    private static let lt = UInt8(ascii: "<"), gt = UInt8(ascii: ">"), slash = UInt8(ascii: "/")
    private static let amp = UInt8(ascii: "&"), semicolon = UInt8(ascii: ";")

    /// Tags that do not separate words (everything else inserts a space).
    private static let inlineTags: Set<String> = [
        "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd",
        "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time",
        "tt", "u", "var", "wbr", "del", "ins", "label",
    ]
    /// Elements whose content is never visible text.
    private static let rawTextSkipped: Set<String> = ["script", "style", "template", "noscript"]

    static func extract(_ p: UnsafeBufferPointer<UInt8>) -> (title: String, body: String) {
        let n = p.count
        var body: [UInt8] = []
        body.reserveCapacity(n / 2)
        var title: [UInt8] = []
        var h1: [UInt8] = []
        var inTitle = false, titleDone = false
        var h1State = 0 // 0 = not seen, 1 = inside the first <h1>, 2 = done
        var i = 0

        func lower(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }
        func startsWith(_ s: StaticString, at k: Int, caseInsensitive: Bool = false) -> Bool {
            let len = s.utf8CodeUnitCount
            guard n - k >= len else { return false }
            let u = s.utf8Start
            for j in 0..<len {
                let b = caseInsensitive ? lower(p[k + j]) : p[k + j]
                if b != u[j] { return false }
            }
            return true
        }
        func find(_ s: StaticString, from k: Int, caseInsensitive: Bool = false) -> Int? {
            var j = k
            let first = s.utf8Start[0]
            while j < n {
                let b = caseInsensitive ? lower(p[j]) : p[j]
                if b == first, startsWith(s, at: j, caseInsensitive: caseInsensitive) { return j }
                j += 1
            }
            return nil
        }
        func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
        func emit(_ b: UInt8) {
            if inTitle { title.append(b); return }
            body.append(b)
            if h1State == 1 { h1.append(b) }
        }
        func emitSpace() {
            if inTitle { title.append(0x20); return }
            body.append(0x20)
            if h1State == 1 { h1.append(0x20) }
        }

        while i < n {
            let c = p[i]
            guard c == lt, i + 1 < n else { emit(c); i += 1; continue }
            let next = p[i + 1]
            if startsWith("<!--", at: i) {
                i = find("-->", from: i + 4).map { $0 + 3 } ?? n
                continue
            }
            if startsWith("<![CDATA[", at: i) {
                let close = find("]]>", from: i + 9) ?? n
                for k in (i + 9)..<close { emit(p[k]) }
                i = min(close + 3, n)
                continue
            }
            if next == UInt8(ascii: "!") || next == UInt8(ascii: "?") {
                // <!DOCTYPE ...>, <?xml ...?>
                var k = i + 2
                while k < n, p[k] != gt { k += 1 }
                i = k + 1
                continue
            }
            let closing = next == slash
            let nameStart = closing ? i + 2 : i + 1
            guard nameStart < n, isAlpha(p[nameStart]) else { emit(c); i += 1; continue }
            var k = nameStart
            var nameBytes: [UInt8] = []
            while k < n, !isSpaceByteOrTagEnd(p[k]) { nameBytes.append(lower(p[k])); k += 1 }
            let name = String(decoding: nameBytes, as: UTF8.self)
            // Find the end of the tag, skipping quoted attribute values.
            var quote: UInt8 = 0
            while k < n {
                let b = p[k]
                if quote != 0 {
                    if b == quote { quote = 0 }
                } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                    quote = b
                } else if b == gt {
                    break
                }
                k += 1
            }
            let selfClosing = k > 0 && k < n && p[k - 1] == slash
            i = k + 1

            if !closing, !selfClosing, rawTextSkipped.contains(name) {
                // Skip to the matching end tag.
                var j = i
                var endTag: Int?
                while let at = find("</", from: j) {
                    var m = at + 2, ok = true
                    for b in nameBytes {
                        if m >= n || lower(p[m]) != b { ok = false; break }
                        m += 1
                    }
                    if ok, m >= n || isSpaceByteOrTagEnd(p[m]) { endTag = at; break }
                    j = at + 2
                }
                if let at = endTag {
                    var m = at
                    while m < n, p[m] != gt { m += 1 }
                    i = m + 1
                } else {
                    i = n
                }
                emitSpace()
                continue
            }
            switch name {
            case "title":
                if closing {
                    if inTitle { inTitle = false; titleDone = true }
                } else if !titleDone, !selfClosing {
                    inTitle = true
                }
                continue
            case "h1":
                if closing { if h1State == 1 { h1State = 2 } } else if h1State == 0 { h1State = 1 }
            default:
                break
            }
            if !inlineTags.contains(name) { emitSpace() }
        }

        let titleText = collapse(decodeEntities(title))
        let bodyText = collapse(decodeEntities(body))
        return (titleText.isEmpty ? collapse(decodeEntities(h1)) : titleText, bodyText)
    }

    @inline(__always)
    private static func isSpaceByteOrTagEnd(_ b: UInt8) -> Bool {
        IngestText.isSpaceByte(b) || b == gt || b == slash
    }

    /// Collapses runs of whitespace (including U+00A0) into one space and trims.
    static func collapse(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var pendingSpace = false
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if IngestText.isSpaceByte(b) {
                pendingSpace = true
                i += 1
                continue
            }
            if b == 0xC2, i + 1 < n, bytes[i + 1] == 0xA0 { // no-break space
                pendingSpace = true
                i += 2
                continue
            }
            if pendingSpace, !out.isEmpty { out.append(0x20) }
            pendingSpace = false
            out.append(b)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `&name;`, `&#NNN;` and `&#xHH;` references; unknown ones are kept verbatim.
    static func decodeEntities(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(amp) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        let n = bytes.count
        var i = 0
        while i < n {
            let b = bytes[i]
            guard b == amp else { out.append(b); i += 1; continue }
            // Find ';' within a short distance.
            var j = i + 1
            while j < n, j - i <= 32, bytes[j] != semicolon, bytes[j] != amp, !IngestText.isSpaceByte(bytes[j]) { j += 1 }
            guard j < n, bytes[j] == semicolon, j > i + 1 else { out.append(b); i += 1; continue }
            if bytes[i + 1] == UInt8(ascii: "#") {
                var value: UInt32 = 0
                var k = i + 2
                var radix: UInt32 = 10
                if k < j, bytes[k] | 0x20 == UInt8(ascii: "x") { radix = 16; k += 1 }
                var ok = k < j
                while k < j, ok {
                    let d = bytes[k]
                    var digit: UInt32
                    switch d {
                    case 0x30...0x39: digit = UInt32(d - 0x30)
                    case 0x41...0x46 where radix == 16: digit = UInt32(d - 0x41 + 10)
                    case 0x61...0x66 where radix == 16: digit = UInt32(d - 0x61 + 10)
                    default: ok = false; digit = 0
                    }
                    if value < 0x110000 { value = value * radix + digit }
                    k += 1
                }
                guard ok else { out.append(b); i += 1; continue }
                if value == 0 || value > 0x10FFFF || (0xD800...0xDFFF).contains(value) { value = 0xFFFD }
                if value == 0xA0 { value = 0x20 }
                IngestText.appendUTF8(value, to: &out)
                i = j + 1
                continue
            }
            let name = String(decoding: bytes[(i + 1)..<j], as: UTF8.self)
            if let scalar = namedEntities[name] {
                if scalar != 0xAD { IngestText.appendUTF8(scalar, to: &out) } // soft hyphen: drop
                i = j + 1
            } else {
                out.append(b)
                i += 1
            }
        }
        return out
    }

    private static let namedEntities: [String: UInt32] = {
        var t: [String: UInt32] = [
            "amp": 0x26, "lt": 0x3C, "gt": 0x3E, "quot": 0x22, "apos": 0x27,
            "ndash": 0x2013, "mdash": 0x2014, "hellip": 0x2026, "lsquo": 0x2018, "rsquo": 0x2019,
            "sbquo": 0x201A, "ldquo": 0x201C, "rdquo": 0x201D, "bdquo": 0x201E, "bull": 0x2022,
            "trade": 0x2122, "euro": 0x20AC, "dagger": 0x2020, "Dagger": 0x2021, "permil": 0x2030,
            "lsaquo": 0x2039, "rsaquo": 0x203A, "OElig": 0x152, "oelig": 0x153, "Scaron": 0x160,
            "scaron": 0x161, "Yuml": 0x178, "fnof": 0x192, "circ": 0x2C6, "tilde": 0x2DC,
            "ensp": 0x20, "emsp": 0x20, "thinsp": 0x20, "zwnj": 0x200C, "zwj": 0x200D,
            "lrm": 0x200E, "rlm": 0x200F, "larr": 0x2190, "rarr": 0x2192, "uarr": 0x2191,
            "darr": 0x2193, "harr": 0x2194, "minus": 0x2212, "prime": 0x2032, "Prime": 0x2033,
        ]
        // HTML 4 Latin-1 entities, U+00A0 ... U+00FF in order (nbsp maps to a plain space).
        let latin1 = """
            nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr \
            deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest \
            Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml \
            ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig \
            agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml \
            eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml
            """.split(separator: " ")
        for (k, name) in latin1.enumerated() { t[String(name)] = 0xA0 + UInt32(k) }
        t["nbsp"] = 0x20
        return t
    }()
}
