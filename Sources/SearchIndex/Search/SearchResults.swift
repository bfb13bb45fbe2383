/// One result.
public struct Hit: Sendable {
    /// The document's number in this searcher's snapshot (not stable across commits; use `document.id`).
    public var docID: Int
    /// Its BM25 score for the query.
    public var score: Float
    /// Id and stored fields, when ``SearchOptions/loadDocuments`` is set.
    public var document: StoredDocument?
    /// The hit's value for each key of ``SearchOptions/sort``; empty when the hits are sorted by score
    /// (the default), whose one key is ``score``.
    public var sortValues: [SortValue] = []

    /// A hit.
    public init(docID: Int, score: Float, document: StoredDocument? = nil, sortValues: [SortValue] = []) {
        self.docID = docID; self.score = score; self.document = document; self.sortValues = sortValues
    }

    /// Where this hit stands in the sort order: pass it as ``SearchOptions/searchAfter`` for the hits after it.
    public var cursor: SearchCursor { SearchCursor(values: sortValues.isEmpty ? [.score(score)] : sortValues, docID: docID) }
}

/// Hits in the requested order (by default descending score; ties: lower doc number first), how many
/// documents matched, and facet counts.
public struct SearchResults: Sendable {
    /// The top hits, best first.
    public var hits: [Hit]
    /// Matching documents; exact when `totalHitsIsExact`, else a lower bound (see ``SearchOptions/countAllHits``).
    public var totalHits: Int
    /// Whether ``totalHits`` counts every match (see ``SearchOptions/countAllHits``).
    public var totalHitsIsExact: Bool
    /// The query that ran, parsed.
    public var query: Query
    /// What the query highlights, for ``Searcher/snippet(for:field:in:maxTokens:maxBytes:)``.
    public var highlightTerms: QueryTerms
    /// A corrected query when this one found few documents (see ``SearchOptions/suggestBelow``), else nil.
    public var suggestion: String?
    /// The counts of ``SearchOptions/facets``, in the order requested.
    public var facets: [FacetResult] = []
    /// The cursor of the last hit, for the next page (``SearchOptions/searchAfter``); nil without hits.
    public var nextCursor: SearchCursor? { hits.last?.cursor }
    /// Results with these hits and counts.
    public init(hits: [Hit], totalHits: Int, totalHitsIsExact: Bool = true, query: Query = .boolean([]),
                highlightTerms: QueryTerms = QueryTerms(), suggestion: String? = nil) {
        self.hits = hits; self.totalHits = totalHits; self.totalHitsIsExact = totalHitsIsExact
        self.query = query; self.highlightTerms = highlightTerms; self.suggestion = suggestion
    }
}
