import Foundation

/// Splits UTF-8 text into folded word tokens without creating a `String` per token.
///
/// ASCII bytes go through a 128-entry class table; other scalars through ``ScalarTable``, which holds,
/// for U+0080 to U+2FFF, each scalar's class and its lowercased (and, optionally, diacritic-folded)
/// UTF-8 bytes. Invalid UTF-8 sequences act as separators.
enum Tokenizer {
    static let maxTokenBytes = 255

    // ASCII classes: 0 separator, 1 lower/digit, 2 upper, 3 apostrophe, 4 '.' or ','
    static let ascii: [UInt8] = (0..<128).map { c -> UInt8 in
        switch c {
        case 0x30...0x39, 0x61...0x7a: return 1
        case 0x41...0x5a: return 2
        case 0x27: return 3
        case 0x2c, 0x2e: return 4
        default: return 0
        }
    }

    @inline(__always) static func isASCIIDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }

    /// Of the 8 bytes at `s[j...]` (which must exist), how many in a row from the first are ASCII letters or
    /// digits (classes 1 and 2); writes the 8 bytes, uppercase letters lowered, to `out` (which must have room
    /// for 8: the bytes past the count are scratch). Bytes at or above 0x80 are masked off before the
    /// per-byte additions, so no carry crosses bytes, and are never counted.
    @inline(__always) static func swarWordBytes(_ s: UnsafeBufferPointer<UInt8>, _ j: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
        let w = UInt64(littleEndian: UnsafeRawPointer(s.baseAddress.unsafelyUnwrapped + j).loadUnaligned(as: UInt64.self))
        let high: UInt64 = 0x8080_8080_8080_8080, ones: UInt64 = 0x0101_0101_0101_0101
        let x = w & ~high, ascii = ~w & high
        // x + (0x80 - lo) has its byte's high bit set exactly when the byte is >= lo.
        @inline(__always) func inRange(_ lo: UInt64, _ hi: UInt64) -> UInt64 {
            (x &+ (0x80 - lo) &* ones) & ~(x &+ (0x80 - (hi + 1)) &* ones) & ascii
        }
        let upper = inRange(0x41, 0x5A)
        let ok = inRange(0x61, 0x7A) | inRange(0x30, 0x39) | upper
        UnsafeMutableRawPointer(out).storeBytes(of: (w | upper >> 2).littleEndian, as: UInt64.self)
        let bad = ~ok & high
        return bad == 0 ? 8 : bad.trailingZeroBitCount >> 3
    }
    @inline(__always) static func isASCIILetter(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }

    /// Decodes the scalar starting at `i`; returns it and its length, or nil for an invalid sequence (length 1).
    @inline(__always)
    static func decode(_ s: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32?, Int) {
        let b0 = UInt32(s[i])
        let n = s.count
        @inline(__always) func cont(_ k: Int) -> UInt32? {
            guard i + k < n else { return nil }
            let b = UInt32(s[i + k]); return b & 0xC0 == 0x80 ? b & 0x3F : nil
        }
        if b0 & 0xE0 == 0xC0 {
            guard let c1 = cont(1) else { return (nil, 1) }
            let v = (b0 & 0x1F) << 6 | c1
            return v >= 0x80 ? (v, 2) : (nil, 1)
        } else if b0 & 0xF0 == 0xE0 {
            guard let c1 = cont(1), let c2 = cont(2) else { return (nil, 1) }
            let v = (b0 & 0x0F) << 12 | c1 << 6 | c2
            return v >= 0x800 && !(0xD800...0xDFFF).contains(v) ? (v, 3) : (nil, 1)
        } else if b0 & 0xF8 == 0xF0 {
            guard let c1 = cont(1), let c2 = cont(2), let c3 = cont(3) else { return (nil, 1) }
            let v = (b0 & 0x07) << 18 | c1 << 12 | c2 << 6 | c3
            return v >= 0x10000 && v <= 0x10FFFF ? (v, 4) : (nil, 1)
        }
        return (nil, 1)
    }

    /// Calls `emit` with each token (folded bytes) and its position.
    @inline(__always)
    static func tokenize(_ s: UnsafeBufferPointer<UInt8>, fold: Bool, _ emit: (UnsafeBufferPointer<UInt8>, Int) -> Void) {
        tokenize(s, fold: fold) { t, p, _ in emit(t, p) }
    }

    /// Like `tokenize`, also passing the token's byte range in the input. `swar: false` reads ASCII words a
    /// byte at a time (the same tokens; for tests).
    static func tokenize(_ s: UnsafeBufferPointer<UInt8>, fold: Bool, swar: Bool = true,
                         _ emit: (UnsafeBufferPointer<UInt8>, Int, Range<Int>) -> Void) {
        let table = ScalarTable.shared
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxTokenBytes + 64) { buf in
            // Every token starts at `buf[0]`, and its readers may load whole words past its end
            // (``SurfaceTable``): the buffer's bytes are initialized once, so those loads read defined bytes.
            buf.initialize(repeating: 0)
            var len = 0
            var overflow = false
            var hasApostrophe = false
            var lastWasDigit = false
            var lastWasLetter = false
            var position = 0

            @inline(__always) func flush() {
                if len > 0 && !overflow {
                    var n = len
                    if hasApostrophe {
                        // Drop a possessive 's, then the other apostrophes (don't -> dont).
                        if n >= 2 && buf[n - 1] == 0x73 && buf[n - 2] == 0x27 { n -= 2 }
                        var w = 0
                        for r in 0..<n where buf[r] != 0x27 { buf[w] = buf[r]; w += 1 }
                        n = w
                    }
                    if n > 0 {
                        emit(UnsafeBufferPointer(rebasing: buf[0..<n]), position, tokStart ..< tokEnd)
                        position += 1
                    }
                } else if overflow {
                    position += 1   // a dropped over-long token keeps its place, so phrases do not bridge it
                }
                len = 0; overflow = false; hasApostrophe = false; lastWasDigit = false; lastWasLetter = false
            }
            var tokStart = 0, tokEnd = 0, scalarStart = 0, scalarEnd = 0
            @inline(__always) func append(_ b: UInt8) {
                if len == 0 { tokStart = scalarStart }
                tokEnd = scalarEnd
                if len < maxTokenBytes { buf[len] = b; len += 1 } else { overflow = true }
            }

            var pendingNextIsLetter = false
            @inline(__always) func handle(_ kind: ScalarTable.Kind, _ folded: UnsafeBufferPointer<UInt8>) {
                switch kind {
                case .word:
                    for b in folded { append(b) }
                    lastWasDigit = false; lastWasLetter = true
                case .mark:
                    if len > 0 { for b in folded { append(b) } }
                case .ideograph:
                    flush()
                    for b in folded { append(b) }
                    flush()
                case .apostrophe:
                    if lastWasLetter && pendingNextIsLetter { append(0x27); hasApostrophe = true; lastWasLetter = false }
                    else { flush() }
                case .separator:
                    flush()
                }
            }
            var i = 0
            let n = s.count
            ascii.withUnsafeBufferPointer { ascii in
            while i < n {
                let b = s[i]
                scalarStart = i
                if b < 0x80 {
                    let k = ascii[Int(b)]
                    if k == 1 || k == 2 {
                        // A run of ASCII letters and digits, the common case, in one tight loop: the same as
                        // appending them one by one (the flags only depend on the run's last byte).
                        if len == 0 { tokStart = i }
                        var j = i
                        // (Locals: the closures' captured variables would be read and written in memory.)
                        var l = len
                        let room = min(n, i + maxTokenBytes - l)
                        while j < room {
                            if swar && j + 8 <= room {
                                // Eight bytes at a time while they are ASCII letters and digits (SWAR): most
                                // words end within one step, so there is one loop exit per word, not per byte.
                                let k = swarWordBytes(s, j, into: buf.baseAddress.unsafelyUnwrapped + l)
                                l += k; j += k
                                if k < 8 { break }
                                continue
                            }
                            let c = s[j]
                            guard c < 0x80 else { break }
                            let kc = ascii[Int(c)]
                            guard kc == 1 || kc == 2 else { break }
                            buf[l] = kc == 2 ? c | 0x20 : c; l += 1
                            j += 1
                        }
                        len = l
                        // Past the token's room: the rest of the run is dropped, the token marked too long.
                        while j < n, s[j] < 0x80, ascii[Int(s[j])] == 1 || ascii[Int(s[j])] == 2 { overflow = true; j += 1 }
                        lastWasDigit = isASCIIDigit(s[j - 1]); lastWasLetter = !lastWasDigit
                        tokEnd = j; scalarEnd = j
                        i = j
                        continue
                    }
                    scalarEnd = i + 1
                    switch k {
                    case 1:
                        append(b); lastWasDigit = isASCIIDigit(b); lastWasLetter = !lastWasDigit
                    case 2:
                        append(b | 0x20); lastWasDigit = false; lastWasLetter = true
                    case 3:
                        if lastWasLetter && i + 1 < n && isASCIILetter(s[i + 1]) { append(0x27); hasApostrophe = true; lastWasLetter = false }
                        else { flush() }
                    case 4:
                        if lastWasDigit && i + 1 < n && isASCIIDigit(s[i + 1]) { append(b); lastWasDigit = false }
                        else { flush() }
                    default:
                        flush()
                    }
                    i += 1
                    continue
                }
                let (scalar, width) = decode(s, i)
                i += width
                scalarEnd = i
                guard let scalar else { flush(); continue }
                pendingNextIsLetter = i < n && isASCIILetter(s[i])
                if scalar < ScalarTable.tableEnd {
                    let info = table.info(scalar)
                    let start = Int(fold ? info.foldedStart : info.lowerStart)
                    let count = Int(fold ? info.foldedCount : info.lowerCount)
                    table.bytes.withUnsafeBufferPointer { tb in
                        handle(info.kind, UnsafeBufferPointer(rebasing: tb[start ..< start + count]))
                    }
                } else {
                    let (kind, lower, folded) = table.slowInfo(scalar)
                    (fold ? folded : lower).withUnsafeBufferPointer { handle(kind, $0) }
                }
            }
            }
            flush()
        }
    }
}

