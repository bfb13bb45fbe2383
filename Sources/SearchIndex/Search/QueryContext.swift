/// Everything one search carries while it runs, in one place: its options, the snapshot's field totals it
/// scores with, the decoding state its cursors share (``ReadContext``), its term budget, the BM25 tables it
/// built, and whether it is explaining. Made per search; never shared between threads.
final class QueryContext {
    let options: SearchOptions
    let totals: FieldTotals
    /// Inflater, stored-fields chunk cache and decode-error sink of this query's cursors.
    let read: ReadContext
    /// MaxScore's chunk buffers, shared by the query's segments.
    lazy var maxScoreChunk = MaxScore.Chunk()
    /// Set by `explain`: scorers stay doc-at-a-time, positioned on the explained document.
    var explaining = false
    /// False while scorers are built whose scores nobody reads (a filter, a count, a sort by field): their
    /// disjunctions then only find the documents.
    var needsScores = true
    /// Terms looked up so far (see ``SearchOptions/maxExpandedTerms``).
    private(set) var termsLookedUp = 0
    /// BM25 length-normalisation tables by field, built once per query (the parameters are fixed for it).
    private var normCaches: [Int: [Float]] = [:]

    /// The query as the user typed it, when it came as a string (for error positions).
    var queryText: String? = nil
    /// The query tree, whose description stands in for the text when there is none (built only for an error).
    var query: Query? = nil
    /// What the query highlights, collected as its weights are built (positive clauses only).
    var highlights = QueryTerms()
    /// How many excluded (`mustNot`) clauses the weight being built is inside of.
    var negated = 0
    /// Dictionary keys the query's fuzzy and wildcard expansions may still read.
    var scanBudget: Int
    /// The query's plain words per field (not excluded ones), for the proximity bonus.
    private(set) var proximityTerms: [Proximity.Term] = []

    /// Records a plain word's term in one field for the proximity bonus (once; not inside an excluded clause;
    /// only when the bonus is on).
    func recordProximity(_ w: Weight) {
        guard options.proximityWeight > 0, negated == 0, case let .term(t) = w, t.field > 0,
              !proximityTerms.contains(where: { $0.field == t.field && $0.key == t.key }) else { return }
        proximityTerms.append(Proximity.Term(field: t.field, key: t.key, idf: t.idf, infos: t.infos))
    }

    /// Records a term the query searches `field` for (unless it is inside an excluded clause).
    func highlight(field: Int, key: [UInt8]) {
        guard negated == 0, field > 0, field < totals.names.count else { return }
        highlights.fieldTerms[totals.names[field], default: []].insert(Array(key.dropFirst()))
    }

    /// Records a phrase the query searches `field` for (unless it is inside an excluded clause).
    func highlight(field: Int, phrase keys: [[UInt8]], offsets: [Int], slop: Int) {
        guard negated == 0, field > 0, field < totals.names.count else { return }
        highlights.phrases.append(.init(field: totals.names[field], terms: keys.map { Array($0.dropFirst()) }, offsets: offsets, slop: slop))
    }

    init(options: SearchOptions, totals: FieldTotals, blockCache: PostingsBlockCache? = nil) {
        self.options = options; self.totals = totals; scanBudget = options.maxTermsScanned
        read = ReadContext(blockCache: blockCache)
    }

    /// A ``SearchIndexError/querySyntax(query:position:message:)`` about `field`, at the first `field:` in
    /// the query text (0 when there is no text, or no field).
    func fieldError(_ field: String?, _ message: String) -> SearchIndexError {
        guard let text = queryText ?? query?.description else { return .querySyntax(query: "", position: 0, message: message) }
        var position = 0
        if let field {
            let chars = Array(text), needle = Array(field + ":")
            var i = 0
            while i + needle.count <= chars.count {
                if Array(chars[i ..< i + needle.count]) == needle && (i == 0 || !(chars[i - 1].isLetter || chars[i - 1].isNumber || chars[i - 1] == "_" || chars[i - 1] == ".")) {
                    position = i; break
                }
                i += 1
            }
        }
        return .querySyntax(query: text, position: position, message: message)
    }

    /// Counts `n` more term lookups against ``SearchOptions/maxExpandedTerms``; throws once it is exceeded.
    func chargeTerms(_ n: Int) throws {
        termsLookedUp += n
        let limit = options.maxExpandedTerms
        if termsLookedUp > limit {
            throw SearchIndexError.invalidArgument("the query expands to more than \(limit) terms (words × fields, prefixes × matching terms); narrow it, or raise SearchOptions.maxExpandedTerms")
        }
    }

    /// `k1 * (1 - b + b * len / avgdl)` for each of the 256 norm bytes of `field`, with this query's BM25
    /// parameters and the snapshot's average field length.
    func normCache(_ field: Int) -> [Float] {
        if let c = normCaches[field] { return c }
        let bm25 = options.bm25
        let docs = totals.docCount[field]
        let avg = docs > 0 ? Float(totals.tokens[field]) / Float(docs) : 1
        let c = NormCodec.table.map { bm25.k1 * (1 - bm25.b + bm25.b * $0 / max(avg, 1e-9)) }
        normCaches[field] = c
        return c
    }
}
