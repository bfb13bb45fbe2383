/// A point-in-time view of an index: it reads the commit that was latest when it was opened, and later
/// commits do not change it. Immutable and `Sendable`: share one searcher between threads and run many
/// searches in parallel. Open a new one to see new commits.
///
/// ```swift
/// let searcher = try Searcher(path: "Index")
/// for hit in try searcher.search("tangier arrest").hits {
///     print(hit.score, hit.document?["title"] ?? "")
/// }
/// ```
///
/// A search turns the query into weights (`Weights.swift`: analysis, index-wide statistics), each weight
/// into one scorer per segment (`Scorers.swift`), and the scorers' documents into the top hits
/// (`Collectors.swift`). Everything one search needs while it runs is in its `QueryContext`.
public final class Searcher: Sendable {
    /// The commit this snapshot reads (searching several indexes: the first one's, listing every index's
    /// segments).
    public let manifest: Manifest
    /// Per segment, the field names of its own index (stored fields are read by them).
    let segmentFieldNames: [[String]]
    /// The commit of each index searched (one, unless opened with ``init(paths:analyzer:verifyChecksums:)``).
    public let manifests: [Manifest]
    /// The analyzer queries are analyzed with (the index's own, unless one was passed).
    public let analyzer: Analyzer
    let segments: [SegmentReader]
    /// Per segment, the snapshot doc id of its first document.
    let bases: [Int]
    let fieldNumbers: [String: Int]
    /// Index-wide per-field totals, for BM25.
    let totals: FieldTotals

    /// Opens the latest commit at `path`.
    /// - Parameters:
    ///   - path: the index directory.
    ///   - analyzer: the analyzer the index was written with; by default rebuilt from the commit.
    ///   - verifyChecksums: check every file's CRC-32 on open (reads every byte once).
    ///   - postingsCacheMB: the budget of this searcher's cache of decoded postings blocks, in MiB (see
    ///     ``postingsCacheStatistics``); 0 turns it off. Memory is taken only as blocks are cached.
    public convenience init(path: String, analyzer: Analyzer? = nil, verifyChecksums: Bool = true,
                            postingsCacheMB: Int = Searcher.defaultPostingsCacheMB) throws {
        let (m, segs) = try openLatestCommit(IndexDirectory(path: path), verify: verifyChecksums)
        try self.init(manifest: m, manifests: [m], segments: segs, analyzer: analyzer, postingsCacheMB: postingsCacheMB)
    }

    /// The default budget of a searcher's decoded-postings cache: 64 MiB.
    public static let defaultPostingsCacheMB = 64

    /// The searcher's cache of decoded postings blocks (nil when its budget is 0).
    let blockCache: PostingsBlockCache?

    /// What the cache of decoded postings blocks has done so far. Queries inflate each full 128-document
    /// block of a term's postings once and keep it decoded within the searcher's budget (`postingsCacheMB`),
    /// evicting blocks not read lately, so repeated queries over frequent words skip inflating. All zeros
    /// when the cache is off.
    public var postingsCacheStatistics: PostingsCacheStatistics {
        blockCache?.statistics ?? PostingsCacheStatistics(hits: 0, misses: 0, evictions: 0, blocks: 0, capacityBytes: 0)
    }

