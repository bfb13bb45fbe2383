/// Finding the dictionary terms a multi-term query stands for: fuzzy terms (within a number of edits) and
/// wildcard patterns. Both walk one segment's sorted dictionary and skip the ranges that cannot match, so the
/// work grows with the terms near the query, not with the dictionary.
enum TermExpansion {
    /// The Unicode scalars of a term key (the bytes after the field number).
    static func scalars<K: Collection>(of key: K) -> [UInt32] where K.Element == UInt8 {
        String(decoding: key.dropFirst(), as: UTF8.self).unicodeScalars.map(\.value)
    }

    /// The UTF-8 bytes of `scalars`.
    static func utf8(_ scalars: ArraySlice<UInt32>) -> [UInt8] {
        var out: [UInt8] = []
        for v in scalars { if let u = Unicode.Scalar(v) { out.append(contentsOf: String(Character(u)).utf8) } }
        return out
    }

    /// The smallest key after every key that starts with `prefix` (its last byte plus one; UTF-8 never has
    /// a 0xFF byte, so there is no carry), or nil when there is none.
    static func successor(of prefix: [UInt8]) -> [UInt8]? {
        guard let last = prefix.last, last < 0xFF else { return nil }
        var s = prefix
        s[s.count - 1] = last + 1
        return s
    }

    // MARK: - Fuzzy

    /// Every term of `field` in `dict` within `maxEdits` optimal-string-alignment edits (insertions,
    /// deletions, substitutions and transpositions of adjacent characters, counted on Unicode scalars) of
    /// `word`, whose first `prefixLength` scalars equal `word`'s. Returns each with its distance.
    ///
    /// The walk keeps one row of the edit-distance table per character of the current term, shared with
    /// the previous term as far as their prefixes agree. When no extension of a prefix can come within
    /// `maxEdits` (the row's minimum, and the previous row's plus one for a transposition, exceed it), it
    /// seeks past every term with that prefix.
    static func fuzzyTerms(_ dict: TermDictionaryReader, field: UInt8, word: [UInt32], maxEdits: Int,
                           prefixLength: Int) throws -> [(key: [UInt8], info: TermInfo, edits: Int)] {
        let m = word.count
        let fixed = Array(word.prefix(prefixLength))
        let start = [field] + utf8(fixed[...])
        var out: [(key: [UInt8], info: TermInfo, edits: Int)] = []
        // rows[i] is the table row after the term's first i scalars; mins[i] its minimum.
        var rows: [[Int]] = [Array(0...m)]
        var mins: [Int] = [0]
        var prev: [UInt32] = []
        try dict.scan(from: start) { key, info in
            guard key.starts(with: start) else { return .stop }
            let t = scalars(of: key)
            var common = 0
            while common < min(t.count, prev.count, rows.count - 1) && t[common] == prev[common] { common += 1 }
            rows.removeSubrange((common + 1)...); mins.removeSubrange((common + 1)...)
            prev = t
            var i = common
            while i < t.count {
                i += 1
                var row = [Int](repeating: 0, count: m + 1)
                row[0] = i
                var rowMin = i
                let c = t[i - 1]
                let up = rows[i - 1]
                for j in 1...max(m, 1) where j <= m {
                    var d = min(up[j] + 1, row[j - 1] + 1, up[j - 1] + (word[j - 1] == c ? 0 : 1))
                    if i > 1, j > 1, c == word[j - 2], t[i - 2] == word[j - 1] { d = min(d, rows[i - 2][j - 2] + 1) }
                    row[j] = d
                    if d < rowMin { rowMin = d }
                }
                rows.append(row); mins.append(rowMin)
                // Every later row is at least min(this row's minimum, the previous row's minimum + 1).
                let bound = min(rowMin, i > 1 ? mins[i - 1] + 1 : Int.max)
                if bound > maxEdits {
                    guard let next = successor(of: [field] + utf8(t[0..<i])) else { return .stop }
                    return .seek(next)
                }
            }
            let d = rows[t.count][m]
            if d <= maxEdits { out.append((key, info, d)) }
            return .next
        }
        return out
    }

    /// Optimal-string-alignment distance between two scalar strings: the brute-force reference the walk
    /// above is tested against.
    static func editDistance(_ a: [UInt32], _ b: [UInt32]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }

    /// The edits `word~` allows when no number is given (Elasticsearch's AUTO): 0 up to 2 characters, 1 up
    /// to 5, 2 beyond.
    static func autoEdits(_ length: Int) -> Int { length <= 2 ? 0 : length <= 5 ? 1 : 2 }

    // MARK: - Wildcards

    /// One element of a wildcard pattern.
    enum PatternElement: Equatable {
        case scalar(UInt32)
        case any        // `?`
        case anyRun     // `*`
    }

    /// Every term of `field` in `dict` matching `pattern`. Only terms starting with the pattern's literal
    /// prefix (up to its first wildcard) are read; a leading wildcard reads the whole field.
    static func wildcardTerms(_ dict: TermDictionaryReader, field: UInt8,
                              pattern: [PatternElement]) throws -> [(key: [UInt8], info: TermInfo)] {
        var literal: [UInt32] = []
        for e in pattern { guard case let .scalar(v) = e else { break }; literal.append(v) }
        let start = [field] + utf8(literal[...])
        var out: [(key: [UInt8], info: TermInfo)] = []
        try dict.scan(from: start) { key, info in
            guard key.starts(with: start) else { return .stop }
            if matches(scalars(of: key), pattern) { out.append((key, info)) }
            return .next
        }
        return out
    }

    /// Whether `text` matches `pattern` as a whole (`?` one scalar, `*` any run). Greedy with backtracking
    /// to the last `*`: linear for patterns with one `*`, at most quadratic otherwise.
    static func matches(_ text: [UInt32], _ pattern: [PatternElement]) -> Bool {
        var t = 0, p = 0
        var starP = -1, starT = 0
        while t < text.count {
            if p < pattern.count {
                switch pattern[p] {
                case .any: t += 1; p += 1; continue
                case let .scalar(v) where v == text[t]: t += 1; p += 1; continue
                case .anyRun: starP = p; starT = t; p += 1; continue
                default: break
                }
            }
            guard starP >= 0 else { return false }
            p = starP + 1; starT += 1; t = starT
        }
        while p < pattern.count, pattern[p] == .anyRun { p += 1 }
        return p == pattern.count
    }
}
