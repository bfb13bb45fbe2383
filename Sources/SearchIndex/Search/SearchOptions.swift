/// Options for one search.
public struct SearchOptions: Sendable {
    /// How many hits to return.
    public var limit: Int = 10
    /// The ranking function's parameters.
    public var bm25 = BM25()
    /// Fields searched by words without a `field:`; nil means every indexed field.
    public var fields: [String]? = nil
    /// Per-field weights, overriding the schema's (``FieldSpec/weight``, 1 unless declared).
    public var boosts: [String: Float] = [:]
    /// How bare words combine.
    public var defaultOperator: QueryParser.Operator = .or
    /// Load each hit's stored fields.
    public var loadDocuments = true
    /// How a word's scores in several default fields combine. The default, `.combined`, scores a word's
    /// fields as one field (BM25F, as Lucene's `CombinedFieldQuery`): chosen on SciFact's train queries and
    /// Cranfield, where it ranks better than the others (BENCHMARKS.md, "Relevance"). `.max(tieBreaker: 0.1)`
    /// is Elasticsearch's `best_fields` with a small tie-breaker, the default before; `.sum` is Lucene's
    /// `MultiFieldQueryParser`. Phrases, prefixes, wildcards and fuzzy terms over several fields combine by
    /// dis-max whatever this says.
    public var fieldCombination: FieldCombination = .combined
    /// How much the query's words occurring near each other add to a hit's score (term proximity, see
    /// ``Proximity``): `score = bm25 + proximityWeight · bonus`; 0 (the default) turns it off. With the old
    /// defaults (k1 1.5, no title weight) 0.25 lifted Cranfield's MAP from 0.306 to 0.313; on top of today's
    /// defaults it adds almost nothing, and it costs about 2× the p50 latency on Reuters (it reads the
    /// positions of the re-ranked documents), so it is opt-in. It applies to results ranked by score without
    /// `searchAfter` or facets, and to ``Searcher/explain(_:docID:options:)``.
    public var proximityWeight: Float = 0
    /// How many of the best documents by BM25 the proximity bonus re-ranks (at least `offset + limit`).
    public var proximityDepth = 100
    /// Pseudo-relevance feedback (RM3, see ``QueryExpansion``): the query runs once, words from its best
    /// hits are added, and the expanded query runs. Nil (the default) is off. It reads the stored text of
    /// the feedback documents and costs about 3.6× a plain search on Reuters, so it is opt-in: it lifts
    /// Cranfield's MAP and SciFact's recall but lowers SciFact's nDCG@10 (BENCHMARKS.md, "Relevance"). ``SearchResults/query`` is then the
    /// expanded query.
    public var expansion: QueryExpansion? = nil
    /// Count every matching document for ``SearchResults/totalHits``. When false (the default), an OR query
    /// may skip documents that cannot reach the top `limit` (MaxScore), and `totalHits` is then a lower bound.
    public var countAllHits = false
    /// Most terms a prefix or wildcard query expands to (the most frequent are kept).
    public var maxPrefixTerms = 64
    /// Most terms a fuzzy term expands to (the closest are kept, then the most frequent), like Lucene's
    /// `maxExpansions`.
    public var maxFuzzyExpansions = 50
    /// Leading characters a fuzzy term must match exactly (Lucene's `prefixLength`); a longer prefix makes
    /// the expansion cheaper on a large dictionary.
    public var fuzzyPrefixLength = 0
    /// Typo tolerance: every plain word (not in quotes, not a prefix or wildcard) also matches the terms
    /// within its AUTO edit distance (see ``Query/fuzzy(field:text:maxEdits:)``), ranked below exact matches.
    public var typoTolerance = false
    /// Most dictionary terms the fuzzy and wildcard clauses of one query may read while expanding (a leading
    /// wildcard reads a whole field; a fuzzy term counts the trie nodes it visits); more is
    /// ``SearchIndexError/invalidArgument(_:)``. Bounds the work of a query of many such clauses.
    public var maxTermsScanned = 1_000_000
    /// Suggest a corrected query (``SearchResults/suggestion``) when fewer documents than this match;
    /// 0 never suggests. The default, 1, suggests for queries that find nothing; a search box may want 3
    /// (the CLI's). A suggestion walks the dictionary for each plain word (at most 12 words): about a
    /// millisecond on Reuters, spent only on the queries that trigger it. Never with a ``filter``: what a
    /// filter leaves out says nothing about the query's spelling.
    public var suggestBelow = 1
    /// Most clauses a query string may have (see ``QueryParser/maxClauses``).
    public var maxClauses = 256
    /// Most terms a query may look up once its words are expanded over the default fields and its prefixes
    /// over the dictionary; more is ``SearchIndexError/invalidArgument(_:)``. Bounds the work of one query.
    public var maxExpandedTerms = 2048
    /// Hits to skip before the first one returned (``limit`` are returned after them): page `p` of size `n`
    /// is `offset: p * n, limit: n`. For deep pages, ``searchAfter`` is cheaper and stable.
    public var offset = 0
    /// The order of the hits: empty (the default) is by score, best first. Otherwise the keys in turn (see
    /// ``SortField``); ties go to the lower ``Hit/docID``. Sorting by a field reads its column: no stored
    /// fields are loaded to choose the hits.
    public var sort: [SortField] = []
    /// Return only hits after this one in the sort order (the ``SearchResults/nextCursor`` of the previous
    /// page, from the same searcher): stable deep paging, as Lucene's `searchAfter`.
    public var searchAfter: SearchCursor? = nil
    /// A query that restricts the matches without changing their scores, like Lucene's `FILTER` clauses
    /// and tantivy's filters. ``filter(_:)`` parses one (its words combine with AND).
    public var filter: Query? = nil
    /// The filter as typed, for error positions (set by ``filter(_:)``).
    var filterText: String? = nil
    /// How the filter is applied (tests force one way or the other): checked against the columns when it
    /// keeps at least 1/8 of the documents the query matches (`.automatic`), always, or never.
    var filterMode: FilterMode = .automatic
    enum FilterMode: Sendable { case automatic, columns, iterate }
    /// Counts over every matching document (see ``FacetRequest``), returned in ``SearchResults/facets``.
    /// Facets make the search visit every match, so ``SearchResults/totalHits`` is then exact.
    public var facets: [FacetRequest] = []

    /// Sets ``filter`` to the query language text `text`, whose clauses combine with AND
    /// (`topics:crude date:[1987-03-01 TO 1987-03-31]`). Throws its syntax errors.
    public mutating func filter(_ text: String) throws {
        filter = try Query.parse(text, defaultOperator: .and, maxClauses: maxClauses)
        filterText = text
    }

    /// Options returning the top `limit` hits (0: count only); the others keep their defaults.
    public init(limit: Int = 10) { self.limit = limit }
}

/// See ``SearchOptions/fieldCombination``.
public enum FieldCombination: Sendable, Equatable {
    /// Each field scored on its own, the scores added (Lucene's multi-field query).
    case sum
    /// The best field's score plus `tieBreaker` times the others' (dis-max).
    case max(tieBreaker: Float)
    /// A word's fields scored as one (BM25F, as Lucene's `CombinedFieldQuery`): its frequencies and the
    /// document's field lengths are added up, weighted by the fields' boosts, before one BM25 saturation.
    /// Applies to plain words; a phrase, prefix, wildcard or fuzzy term over several fields falls back to
    /// dis-max with tie-breaker 0.1.
    case combined
}