    /// Opens the latest commit of each index in `paths` and searches them as one index: BM25 statistics
    /// (document frequencies, field lengths) are summed over all of them, so scores and rankings are those
    /// of one index holding every document, as when shards built in parallel are searched together.
    /// Snapshot doc ids number the first index's documents first, then the next index's, and so on.
    ///
    /// The indexes must have been written with the same analyzer, and every searchable field (text with
    /// terms, or typed) must have the same number and spec in each index that has it: declare the fields in
    /// the same order in every shard's ``Schema`` (`search index` declares `title` and `body` first). Fields
    /// that are only stored may differ. Otherwise ``SearchIndexError/invalidArgument(_:)``. Document ids are
    /// not checked for uniqueness across the indexes: ``document(id:)`` returns the first live match.
    public convenience init(paths: [String], analyzer: Analyzer? = nil, verifyChecksums: Bool = true,
                            postingsCacheMB: Int = Searcher.defaultPostingsCacheMB) throws {
        guard let first = paths.first else { throw SearchIndexError.invalidArgument("Searcher(paths:) needs at least one index") }
        var manifests: [Manifest] = [], segs: [SegmentReader] = [], segmentIndex: [Int] = []
        for p in paths {
            let (m, s) = try openLatestCommit(IndexDirectory(path: p), verify: verifyChecksums)
            if let f = manifests.first, m.analyzer != f.analyzer {
                throw SearchIndexError.invalidArgument("the index at \(p) was written with the analyzer \(m.analyzer), the one at \(first) with \(f.analyzer); indexes searched together need the same")
            }
            segmentIndex += Array(repeating: manifests.count, count: s.count)
            manifests.append(m); segs += s
        }
        // One field table for all: each searchable field's number must name it in every index that uses it.
        var names = manifests[0].fields
        var owner: [Int: (name: String, path: String)] = [:]
        var combined = manifests[0]
        for (m, p) in zip(manifests, paths) {
            var searchable = Set(m.segments.flatMap { $0.fieldStats.map(\.field) })
            for f in m.schema.fields where f.type != .text { if let n = m.fields.firstIndex(of: f.name) { searchable.insert(n) } }
            for n in searchable.sorted() where n < m.fields.count {
                let name = m.fields[n]
                if let o = owner[n], o.name != name {
                    throw SearchIndexError.invalidArgument("field number \(n) is '\(o.name)' in the index at \(o.path) but '\(name)' in the one at \(p); indexes searched together need their searchable fields in the same order: give their writers the same Schema")
                }
                owner[n] = (name, p)
                while names.count <= n { names.append(m.fields[names.count]) }
                names[n] = name
            }
            for f in m.schema.fields {
                if let old = combined.schema[f.name], old != f {
                    throw SearchIndexError.invalidArgument("field '\(f.name)' is \(old.summary) in one index and \(f.summary) in the one at \(p); indexes searched together need the same field specs")
                }
                combined.schema.add(f)
            }
        }
        for (n, o) in owner where names.firstIndex(of: o.name) != n {
            throw SearchIndexError.invalidArgument("field '\(o.name)' has two numbers across the indexes (one at \(o.path)); indexes searched together need their searchable fields in the same order: give their writers the same Schema")
        }
        combined.fields = names
        combined.segments = manifests.flatMap(\.segments)
        try self.init(manifest: combined, manifests: manifests, segments: segs, analyzer: analyzer, segmentIndex: segmentIndex,
                      postingsCacheMB: postingsCacheMB)
    }

    private init(manifest m: Manifest, manifests: [Manifest], segments segs: [SegmentReader], analyzer: Analyzer?,
                 segmentIndex: [Int]? = nil, postingsCacheMB: Int) throws {
        guard postingsCacheMB >= 0, postingsCacheMB <= 1 << 20 else {
            throw SearchIndexError.invalidArgument("postingsCacheMB must be between 0 and \(1 << 20), not \(postingsCacheMB)")
        }
        blockCache = PostingsBlockCache(bytes: postingsCacheMB << 20)
        manifest = m; self.manifests = manifests; segments = segs
        segmentFieldNames = (segmentIndex ?? Array(repeating: 0, count: segs.count)).map { manifests[$0].fields }
        if let analyzer { self.analyzer = analyzer }
        else { self.analyzer = try StandardAnalyzer(identity: manifest.analyzer) }
        var b: [Int] = [], t = 0
        for s in segments { b.append(t); t += s.meta.docCount }
        bases = b
        var fn: [String: Int] = [:]
        for (i, f) in manifest.fields.enumerated() { fn[f] = i }
        fieldNumbers = fn
        let fieldTotals = FieldTotals(m)
        totals = fieldTotals
        fieldWeights = m.fields.map { m.schema[$0]?.weight ?? 1 }
        textFieldNumbers = m.fields.indices.filter { $0 > 0 && fieldTotals.docCount[$0] > 0 && (m.schema[m.fields[$0]]?.type ?? .text) == .text }
    }

    /// Live (not deleted) documents.
    public var documentCount: Int { manifest.segments.reduce(0) { $0 + $1.liveDocCount } }
    /// Indexed text fields (those that have at least one term).
    public var textFields: [String] { textFieldNumbers.map { manifest.fields[$0] } }
    /// The numbers of the ``textFields``.
    let textFieldNumbers: [Int]
    /// Per field number, its schema weight (``FieldSpec/weight``; 1 when undeclared).
    let fieldWeights: [Float]

    /// Parses and runs `query`.
    public func search(_ query: String, options: SearchOptions = SearchOptions()) throws -> SearchResults {
        try search(try Query.parse(query, defaultOperator: options.defaultOperator, maxClauses: options.maxClauses),
                    options: options, text: query)
    }

