/// Finding the dictionary terms a multi-term query stands for: fuzzy terms (within a number of edits),
/// prefixes and wildcard patterns. Prefixes and wildcards walk one segment's sorted key list
/// (``TermDictionaryReader/allKeys()``) from the first key that can match; fuzzy terms walk its trie
/// (``TermDictionaryReader/trie()``) along the branches that can still match, so their work grows with the
/// terms near the word, not with the dictionary.
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
    /// `word`, whose first `prefixLength` scalars equal `word`'s. Returns each with its distance, in key
    /// order.
    ///
    /// A depth-first walk of the dictionary's trie (``TermDictionaryReader/trie()``) that keeps one row of
    /// the edit-distance table per depth: the rows are the states of a Levenshtein automaton. A node whose
    /// row, and its parent's plus one for a transposition, exceed `maxEdits` ends its branch. Below a live
    /// node, every character outside the word's few characters near that column gives the same row, so when
    /// that row is dead only the children labelled with those characters are looked up, by binary search;
    /// otherwise every child is tried. The nodes it reads grow with the terms near the word, not with the
    /// dictionary. Each node read counts against `budget`.
    static func fuzzyTerms(_ dict: TermDictionaryReader, field: UInt8, word: [UInt32], maxEdits: Int,
                           prefixLength: Int, budget: inout Int) throws -> [(key: [UInt8], docFreq: Int, edits: Int)] {
        let keys = try dict.allKeys()
        let trie = try dict.trie()
        return try fuzzyWalk(trie, field: field, word: word, maxEdits: maxEdits, prefixLength: prefixLength, budget: &budget)
            .map { (Array(keys.key($0.index)), Int(keys.docFreqs[$0.index]), $0.edits) }
    }

    /// The walk behind ``fuzzyTerms(_:field:word:maxEdits:prefixLength:budget:)``: the matching keys' indexes
    /// in the dictionary's ``TermKeys``, with their distances.
    static func fuzzyWalk(_ trie: TermTrie, field: UInt8, word: [UInt32], maxEdits k: Int,
                          prefixLength: Int, budget: inout Int) throws -> [(index: Int, edits: Int)] {
        let m = word.count, width = m + 1, far = k + 1
        // Rows by depth (row r at table[r * width ..< (r + 1) * width]), their minimums, and the path's
        // scalars: plain buffers sized for the deepest term, held in constants (no reference counting,
        // uniqueness or exclusivity checks in the loop).
        let depths = trie.maxDepth + 2
        let table = UnsafeMutablePointer<Int>.allocate(capacity: (depths + 1) * width)
        let mins = UnsafeMutablePointer<Int>.allocate(capacity: depths + 1)
        let t = UnsafeMutablePointer<UInt32>.allocate(capacity: depths + 1)
        let w = UnsafeMutablePointer<UInt32>.allocate(capacity: max(m, 1))
        // The word's characters that can continue a branch below a node (at most 2k + 2 of them).
        let s = UnsafeMutablePointer<UInt32>.allocate(capacity: 2 * k + 3)
        defer { table.deallocate(); mins.deallocate(); t.deallocate(); w.deallocate(); s.deallocate() }
        for j in 0..<m { w[j] = word[j] }
        for j in 0...m { table[j] = j }
        mins[0] = 0
        // The nodes still to visit (node, depth): children are pushed in decreasing order, so they are
        // visited in increasing order and the output is in key order.
        var stackCapacity = 256
        var stack = UnsafeMutablePointer<(node: Int32, depth: Int32)>.allocate(capacity: stackCapacity)
        defer { stack.deallocate() }
        var top = 0
        var out: [(index: Int, edits: Int)] = []
        var remaining = budget
        defer { budget = remaining }
        try trie.labels.withUnsafeBufferPointer { labels in
          try trie.keyIndex.withUnsafeBufferPointer { keyIndex in
          try trie.childStart.withUnsafeBufferPointer { childStart in
          try trie.children.withUnsafeBufferPointer { children in
            let fieldNode = trie.child(0, UInt32(field), children, labels, childStart)
            guard fieldNode >= 0 else { return }
            stack[0] = (Int32(fieldNode), 0); top = 1
            while top > 0 {
                top -= 1
                let node = Int(stack[top].node), r = Int(stack[top].depth)
                if r > 0 {
                    remaining -= 1
                    if remaining < 0 { throw TermExpansion.overBudget }
                    // Row r from row r - 1, for this node's scalar. Only cells within k of the diagonal can stay
                    // within k: compute that band and put k + 1 ("too far") just outside it, where the next
                    // row reads.
                    let c = labels[node]
                    t[r - 1] = c
                    let up = table + (r - 1) * width, here = table + r * width
                    let lo = max(1, r - k), hi = min(m, r + k)
                    here[0] = r
                    if lo - 1 >= 1 { here[lo - 1] = far }
                    if hi + 1 <= m { here[hi + 1] = far }
                    var rowMin = r <= k ? r : far
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
                    if min(rowMin, r > 1 ? mins[r - 1] + 1 : Int.max) > k { continue }
                    let key = Int(keyIndex[node])
                    // The distance is in the last row's band only when the lengths differ by at most k.
                    if key >= 0, abs(r - m) <= k, here[m] <= k { out.append((key, here[m])) }
                }
                let first = Int(childStart[node]), end = Int(childStart[node + 1])
                if first == end { continue }
                if end - first + top > stackCapacity {
                    let c = max(stackCapacity * 2, end - first + top)
                    let grown = UnsafeMutablePointer<(node: Int32, depth: Int32)>.allocate(capacity: c)
                    grown.update(from: stack, count: top)
                    stack.deallocate(); stack = grown; stackCapacity = c
                }
                let next = Int32(r + 1)
                if r < prefixLength {
                    // Inside the required prefix: only the word's own next character.
                    let ch = trie.child(node, w[r], children, labels, childStart)
                    if ch >= 0 { stack[top] = (Int32(ch), next); top += 1 }
                    continue
                }
                // The row a character that matches nothing near the diagonal would give at depth r + 1.
                let r1 = r + 1
                let up = table + r * width
                let lo = max(1, r1 - k), hi = min(m, r1 + k)
                var genericMin = r1 <= k ? r1 : far
                var left = lo - 1 == 0 ? r1 : far
                var j = lo
                while j <= hi {
                    let d = min(min(up[j], left, up[j - 1]) + 1, far)
                    if d < genericMin { genericMin = d }
                    left = d
                    j += 1
                }
                if min(genericMin, mins[r] + 1) <= k {
                    // Any character can continue: try every child.
                    var x = end - 1
                    while x >= first { stack[top] = (children[x], next); top += 1; x -= 1 }
                    continue
                }
                // Only the word's characters that the band's matches or transpositions read
                // (w[lo - 2 ... hi - 1]) can: look those children up, largest first.
                var n = 0
                var x = max(0, lo - 2)
                while x < hi {
                    // Insert w[x] into s[0 ..< n], kept sorted and without repeats.
                    let v = w[x]
                    var y = 0
                    while y < n && s[y] < v { y += 1 }
                    if y == n || s[y] != v {
                        var z = n
                        while z > y { s[z] = s[z - 1]; z -= 1 }
                        s[y] = v; n += 1
                    }
                    x += 1
                }
                var y = n - 1
                while y >= 0 {
                    let ch = trie.child(node, s[y], children, labels, childStart)
                    if ch >= 0 { stack[top] = (Int32(ch), next); top += 1 }
                    y -= 1
                }
            }
          } } } }
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
