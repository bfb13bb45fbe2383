/// Picks the best passage of a stored text for a query and marks the matching words.
///
/// The passage is the window of about `maxTokens` tokens holding the most distinct query terms (then the
/// most matches); it is returned as fragments so a caller can render highlights however it likes.
public struct Snippet: Sendable, Equatable {
    /// A run of snippet text, either a match or the text between matches.
    public struct Fragment: Sendable, Equatable {
        /// The text of this run.
        public var text: String
        /// Whether this run is a query term to highlight.
        public var isMatch: Bool
    }
    /// The snippet as runs of plain and matching text, in order.
    public var fragments: [Fragment]
    /// Whether the field has text before the snippet (render an ellipsis).
    public var truncatedStart: Bool
    /// Whether the field goes on after the snippet (render an ellipsis).
    public var truncatedEnd: Bool
    /// Number of distinct query terms in the passage.
    public var matchedTerms: Int

    /// Plain text with `open`/`close` around matches, and "…" where the text was cut.
    public func rendered(open: String = "", close: String = "") -> String {
        (truncatedStart ? "…" : "") + fragments.map { $0.isMatch ? open + $0.text + close : $0.text }.joined() + (truncatedEnd ? "…" : "")
    }
}

/// The terms a query looks for, as the analyzer produces them.
public struct QueryTerms: Sendable {
    /// Analyzed terms to highlight (UTF-8 bytes, as the analyzer produces them).
    public var terms: Set<[UInt8]> = []
    /// Folded prefixes to highlight (from `prefix*` clauses).
    public var prefixes: [[UInt8]] = []
    func matches(_ t: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let a = Array(t)
        if terms.contains(a) { return a }
        for p in prefixes where a.starts(with: p) { return p }
        return nil
    }
}

extension Searcher {
    /// The analyzed terms of the positive clauses of `query` (excluded clauses are ignored), with fuzzy
    /// terms and wildcards expanded against this snapshot's dictionaries (as ``SearchOptions`` defaults do).
    public func queryTerms(_ query: Query) -> QueryTerms {
        var out = QueryTerms()
        let defaults = SearchOptions()
        func expanded(_ expand: (TermDictionaryReader, UInt8) throws -> [[UInt8]]) {
            for f in manifest.fields.indices where f > 0 {
                for s in segments {
                    for k in (try? expand(s.dict, UInt8(f))) ?? [] { out.terms.insert(Array(k.dropFirst())) }
                }
            }
        }
        func walk(_ q: Query) {
            switch q {
            case let .term(_, t), let .phrase(_, t), let .sloppyPhrase(_, t, _): analyzer.analyze(t) { b, _ in out.terms.insert(Array(b)) }
            case let .exactTerm(_, t): out.terms.insert(Array(t.utf8))
            case let .prefix(_, t): let p = analyzer.normalizePrefix(t); if !p.isEmpty { out.prefixes.append(p) }
            case let .fuzzy(_, t, edits):
                var tokens: [[UInt8]] = []
                analyzer.analyze(t) { b, _ in tokens.append(Array(b)) }
                guard tokens.count == 1 else { tokens.forEach { out.terms.insert($0) }; return }
                let word = TermExpansion.scalars(of: [0] + tokens[0])
                let k = min(edits ?? TermExpansion.autoEdits(word.count), 2)
                out.terms.insert(tokens[0])
                guard k > 0 else { return }
                expanded { dict, f in
                    try TermExpansion.fuzzyTerms(dict, field: f, word: word, maxEdits: k, prefixLength: defaults.fuzzyPrefixLength)
                        .sorted { $0.edits < $1.edits }.prefix(defaults.maxFuzzyExpansions).map(\.key)
                }
            case let .wildcard(_, pattern):
                let elements = wildcardPattern(pattern)
                expanded { dict, f in try TermExpansion.wildcardTerms(dict, field: f, pattern: elements).prefix(defaults.maxPrefixTerms).map(\.key) }
            case let .boosted(inner, _): walk(inner)
            case let .boolean(cs): for c in cs where c.occur != .mustNot { walk(c.query) }
            }
        }
        walk(query)
        return out
    }

    /// The best passage of `text` for `terms`, or the text's start when nothing matches.
    public func snippet(_ text: String, terms: QueryTerms, maxTokens: Int = 32, maxBytes: Int = 320) -> Snippet {
        var tokens: [(range: Range<Int>, term: [UInt8]?)] = []
        let sink: (UnsafeBufferPointer<UInt8>, Int, Range<Int>) -> Void = { t, _, r in tokens.append((r, terms.matches(t))) }
        if let std = analyzer as? StandardAnalyzer { std.analyzeWithOffsets(text, sink) }
        else {
            // Custom analyzers give no offsets: use the standard tokenizer for positions only.
            var t = text
            t.withUTF8 { u in Tokenizer.tokenize(u, fold: true) { b, p, r in sink(b, p, r) } }
        }
        let utf8 = Array(text.utf8)
        guard !tokens.isEmpty else { return Snippet(fragments: [.init(text: String(decoding: utf8.prefix(maxBytes), as: UTF8.self), isMatch: false)], truncatedStart: false, truncatedEnd: utf8.count > maxBytes, matchedTerms: 0) }
        // Best window [i, i + maxTokens) by (distinct terms, matches).
        var bestStart = 0, bestKey = (0, 0)
        var counts: [[UInt8]: Int] = [:]
        var matches = 0
        for j in tokens.indices {
            if let t = tokens[j].term { counts[t, default: 0] += 1; matches += 1 }
            let i = j - maxTokens + 1
            if i > 0, let t = tokens[i - 1].term {
                counts[t]! -= 1; matches -= 1
                if counts[t] == 0 { counts[t] = nil }
            }
            let key = (counts.count, matches)
            if key > bestKey { bestKey = key; bestStart = max(0, i) }
        }
        // Start a few tokens before the first match of the window, for context.
        var first = bestStart
        if let m = tokens[bestStart...].prefix(maxTokens).firstIndex(where: { $0.term != nil }) { first = max(bestStart, m - 4) }
        let lastTok = min(tokens.count - 1, first + maxTokens - 1)
        var lo = tokens[first].range.lowerBound
        if first == 0 { lo = 0 }
        var hi = min(tokens[lastTok].range.upperBound, lo + maxBytes)
        while hi < utf8.count && hi > lo && utf8[hi] & 0xC0 == 0x80 { hi -= 1 }
        var frags: [Snippet.Fragment] = []
        var pos = lo
        func plain(_ a: Int, _ b: Int) {
            guard b > a else { return }
            // Line breaks and runs of white space become one space.
            var s = "", lastSpace = false
            for c in String(decoding: utf8[a..<b], as: UTF8.self) {
                if c.isWhitespace { if !lastSpace { s.append(" ") }; lastSpace = true } else { s.append(c); lastSpace = false }
            }
            frags.append(.init(text: s, isMatch: false))
        }
        for t in tokens[first...lastTok] where t.term != nil && t.range.upperBound <= hi {
            plain(pos, t.range.lowerBound)
            frags.append(.init(text: String(decoding: utf8[t.range], as: UTF8.self), isMatch: true))
            pos = t.range.upperBound
        }
        plain(pos, hi)
        return Snippet(fragments: frags, truncatedStart: lo > 0, truncatedEnd: hi < utf8.count, matchedTerms: bestKey.0)
    }
}
