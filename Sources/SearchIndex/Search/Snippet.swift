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

/// What a query looks for, as the analyzer produces it: the terms and phrases to highlight, by field.
///
/// A search collects it as it resolves the query (``SearchResults/highlightTerms``), so fuzzy, wildcard and
/// prefix clauses contribute exactly the terms they expanded to, excluded clauses contribute nothing, and a
/// phrase's words are highlighted only where they occur as the phrase.
public struct QueryTerms: Sendable {
    /// Terms to highlight in any field (UTF-8 bytes, as the analyzer produces them).
    public var terms: Set<[UInt8]> = []
    /// Folded prefixes to highlight in any field.
    public var prefixes: [[UInt8]] = []
    /// Terms to highlight only in one field, by field name.
    public var fieldTerms: [String: Set<[UInt8]>] = [:]
    /// Phrases, highlighted only where their terms occur within `slop` moves of the phrase.
    public var phrases: [Phrase] = []

    /// A phrase of a query.
    public struct Phrase: Sendable, Equatable {
        /// The field it was searched in; nil for any field.
        public var field: String?
        /// Its terms, in order.
        public var terms: [[UInt8]]
        /// Each term's position in the phrase (stopwords leave gaps).
        public var offsets: [Int]
        /// Position moves allowed (0: exact).
        public var slop: Int
        /// A phrase to highlight.
        public init(field: String?, terms: [[UInt8]], offsets: [Int], slop: Int) {
            self.field = field; self.terms = terms; self.offsets = offsets; self.slop = slop
        }
    }

    /// Nothing to highlight.
    public init() {}

    /// The single terms that apply to `field` (every field's when nil).
    func singles(for field: String?) -> Set<[UInt8]> {
        guard let field else { return fieldTerms.values.reduce(into: terms) { $0.formUnion($1) } }
        return terms.union(fieldTerms[field] ?? [])
    }
}

extension Searcher {
    /// What `query` highlights: its positive terms and phrases by field, with fuzzy terms, wildcards and
    /// prefixes expanded against this snapshot as `options` says. A search returns the same in
    /// ``SearchResults/highlightTerms``.
    public func queryTerms(_ query: Query, options: SearchOptions = SearchOptions()) -> QueryTerms {
        let ctx = QueryContext(options: options, totals: totals, blockCache: blockCache)
        ctx.query = query
        _ = try? weight(query, field: nil, ctx: ctx)
        return ctx.highlights
    }

    /// The snippet of `hit`'s stored `field` for the search that returned it, or nil when the hit has no
    /// stored document or no such field. One call: the results carry the query's highlight terms.
    public func snippet(for hit: Hit, field: String, in results: SearchResults, maxTokens: Int = 32, maxBytes: Int = 320) -> Snippet? {
        guard let text = hit.document?[field] else { return nil }
        return snippet(text, terms: results.highlightTerms, field: field, maxTokens: maxTokens, maxBytes: maxBytes)
    }

    /// The best passage of `text` for `terms`, or the text's start when nothing matches. `field` is the field
    /// the text comes from: terms searched only in other fields are not highlighted (nil: any field's).
    public func snippet(_ text: String, terms: QueryTerms, field: String? = nil, maxTokens: Int = 32, maxBytes: Int = 320) -> Snippet {
        var tokens: [(range: Range<Int>, term: [UInt8]?)] = []
        var positions: [Int] = [], keys: [[UInt8]] = []
        let singles = terms.singles(for: field)
        let sink: (UnsafeBufferPointer<UInt8>, Int, Range<Int>) -> Void = { t, p, r in
            let a = Array(t)
            var m: [UInt8]? = singles.contains(a) ? a : nil
            if m == nil { for pre in terms.prefixes where a.starts(with: pre) { m = pre; break } }
            tokens.append((r, m)); positions.append(p); keys.append(a)
        }
        if let std = analyzer as? StandardAnalyzer { std.analyzeWithOffsets(text, sink) }
        else {
            // Custom analyzers give no offsets: use the standard tokenizer for positions only.
            var t = text
            t.withUTF8 { u in Tokenizer.tokenize(u, fold: true) { b, p, r in sink(b, p, r) } }
        }
        for phrase in terms.phrases where phrase.field == nil || field == nil || phrase.field == field {
            for i in Self.phraseOccurrences(phrase, positions: positions, keys: keys) where tokens[i].term == nil { tokens[i].term = keys[i] }
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

    /// The tokens (indexes) that take part in an occurrence of `phrase` within its slop, found by the same
    /// scan as the sloppy phrase scorer (``SloppyWindows``) over the text's token positions.
    static func phraseOccurrences(_ phrase: QueryTerms.Phrase, positions: [Int], keys: [[UInt8]]) -> Set<Int> {
        // Per phrase term, the indexes of the tokens that are it, in position order.
        let lists = phrase.terms.map { t in keys.indices.filter { keys[$0] == t } }
        let repeatOf = phrase.terms.indices.map { i in phrase.terms[..<i].lastIndex(of: phrase.terms[i]) ?? -1 }
        var out = Set<Int>()
        SloppyWindows.scan(terms: phrase.terms.count, offsets: phrase.offsets, repeatOf: repeatOf, slop: phrase.slop,
                           count: { lists[$0].count }, position: { positions[lists[$0][$1]] },
                           window: { _, idx in for (i, k) in idx.enumerated() { out.insert(lists[i][k]) } })
        return out
    }
}
