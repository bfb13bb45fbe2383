import Foundation

/// Text helpers and the single-document formats: plain text, Markdown and HTML.
enum IngestText {
    /// A first line longer than this (in characters) is not used whole as a title.
    static let maxTitleCharacters = 200
    static let shortenedTitleCharacters = 100

    static func appendUTF8(_ cp: UInt32, to out: inout [UInt8]) {
        let scalar = Unicode.Scalar(cp) ?? "\u{FFFD}"
        let v = scalar.value
        switch v {
        case 0..<0x80:
            out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (v >> 18)))
            out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    @inline(__always)
    static func isSpaceByte(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C || b == 0x0B
    }

    static func isBlank(_ s: String) -> Bool {
        s.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
    }

    static func trimmed<S: StringProtocol>(_ s: S) -> String {
        s.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func decode(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        guard start < end else { return "" }
        return String(decoding: UnsafeBufferPointer(rebasing: p[start..<end]), as: UTF8.self)
    }

    /// Trims ASCII whitespace from both ends of a byte range.
    static func trimRange(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (Int, Int) {
        var s = start, e = end
        while s < e, isSpaceByte(p[s]) { s += 1 }
        while e > s, isSpaceByte(p[e - 1]) { e -= 1 }
        return (s, e)
    }

    /// Title for an over-long first line: a prefix cut at a word boundary, with an ellipsis.
    static func shortenedTitle(_ line: String) -> String {
        let prefix = line.prefix(shortenedTitleCharacters)
        var cut = prefix.endIndex
        if let space = prefix.lastIndex(where: { $0 == " " }),
           prefix.distance(from: prefix.startIndex, to: space) >= shortenedTitleCharacters / 2 {
            cut = space
        }
        return trimmed(prefix[..<cut]) + "…"
    }

    // MARK: Plain text

    /// First non-empty line is the title, the rest is the body. If that line is very long
    /// (e.g. a file without line breaks), the title is a shortened copy and the body keeps it.
    static func plainText(_ p: UnsafeBufferPointer<UInt8>) -> (title: String, body: String) {
        let n = p.count
        var lineStart = 0
        while lineStart < n {
            var lineEnd = lineStart
            while lineEnd < n, p[lineEnd] != 0x0A { lineEnd += 1 }
            let (s, e) = trimRange(p, lineStart, lineEnd)
            if s < e {
                let title = decode(p, s, e)
                let (bs, be) = trimRange(p, min(lineEnd + 1, n), n)
                if title.count > maxTitleCharacters {
                    let (ws, we) = trimRange(p, s, n)
                    return (shortenedTitle(title), decode(p, ws, we))
                }
                return (title, decode(p, bs, be))
            }
            lineStart = lineEnd + 1
        }
        return ("", "")
    }

    // MARK: Markdown

    /// ATX heading (`# Title`, up to three leading spaces, optional closing #s) → (level, text).
    static func atxHeading<S: StringProtocol>(_ line: S) -> (Int, String)? {
        var i = line.startIndex
        var spaces = 0
        while i < line.endIndex, line[i] == " ", spaces < 4 { spaces += 1; i = line.index(after: i) }
        guard spaces <= 3 else { return nil }
        var level = 0
        while i < line.endIndex, line[i] == "#" { level += 1; i = line.index(after: i) }
        guard (1...6).contains(level) else { return nil }
        if i < line.endIndex, line[i] != " ", line[i] != "\t" { return nil }
        var text = Substring(line[i...]).trimmingCharacters(in: .whitespaces)
        // Optional closing sequence: spaces then #s.
        if let lastNonHash = text.lastIndex(where: { $0 != "#" }) {
            if lastNonHash < text.index(before: text.endIndex), text[lastNonHash] == " " || text[lastNonHash] == "\t" {
                text = String(text[...lastNonHash]).trimmingCharacters(in: .whitespaces)
            }
        } else {
            text = "" // only #s
        }
        return (level, text)
    }

    private static func isSetextUnderline<S: StringProtocol>(_ line: S) -> Int? {
        let t = line.trimmingCharacters(in: .whitespaces)
        guard let first = t.first, first == "=" || first == "-" else { return nil }
        guard t.allSatisfy({ $0 == first }) else { return nil }
        let lead = line.prefix { $0 == " " }.count
        guard lead <= 3 else { return nil }
        return first == "=" ? 1 : 2
    }

    private static func fenceMarker<S: StringProtocol>(_ line: S) -> (Character, Int)? {
        let t = line.drop { $0 == " " }
        guard line.count - t.count <= 3, let c = t.first, c == "`" || c == "~" else { return nil }
        let run = t.prefix { $0 == c }.count
        return run >= 3 ? (c, run) : nil
    }

    /// Title: YAML front-matter `title:`, else the first level-1 heading, else the first
    /// heading of any level, else the first non-empty line (headings inside fenced code
    /// blocks are ignored). Body: the remaining text with heading markers removed.
    /// Other `key: value` front-matter entries are returned as stored fields.
    static func markdown(_ text: String) -> (title: String, body: String, stored: [(String, String)]) {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline })
        var stored: [(String, String)] = []
        var frontTitle: String?
        var first = 0

        // YAML front matter.
        if let l0 = lines.first, trimmed(l0) == "---" {
            var j = 1
            while j < lines.count, trimmed(lines[j]) != "---", trimmed(lines[j]) != "..." { j += 1 }
            if j < lines.count {
                for k in 1..<j {
                    let l = lines[k]
                    guard let colon = l.firstIndex(of: ":"), l.first != " ", l.first != "-" else { continue }
                    let key = trimmed(l[..<colon])
                    var value = trimmed(l[l.index(after: colon)...])
                    if value.count >= 2, let f = value.first, f == "\"" || f == "'", value.last == f {
                        value = String(value.dropFirst().dropLast())
                    }
                    guard !key.isEmpty, !value.isEmpty else { continue }
                    if key.lowercased() == "title", frontTitle == nil { frontTitle = value } else { stored.append((key, value)) }
                }
                first = j + 1
            }
        }

        enum Kind { case text, heading(String), underline, fence }
        var kinds = [Kind](repeating: .text, count: lines.count)
        var fence: (Character, Int)?
        var firstH1: Int?, firstHeading: Int?, firstNonEmpty: Int?
        var k = first
        while k < lines.count {
            let line = lines[k]
            if let f = fence {
                if let m = fenceMarker(line), m.0 == f.0, m.1 >= f.1,
                   trimmed(line).allSatisfy({ $0 == f.0 }) {
                    fence = nil
                    kinds[k] = .fence
                }
                k += 1
                continue
            }
            if let m = fenceMarker(line) {
                fence = m
                kinds[k] = .fence
                k += 1
                continue
            }
            if let (level, t) = atxHeading(line) {
                kinds[k] = .heading(t)
                if level == 1, firstH1 == nil { firstH1 = k }
                if firstHeading == nil { firstHeading = k }
                if firstNonEmpty == nil { firstNonEmpty = k }
            } else if !isBlank(String(line)), k + 1 < lines.count, let level = isSetextUnderline(lines[k + 1]),
                      k == first || isBlank(String(lines[k - 1])) {
                // Setext heading: a single text line followed by === or ---.
                kinds[k] = .heading(trimmed(line))
                kinds[k + 1] = .underline
                if level == 1, firstH1 == nil { firstH1 = k }
                if firstHeading == nil { firstHeading = k }
                if firstNonEmpty == nil { firstNonEmpty = k }
                k += 2
                continue
            } else if firstNonEmpty == nil, !isBlank(String(line)) {
                firstNonEmpty = k
            }
            k += 1
        }

        var title = ""
        var titleLine: Int?
        if let t = frontTitle {
            title = t
        } else if let h = firstH1 ?? firstHeading ?? firstNonEmpty {
            titleLine = h
            if case .heading(let t) = kinds[h] { title = t } else { title = trimmed(lines[h]) }
        }

        var bodyLines: [Substring] = []
        bodyLines.reserveCapacity(lines.count)
        for i in first..<max(first, lines.count) where i != titleLine {
            switch kinds[i] {
            case .text: bodyLines.append(lines[i])
            case .heading(let t): bodyLines.append(Substring(t))
            case .underline, .fence: continue
            }
        }
        var body = trimmed(bodyLines.joined(separator: "\n"))
        if title.count > maxTitleCharacters {
            if titleLine != nil { body = trimmed(title + "\n" + body) }
            title = shortenedTitle(title)
        }
        return (title, body, stored)
    }
}
