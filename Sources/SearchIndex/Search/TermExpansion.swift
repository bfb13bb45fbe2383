/// Finding the dictionary terms a multi-term query stands for: fuzzy terms (within a number of edits),
/// prefixes and wildcard patterns. Each walks one segment's sorted key list (``TermDictionaryReader/allKeys()``)
/// from the first key that can match; the fuzzy walk also skips every range that cannot, so its work grows
/// with the terms near the word, not with the dictionary.
enum TermExpansion {
    /// Thrown when an expansion would read more dictionary keys than its budget
    /// (``SearchOptions/maxTermsScanned``).
    static let overBudget = SearchIndexError.invalidArgument("the query's fuzzy and wildcard terms would read more dictionary terms than SearchOptions.maxTermsScanned allows; make them more specific (fewer edits, a literal start), or raise the limit")

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
                           prefixLength: Int, budget: inout Int) throws -> [(key: [UInt8], docFreq: Int, edits: Int)] {
        let keys = try dict.allKeys()
        let m = word.count, width = m + 1
        let start = [field] + utf8(word.prefix(prefixLength))
        // (The walk's state lives inside the closure, not captured by it, so it needs no boxes; the key list's
        // arrays are read through buffer pointers, so the loop does no reference counting.)
        var left = budget
        defer { budget = left }
        let count = keys.count
        return try keys.bytes.withUnsafeBufferPointer { all in
          try keys.starts.withUnsafeBufferPointer { starts in
          try keys.docFreqs.withUnsafeBufferPointer { docFreqs in
          try keys.pastPrefix[0].withUnsafeBufferPointer { past2 in
          try keys.pastPrefix[1].withUnsafeBufferPointer { past3 in
          try keys.pastPrefix[2].withUnsafeBufferPointer { past4 in
            var out: [(key: [UInt8], docFreq: Int, edits: Int)] = []
            var remaining = left
            // The walk's state, reused from term to term (no allocation per term): the previous key, its scalars
            // and where each ends in the key (the first `tCount` of `t` and `ends`), and the table rows for its
            // first `depth` scalars (row r at table[r * width ..< (r + 1) * width]) with their minimums.
            var prev = 0, prevCount = 0
            var t = [UInt32](repeating: 0, count: 64), ends = [Int](repeating: 0, count: 64), tCount = 0
            var table = [Int](repeating: 0, count: 65 * width), mins = [Int](repeating: 0, count: 65)
            for j in 0...m { table[j] = j }
            let far = maxEdits + 1
            var depth = 0
            var seekKey: [UInt8] = []
            var i = keys.lowerBound(start)
            walk: while i < count {
                remaining -= 1
                if remaining < 0 { throw TermExpansion.overBudget }
                let ks = Int(starts[i]), ke = Int(starts[i + 1])
                let key = UnsafeBufferPointer(rebasing: all[ks ..< ke])
                guard key.count >= start.count, start.indices.allSatisfy({ key[$0] == start[$0] }) else { break }
                // Scalars (and rows) shared with the previous key.
                var commonBytes = 0
                let limit = min(key.count, prevCount)
                while commonBytes < limit && key[commonBytes] == all[prev + commonBytes] { commonBytes += 1 }
                var common = 0
                while common < min(depth, tCount) && ends[common] <= commonBytes { common += 1 }
                prev = ks; prevCount = key.count
                tCount = common
                // Decode the rest of the key's scalars (invalid UTF-8 decodes byte by byte, never traps).
                var o = common > 0 ? ends[common - 1] : 1
                while o < key.count {
                    let b0 = UInt32(key[o])
                    var v = b0, len = 1
                    if b0 >= 0xF0, o + 3 < key.count { v = (b0 & 0x07) << 18 | UInt32(key[o + 1] & 0x3F) << 12 | UInt32(key[o + 2] & 0x3F) << 6 | UInt32(key[o + 3] & 0x3F); len = 4 }
                    else if b0 >= 0xE0, o + 2 < key.count { v = (b0 & 0x0F) << 12 | UInt32(key[o + 1] & 0x3F) << 6 | UInt32(key[o + 2] & 0x3F); len = 3 }
                    else if b0 >= 0xC0, o + 1 < key.count { v = (b0 & 0x1F) << 6 | UInt32(key[o + 1] & 0x3F); len = 2 }
                    o += len
                    if tCount == t.count { t.append(0); ends.append(0) }
                    t[tCount] = v; ends[tCount] = o; tCount += 1
                }
                if (tCount + 1) * width > table.count { table += [Int](repeating: 0, count: (tCount + 1) * width - table.count); mins += [Int](repeating: 0, count: tCount + 1) }
                depth = min(depth, common)
                while depth < tCount {
                    depth += 1
                    let r = depth, c = t[r - 1]
                    let up = (r - 1) * width, here = r * width
                    // Only cells within maxEdits of the diagonal can stay within maxEdits: compute that band and
                    // put maxEdits + 1 ("too far") just outside it, where the next row reads.
                    let lo = max(1, r - maxEdits), hi = min(m, r + maxEdits)
                    table[here] = r
                    if lo - 1 >= 1 { table[here + lo - 1] = far }
                    if hi + 1 <= m { table[here + hi + 1] = far }
                    var rowMin = r <= maxEdits ? r : far
                    var j = lo
                    while j <= hi {
                        var d = min(table[up + j] + 1, table[here + j - 1] + 1, table[up + j - 1] + (word[j - 1] == c ? 0 : 1))
                        if r > 1, j > 1, c == word[j - 2], t[r - 2] == word[j - 1] { d = min(d, table[(r - 2) * width + j - 2] + 1) }
                        if d > far { d = far }
                        table[here + j] = d
                        if d < rowMin { rowMin = d }
                        j += 1
                    }
                    mins[r] = rowMin
                    // Every later row is at least min(this row's minimum, the previous row's minimum + 1).
                    let bound = min(rowMin, r > 1 ? mins[r - 1] + 1 : Int.max)
                    if bound > maxEdits {
                        // No term starting with these r scalars can match: skip them all, to the first key
                        // after that prefix (the prefix with its last byte plus one; UTF-8 has no 0xFF byte).
                        let n = ends[r - 1]
                        if n <= 4 { i = Int(n == 2 ? past2[i] : n == 3 ? past3[i] : past4[i]); continue walk }
                        guard key[n - 1] < 0xFF else { break walk }
                        seekKey.removeAll(keepingCapacity: true)
                        seekKey.append(contentsOf: UnsafeBufferPointer(rebasing: key[0 ..< n]))
                        seekKey[n - 1] += 1
                        i = seekKey.withUnsafeBufferPointer { keys.lowerBound($0, from: i + 1, in: all) }
                        continue walk
                    }
                }
                // The distance is in the last row's band only when the lengths differ by at most maxEdits.
                if abs(tCount - m) <= maxEdits {
                    let d = table[tCount * width + m]
                    if d <= maxEdits { out.append((Array(key), Int(docFreqs[i]), d)) }
                }
                i += 1
            }
            left = remaining
            return out
          } } } } }
        }
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

    // MARK: - Prefixes

    /// Every term of `dict` starting with `prefix` (the field byte first), with its document frequency.
    static func prefixTerms(_ dict: TermDictionaryReader, prefix: [UInt8], budget: inout Int) throws -> [(key: [UInt8], docFreq: Int)] {
        let keys = try dict.allKeys()
        var out: [(key: [UInt8], docFreq: Int)] = []
        var i = keys.lowerBound(prefix)
        while i < keys.count {
            budget -= 1
            if budget < 0 { throw TermExpansion.overBudget }
            let key = keys.key(i)
            guard key.starts(with: prefix) else { break }
            out.append((Array(key), Int(keys.docFreqs[i])))
            i += 1
        }
        return out
    }

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
                              pattern: [PatternElement], budget: inout Int) throws -> [(key: [UInt8], docFreq: Int)] {
        var literal: [UInt32] = []
        for e in pattern { guard case let .scalar(v) = e else { break }; literal.append(v) }
        let start = [field] + utf8(literal[...])
        let keys = try dict.allKeys()
        var out: [(key: [UInt8], docFreq: Int)] = []
        var i = keys.lowerBound(start)
        var text: [UInt32] = []
        while i < keys.count {
            budget -= 1
            if budget < 0 { throw TermExpansion.overBudget }
            let key = keys.key(i)
            guard key.starts(with: start) else { break }
            text.removeAll(keepingCapacity: true)
            for u in String(decoding: key.dropFirst(), as: UTF8.self).unicodeScalars { text.append(u.value) }
            if matches(text, pattern) { out.append((Array(key), Int(keys.docFreqs[i]))) }
            i += 1
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