/// Per-scalar class and folded bytes, precomputed for U+0080..U+2FFF and computed on demand above.
/// (`@unchecked Sendable`: the table is immutable after init; the cache of scalars above it, `extra`, is
/// only touched under `lock`.)
final class ScalarTable: @unchecked Sendable {
    enum Kind: UInt8 { case separator, word, mark, ideograph, apostrophe }
    struct Info {
        var kind: Kind
        var lowerStart: Int32, lowerCount: UInt8
        var foldedStart: Int32, foldedCount: UInt8
    }
    static let shared = ScalarTable()
    static let tableEnd: UInt32 = 0x3000

    private let infos: [Info]
    /// Folded bytes of the table's scalars.
    let bytes: [UInt8]
    private let lock = NSLock()
    private var extra: [UInt32: (Kind, [UInt8], [UInt8])] = [:]

    /// Mappings that Unicode decomposition does not provide.
    static let specialFold: [UInt32: String] = [
        0x00DF: "ss", 0x00E6: "ae", 0x00C6: "ae", 0x0153: "oe", 0x0152: "oe", 0x00F8: "o", 0x00D8: "o",
        0x0111: "d", 0x0110: "d", 0x0142: "l", 0x0141: "l", 0x00FE: "th", 0x00DE: "th", 0x0131: "i",
        0x00F0: "d", 0x00D0: "d", 0x1E9E: "ss",
    ]

