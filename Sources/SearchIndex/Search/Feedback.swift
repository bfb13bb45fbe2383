/// Pseudo-relevance feedback: RM3 query expansion (Lavrenko and Croft's relevance model, interpolated with the
/// query as in Abdul-Jaleel et al. 2004 and Anserini's `Rm3Reranker`).
///
/// The query runs once; its best ``feedbackDocuments`` hits are taken as relevant. Each of their words `w`
/// gets the weight `Σ_d score(d) · tf(w, d) / |d|`, over those documents `d`, where `score` is the hit's BM25
/// score and `|d|` the document's token count in the searched fields. Words that are too short (one
/// character) or too long (over 20), that are not letters and digits only, or that occur in more than
/// ``maxDocumentFrequency`` of the documents are left out. The ``feedbackTerms`` heaviest are kept and
/// their weights scaled to sum to 1. The expanded query is then
///
/// `originalQueryWeight / n · query  +  (1 - originalQueryWeight) · Σ weight(w) · w`
///
/// (`n` the number of the query's plain words; each `w` searched over the default fields like a plain word)
/// and it runs a second time. For a query of plain words this is exactly Anserini's RM3 query. A query with
/// required or excluded clauses keeps them: the original becomes a required clause and the expansion terms
/// only re-rank its matches.
///
/// It reads the feedback documents' **stored** text, re-analyzed (the index keeps no term vectors), so the
/// searched fields must be stored; a search whose feedback documents store none of them is an error. It
/// costs a second search plus loading and analyzing the feedback documents: on Reuters about 3.6× the
/// query's time (BENCHMARKS.md), which is why it is opt-in.
public struct QueryExpansion: Sendable, Equatable {
    /// How many of the first pass's best hits are taken as relevant (Anserini's `fbDocs`, default 10).
    public var feedbackDocuments: Int
    /// How many words the relevance model keeps (Anserini's `fbTerms`, default 10).
    public var feedbackTerms: Int
    /// The original query's share of the expanded query, in (0, 1] (Anserini's `originalQueryWeight`,
    /// default 0.5); 1 keeps the query as it is.
    public var originalQueryWeight: Float
    /// Words in more than this fraction of the documents are not expansion terms (Anserini's 0.1).
    public var maxDocumentFrequency: Double

    /// RM3 with Anserini's defaults: 10 feedback documents, 10 terms, original query weight 0.5.
    public init(feedbackDocuments: Int = 10, feedbackTerms: Int = 10, originalQueryWeight: Float = 0.5, maxDocumentFrequency: Double = 0.1) {
        self.feedbackDocuments = feedbackDocuments; self.feedbackTerms = feedbackTerms
        self.originalQueryWeight = originalQueryWeight; self.maxDocumentFrequency = maxDocumentFrequency
    }

    /// RM3 with Anserini's defaults.
    public static let rm3 = QueryExpansion()

    /// Why these parameters cannot be used, or nil.
    var problem: String? {
        if feedbackDocuments < 1 { return "QueryExpansion.feedbackDocuments must be at least 1 (got \(feedbackDocuments))" }
        if feedbackTerms < 0 { return "QueryExpansion.feedbackTerms must not be negative (got \(feedbackTerms))" }
        if !(originalQueryWeight > 0 && originalQueryWeight <= 1) { return "QueryExpansion.originalQueryWeight must be in (0, 1] (got \(originalQueryWeight))" }
        if !(maxDocumentFrequency > 0 && maxDocumentFrequency <= 1) { return "QueryExpansion.maxDocumentFrequency must be in (0, 1] (got \(maxDocumentFrequency))" }
        return nil
    }
}

extension Searcher {
    /// The query that ``SearchOptions/expansion`` runs in place of `query`: `query` with the RM3 terms of its
    /// best hits added (see ``QueryExpansion``). Runs `query` once. Without ``SearchOptions/expansion`` it
    /// uses ``QueryExpansion/rm3``. Returns `query` unchanged when it matches nothing.
    public func expandedQuery(_ query: Query, options: SearchOptions = SearchOptions()) throws -> Query {
        try expandedQuery(query, options: options, text: nil)
    }