    /// Runs a query tree.
    public func search(_ query: Query, options: SearchOptions = SearchOptions()) throws -> SearchResults {
        try search(query, options: options, text: nil)
    }

    func search(_ query: Query, options: SearchOptions, text: String?) throws -> SearchResults {
        if options.expansion != nil {
            // Pseudo-relevance feedback: a first pass finds the feedback documents, the expanded query runs.
            let expanded = try expandedQuery(query, options: options, text: text)
            var o = options
            o.expansion = nil
            return try search(expanded, options: o, text: nil)
        }
        guard options.limit >= 0, options.offset >= 0 else {
            throw SearchIndexError.invalidArgument("limit (\(options.limit)) and offset (\(options.offset)) must not be negative")
        }
        let ctx = QueryContext(options: options, totals: totals, blockCache: blockCache)
        ctx.queryText = text; ctx.query = query   // (no description built per search: only errors need it)
        var w = try weight(query, field: nil, ctx: ctx)
        var filterWeight: Weight? = nil
        if let filter = options.filter {
            // The filter's errors point into the filter's text; its terms are not highlighted.
            ctx.queryText = options.filterText; ctx.query = filter; ctx.negated += 1
            let fw = try weight(filter, field: nil, ctx: ctx)
            ctx.negated -= 1; ctx.queryText = text; ctx.query = query
            if case .none = fw { w = .none } else { filterWeight = fw }
        }
        let (k, overflow) = options.offset.addingReportingOverflow(options.limit)
        guard !overflow else { throw SearchIndexError.invalidArgument("offset + limit is too large") }
        var hits: [Hit] = []
        var total = 0
        var exact = true
        var facets: [FacetResult] = []
        if options.sort.isEmpty && options.searchAfter == nil && options.facets.isEmpty {
            // With the proximity bonus, the best `proximityDepth` by BM25 are collected and re-ranked.
            let rerank = options.proximityWeight > 0 && k > 0 && ctx.proximityTerms.count >= 2
            var heap = TopK(k: rerank ? max(k, options.proximityDepth) : k)
            for (si, seg) in segments.enumerated() {
                guard let (scorer, filter) = try segmentScorer(w, filter: filterWeight, si, needsScores: heap.k > 0, ctx) else { continue }
                let base = Int32(bases[si])
                if !options.countAllHits, heap.k > 0, let clauses = MaxScore.prunableClauses(of: scorer) {
                    total += MaxScore.collect(clauses, segment: seg, base: base, heap: &heap, filter: filter, chunk: ctx.maxScoreChunk)
                    exact = false
                } else {
                    total += TopK.collect(scorer, segment: seg, base: base, heap: &heap, filter: filter)
                }
                try ctx.read.errors.check()
            }
            hits.reserveCapacity(max(0, min(heap.count, k) - options.offset))
            var ranked = heap.sorted()
            if rerank { ranked = Array(try proximityRerank(ranked, ctx: ctx).prefix(k)) }
            for (score, doc) in ranked.dropFirst(options.offset) {
                hits.append(Hit(docID: Int(doc), score: score))
            }
        } else {
            (hits, total, facets) = try collectSorted(w, filter: filterWeight, k: k, ctx: ctx)
        }
        if options.loadDocuments {
            for i in hits.indices { hits[i].document = try document(hits[i].docID, ctx: ctx.read) }
        }
        var suggestion: String? = nil
        // (With MaxScore, `total` counts the documents scored, a lower bound; but the heap takes every match
        // until it is full, so fewer than `limit` means that was every match.)
        if total < options.suggestBelow && (exact || total < k) && options.filter == nil {
            suggestion = try self.suggestion(for: query, text: ctx.queryText ?? query.description, options: options)
        }
        var results = SearchResults(hits: hits, totalHits: total, totalHitsIsExact: exact, query: query,
                                    highlightTerms: ctx.highlights, suggestion: suggestion)
        results.facets = facets
        return results
    }

    /// The scorer of `w` over segment `si` and the documents filter weight `filter` keeps there; nil when
    /// nothing in the segment can match. `needsScores` false builds scorers that only find documents.
    func segmentScorer(_ w: Weight, filter: Weight?, _ si: Int, needsScores: Bool, _ ctx: QueryContext) throws -> (any Scorer, DocSet?)? {
        ctx.needsScores = needsScores
        defer { ctx.needsScores = true }
        guard let scorer = try w.scorer(segments[si], segmentIndex: si, ctx: ctx) else { return nil }
        guard let filter else { return (scorer, nil) }
        guard let set = try segmentFilter(filter, si, mainCost: scorer.cost, ctx) else { return nil }
        return (scorer, set)
    }