    init() {
        var infos: [Info] = [], bytes: [UInt8] = []
        infos.reserveCapacity(Int(Self.tableEnd) - 0x80)
        for v in 0x80..<Self.tableEnd { infos.append(Self.compute(v, into: &bytes)) }
        self.infos = infos; self.bytes = bytes
    }

    static func kind(of u: Unicode.Scalar) -> Kind {
        let v = u.value
        if v == 0x2019 || v == 0x02BC { return .apostrophe }
        let p = u.properties
        if p.isIdeographic || (0x3040...0x30FF).contains(v) || (0xFF66...0xFF9F).contains(v) { return .ideograph }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return .mark
        default: break
        }
        if p.isAlphabetic || p.numericType != nil { return .word }
        return .separator
    }

    static func compute(_ v: UInt32, into bytes: inout [UInt8]) -> Info {
        guard let u = Unicode.Scalar(v) else {
            return Info(kind: .separator, lowerStart: 0, lowerCount: 0, foldedStart: 0, foldedCount: 0)
        }
        let k = kind(of: u)
        if k == .separator || k == .apostrophe {
            return Info(kind: k, lowerStart: 0, lowerCount: 0, foldedStart: 0, foldedCount: 0)
        }
        var lower = String(Character(u)).lowercased()
        if v == 0x03C2 { lower = "σ" }  // final sigma folds to sigma
        let folded: String
        if let special = specialFold[v] {
            folded = special
        } else if k == .mark {
            folded = ""
        } else {
            let d = lower.decomposedStringWithCanonicalMapping.unicodeScalars.filter {
                switch $0.properties.generalCategory {
                case .nonspacingMark, .spacingMark, .enclosingMark: return false
                default: return true
                }
            }
            var s = String.UnicodeScalarView(); s.append(contentsOf: d)
            folded = s.isEmpty ? lower : String(s)
        }
        let ls = Int32(bytes.count); bytes.append(contentsOf: lower.utf8)
        let fs = Int32(bytes.count); bytes.append(contentsOf: folded.utf8)
        return Info(kind: k, lowerStart: ls, lowerCount: UInt8(lower.utf8.count), foldedStart: fs, foldedCount: UInt8(folded.utf8.count))
    }

    /// Only for `v < tableEnd`.
    @inline(__always) func info(_ v: UInt32) -> Info { infos[Int(v) - 0x80] }

    /// Scalars above the table: computed once, cached under a lock, returned by value.
    func slowInfo(_ v: UInt32) -> (Kind, [UInt8], [UInt8]) {
        lock.lock(); defer { lock.unlock() }
        if let hit = extra[v] { return hit }
        var b: [UInt8] = []
        let i = Self.compute(v, into: &b)
        let r = (i.kind, Array(b[Int(i.lowerStart) ..< Int(i.lowerStart) + Int(i.lowerCount)]),
                 Array(b[Int(i.foldedStart) ..< Int(i.foldedStart) + Int(i.foldedCount)]))
        extra[v] = r
        return r
    }
}
