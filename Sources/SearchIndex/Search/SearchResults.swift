/// One result.
public struct Hit: Sendable {
    /// The document's number in this searcher's snapshot (not stable across commits; use `document.id`).
    public var docID: Int
    /// Its BM25 score for the query.
    public var score: Float
    /// Id and stored fields, when ``SearchOptions/loadDocuments`` is set.
    public var document: StoredDocument?
}

/// Hits in descending score order (ties: lower doc number first) and how many documents matched.
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
    /// Results with these hits and counts.
    public init(hits: [Hit], totalHits: Int, totalHitsIsExact: Bool = true, query: Query = .boolean([]),
                highlightTerms: QueryTerms = QueryTerms(), suggestion: String? = nil) {
        self.hits = hits; self.totalHits = totalHits; self.totalHitsIsExact = totalHitsIsExact
        self.query = query; self.highlightTerms = highlightTerms; self.suggestion = suggestion
    }
}