    /// The documents of segment `si` that filter weight `fw` keeps; nil when it keeps none. When the
    /// filter can be checked against the columns and keeps about as many documents as the query matches
    /// (`mainCost`) or more, each candidate is checked there (``ColumnFilter``); otherwise the filter is
    /// iterated alongside the query.
    func segmentFilter(_ fw: Weight, _ si: Int, mainCost: Int, _ ctx: QueryContext) throws -> DocSet? {
        let seg = segments[si]
        let cost = ColumnFilter.estimatedCost(fw, seg, si)
        if cost == 0, case .range = fw { return nil }
        let check: Bool
        switch ctx.options.filterMode {
        case .automatic: check = cost >= mainCost / 8
        case .columns: check = true
        case .iterate: check = false
        }
        if check, let columns = ColumnFilter.make(fw, seg, si, ctx.read) { return DocSet(columns) }
        ctx.needsScores = false
        defer { ctx.needsScores = true }
        guard let scorer = try fw.scorer(seg, segmentIndex: si, ctx: ctx) else { return nil }
        return DocSet(scorer)
    }

    /// The stored fields of document `docID` of this snapshot.
    public func document(_ docID: Int) throws -> StoredDocument { try document(docID, ctx: ReadContext()) }

    /// The live document with this id in this snapshot, or nil if there is none.
    public func document(id: String) throws -> StoredDocument? {
        let ctx = ReadContext()
        for (si, seg) in segments.enumerated() {
            for d in try seg.docs(withID: id, ctx) where !seg.isDeleted(d) {
                return try document(bases[si] + Int(d), ctx: ctx)
            }
        }
        return nil
    }

    func document(_ docID: Int, ctx: ReadContext) throws -> StoredDocument {
        guard let (si, local) = locate(docID) else { throw SearchIndexError.invalidArgument("document \(docID) out of range") }
        return try segments[si].document(local, fieldNames: segmentFieldNames[si], ctx: ctx)
    }

    /// The segment holding snapshot doc id `docID`, and the id within it.
    func locate(_ docID: Int) -> (Int, Int)? {
        guard docID >= 0 else { return nil }
        var si = segments.count - 1
        while si >= 0 && bases[si] > docID { si -= 1 }
        guard si >= 0, docID - bases[si] < segments[si].meta.docCount else { return nil }
        return (si, docID - bases[si])
    }

    /// Explains how `query` scores document `docID` (nil if it does not match).
    public func explain(_ query: Query, docID: Int, options: SearchOptions = SearchOptions()) throws -> Explanation? {
        guard let (si, local) = locate(docID) else { return nil }
        let ctx = QueryContext(options: options, totals: totals, blockCache: blockCache)
        ctx.query = query
        ctx.explaining = true
        let w = try weight(query, field: nil, ctx: ctx)
        guard let scorer = try w.scorer(segments[si], segmentIndex: si, ctx: ctx),
              scorer.advance(Int32(local)) == Int32(local), !segments[si].isDeleted(Int32(local)) else {
            try ctx.read.errors.check()
            return nil
        }
        var e = scorer.explain()
        if options.proximityWeight > 0, ctx.proximityTerms.count >= 2 {
            let bonus = try proximityBonus([Int32(local)], segment: si, terms: ctx.proximityTerms, ctx: ctx)[0]
            if bonus > 0 {
                e = Explanation(value: e.value + options.proximityWeight * bonus, description: "BM25 plus the proximity bonus", details: [
                    e, Explanation(value: options.proximityWeight * bonus, description: "proximity: weight \(options.proximityWeight) × bonus \(bonus) (query words within \(Proximity.window) positions)"),
                ])
            }
        }
        try ctx.read.errors.check()
        return e
    }
}

/// Index-wide per-field totals of one snapshot, summed over its segments: what BM25's idf and average
/// field length are computed from.
struct FieldTotals: Sendable {
    /// Field names by number.
    let names: [String]
    /// Per field number: documents with at least one token in it.
    let docCount: [Int]
    /// Per field number: tokens in it over all documents.
    let tokens: [Int]

    init(_ m: Manifest) {
        names = m.fields
        var dc = [Int](repeating: 0, count: m.fields.count), tk = dc
        for s in m.segments {
            for st in s.fieldStats where st.field < dc.count { dc[st.field] += st.docsWithField; tk[st.field] += st.sumTotalTermFreq }
        }
        docCount = dc; tokens = tk
    }
}
