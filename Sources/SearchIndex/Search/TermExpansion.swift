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
    /// the previous term as far as their prefixes agree: the rows are the states of a Levenshtein automaton
    /// run along the sorted keys. When no extension of a prefix can come within `maxEdits` (the row's
    /// minimum, and the previous row's plus one for a transposition, exceed it), the walk seeks instead of
    /// stepping, as an automaton intersected with a sorted term list does (Lucene's `nextString`): every
    /// character outside the word's few characters near that column gives the same dead row, so the next
    /// key that can match starts with the same parent prefix and the next larger of those characters, or
    /// lies past the parent prefix altogether. The keys it reads grow with the terms near the word, not
    /// with the dictionary.
    static func fuzzyTerms(_ dict: TermDictionaryReader, field: UInt8, word: [UInt32], maxEdits: Int,
                           prefixLength: Int, budget: inout Int) throws -> [(key: [UInt8], docFreq: Int, edits: Int)] {
        let keys = try dict.allKeys()
        let m = word.count, width = m + 1
        let start = [field] + utf8(word.prefix(prefixLength))
        var left = budget
        defer { budget = left }
        let count = keys.count
        // The walk's state, reused from term to term (no allocation per term): the previous key's scalars and
        // where each ends in the key (`t`, `ends`), the table rows for its first `depth` scalars (row r at
        // table[r * width ..< (r + 1) * width]) and their minimums. Plain buffers sized for the longest key
        // (in bytes, so in scalars too), held in constants: the loop does no reference counting, uniqueness
        // or exclusivity checks.
        let capacity = keys.maxKeyLength + 1
        let t = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
        let ends = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
        let mins = UnsafeMutablePointer<Int>.allocate(capacity: capacity + 1)
        let table = UnsafeMutablePointer<Int>.allocate(capacity: (capacity + 1) * width)
        defer { t.deallocate(); ends.deallocate(); mins.deallocate(); table.deallocate() }
        let w = UnsafeMutablePointer<UInt32>.allocate(capacity: max(m, 1))
        defer { w.deallocate() }
        for j in 0..<m { w[j] = word[j] }
        return try keys.bytes.withUnsafeBufferPointer { all in
          try keys.starts.withUnsafeBufferPointer { starts in
          try keys.docFreqs.withUnsafeBufferPointer { docFreqs in
          try keys.pastPrefix[0].withUnsafeBufferPointer { past2 in
          try keys.pastPrefix[1].withUnsafeBufferPointer { past3 in
          try keys.pastPrefix[2].withUnsafeBufferPointer { past4 in
            var out: [(key: [UInt8], docFreq: Int, edits: Int)] = []
            var remaining = left
            var prev = 0, prevCount = 0, tCount = 0
            for j in 0...m { table[j] = j }
            let far = maxEdits + 1
            var depth = 0
            // The key a seek looks for, built in place: the parent prefix, then a character or a raised last byte.
            let target = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity + 4)
            defer { target.deallocate() }
            /// The first key at or after `from` that is not less than `target[0 ..< n]` (`count` when none): a
            /// galloping search, so a seek just past the current key costs the logarithm of the distance. Keys
            /// are compared inline, byte by byte: they are short, and a call to memcmp costs more than the loop.
            func lowerBound(from: Int, _ n: Int) -> Int {
                @inline(__always) func less(_ k: Int) -> Bool {
                    let s = Int(starts[k]), len = Int(starts[k + 1]) - s
                    let m = min(len, n)
                    var x = 0
                    while x < m {
                        let a = all[s + x], b = target[x]
                        if a != b { return a < b }
                        x += 1
                    }
                    return len < n
                }
                guard from < count else { return count }
                if !less(from) { return from }
                var lo = from, step = 1, hi = from + 1
                while hi < count && less(hi) { lo = hi; step *= 2; hi = from + step }
                hi = min(hi, count)
                var a = lo + 1, b = hi
                while a < b {
                    let mid = (a + b) / 2
                    if less(mid) { a = mid + 1 } else { b = mid }
                }
                return a
            }
            /// Moves `i` to the first key at or after `key[0 ..< n]` followed by `next` (nil: past every key
            /// starting with `key[0 ..< n]`); false when no key of the field can follow.
            func seek(_ i: inout Int, _ key: UnsafeBufferPointer<UInt8>, _ n: Int, _ next: UInt32?) -> Bool {
                var tn = n
                if let next {
                    target.update(from: key.baseAddress!, count: n)
                    let v = next
                    if v < 0x80 { target[n] = UInt8(v); tn += 1 }
                    else if v < 0x800 { target[n] = UInt8(0xC0 | v >> 6); target[n + 1] = UInt8(0x80 | v & 0x3F); tn += 2 }
                    else if v < 0x10000 {
                        target[n] = UInt8(0xE0 | v >> 12); target[n + 1] = UInt8(0x80 | v >> 6 & 0x3F)
                        target[n + 2] = UInt8(0x80 | v & 0x3F); tn += 3
                    } else {
                        target[n] = UInt8(0xF0 | (v >> 18) & 0x07); target[n + 1] = UInt8(0x80 | v >> 12 & 0x3F)
                        target[n + 2] = UInt8(0x80 | v >> 6 & 0x3F); target[n + 3] = UInt8(0x80 | v & 0x3F); tn += 4
                    }
                } else {
                    if n <= 1 { return false }   // past the field byte: the field's terms are done
                    if n <= 4 { i = Int(n == 2 ? past2[i] : n == 3 ? past3[i] : past4[i]); return true }
                    guard key[n - 1] < 0xFF else { return false }
                    target.update(from: key.baseAddress!, count: n)
                    target[n - 1] += 1
                }
                i = lowerBound(from: i + 1, tn)
                return true
            }
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
                    t[tCount] = v; ends[tCount] = o; tCount += 1
                }
                depth = min(depth, common)
                while depth < tCount {
                    depth += 1
                    let r = depth, c = t[r - 1]
                    let up = table + (r - 1) * width, here = table + r * width
                    // Only cells within maxEdits of the diagonal can stay within maxEdits: compute that band and
                    // put maxEdits + 1 ("too far") just outside it, where the next row reads.
                    let lo = max(1, r - maxEdits), hi = min(m, r + maxEdits)
                    here[0] = r
                    if lo - 1 >= 1 { here[lo - 1] = far }
                    if hi + 1 <= m { here[hi + 1] = far }
                    var rowMin = r <= maxEdits ? r : far
                    var j = lo
                    while j <= hi {
                        var d = min(up[j] + 1, here[j - 1] + 1, up[j - 1] + (w[j - 1] == c ? 0 : 1))
                        if r > 1, j > 1, c == w[j - 2], t[r - 2] == w[j - 1] { d = min(d, table[(r - 2) * width + j - 2] + 1) }
                        if d > far { d = far }
                        here[j] = d
                        if d < rowMin { rowMin = d }
                        j += 1
                    }
                    mins[r] = rowMin
                    // Every later row is at least min(this row's minimum, the previous row's minimum + 1).
                    let bound = min(rowMin, r > 1 ? mins[r - 1] + 1 : Int.max)
                    if bound > maxEdits {
                        // No term starting with these r scalars can match. A character c' in place of c gives a
                        // row no better than this one unless it equals a word character that the band's matches
                        // or transpositions read (w[lo - 2 ... hi - 1]), so only those, above c, can start a
                        // match after the parent prefix (its first r - 1 scalars). (Byte order is scalar order
                        // in UTF-8.)
                        var next = UInt32.max
                        var x = max(0, lo - 2)
                        while x < hi { let s = w[x]; if s > c && s < next { next = s }; x += 1 }
                        let parent = r >= 2 ? ends[r - 2] : 1
                        if parent < start.count {
                            // Inside the required prefix, only the prefix's own character can follow.
                            guard seek(&i, key, parent, nil) else { break walk }
                        } else {
                            guard seek(&i, key, parent, next == UInt32.max ? nil : next) else { break walk }
                        }
                        depth = min(depth, r - 1)
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