    /// ``expandedQuery(_:options:)``, with the query's text for error positions.
    func expandedQuery(_ query: Query, options: SearchOptions, text: String?) throws -> Query {
        let expansion = options.expansion ?? .rm3
        if let problem = expansion.problem { throw SearchIndexError.invalidArgument(problem) }
        let fields = try defaultFields(options).map { manifest.fields[$0] }
        var first = options
        first.expansion = nil; first.limit = expansion.feedbackDocuments; first.offset = 0
        first.loadDocuments = true; first.sort = []; first.searchAfter = nil; first.facets = []; first.suggestBelow = 0
        let hits = try search(query, options: first, text: text).hits
        guard !hits.isEmpty else { return query }

        // The relevance model: Σ over the feedback documents of score · tf / length.
        var model: [String: Double] = [:]
        var anyStored = false
        for hit in hits {
            guard let doc = hit.document else { continue }
            var tf: [String: Int] = [:]
            var length = 0
            for (name, value) in doc.fields where fields.contains(name) {
                anyStored = true
                analyzer.analyze(value) { bytes, _ in
                    length += 1
                    tf[String(decoding: bytes, as: UTF8.self), default: 0] += 1
                }
            }
            guard length > 0 else { continue }
            let scale = Double(hit.score) / Double(length)
            for (w, n) in tf where Self.isFeedbackWord(w) { model[w, default: 0] += scale * Double(n) }
        }
        guard anyStored else {
            throw SearchIndexError.invalidArgument("query expansion reads the feedback documents' stored text, and they store none of the searched fields (\(fields.joined(separator: ", "))); store them, or search without SearchOptions.expansion")
        }

        // The heaviest words that are not too common (ties by the word, for a deterministic query).
        let maxDocs = expansion.maxDocumentFrequency * Double(documentCount)
        var kept: [(word: String, weight: Double)] = []
        for (w, x) in model.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) where x > 0 {
            guard kept.count < expansion.feedbackTerms else { break }
            if try Double(documentFrequency(w, fields: fields)) > maxDocs { continue }
            kept.append((w, x))
        }
        let total = kept.reduce(0) { $0 + $1.weight }
        let w0 = expansion.originalQueryWeight
        guard total > 0, w0 < 1 else { return query }

        let n = max(1, Self.plainWordCount(query, analyzer: analyzer))
        var clauses: [Query.Clause] = [.init(Self.isDisjunction(query) ? .should : .must, .boosted(query, boost: w0 / Float(n)))]
        for (w, x) in kept {
            let b = (1 - w0) * Float(x / total)
            if b > 0 && b.isFinite { clauses.append(.init(.should, .boosted(.exactTerm(field: nil, term: w), boost: b))) }
        }
        return .boolean(clauses)
    }

    /// Anserini's filter on feedback words: 2 to 20 characters, letters and digits only.
    static func isFeedbackWord(_ w: String) -> Bool {
        var n = 0
        for s in w.unicodeScalars {
            guard s.properties.isAlphabetic || s.properties.numericType != nil else { return false }
            n += 1
            if n > 20 { return false }
        }
        return n >= 2
    }

    /// The most documents any of `fields` has the analyzed word `w` in (deleted ones included, as for idf).
    func documentFrequency(_ w: String, fields: [String]) throws -> Int {
        var best = 0
        for f in fields {
            guard let n = fieldNumbers[f] else { continue }
            let key = [UInt8(n)] + Array(w.utf8)
            var df = 0
            for s in segments { df += try s.term(key)?.docFreq ?? 0 }
            best = max(best, df)
        }
        return best
    }

    /// How many terms the query's positive plain words (`.term`, `.exactTerm`) analyze to.
    static func plainWordCount(_ q: Query, analyzer: Analyzer) -> Int {
        switch q {
        case let .term(_, text): var n = 0; analyzer.analyze(text) { _, _ in n += 1 }; return n
        case .exactTerm: return 1
        case let .boosted(inner, _): return plainWordCount(inner, analyzer: analyzer)
        case let .boolean(cs): return cs.reduce(0) { $0 + ($1.occur == .mustNot ? 0 : plainWordCount($1.query, analyzer: analyzer)) }
        default: return 0
        }
    }

    /// Whether `q` is a plain disjunction (no required or excluded clause at its top), so that documents
    /// matching only expansion terms may be added.
    static func isDisjunction(_ q: Query) -> Bool {
        switch q {
        case let .boolean(cs): return cs.allSatisfy { $0.occur == .should }
        case let .boosted(inner, _): return isDisjunction(inner)
        default: return true
        }
    }
}
