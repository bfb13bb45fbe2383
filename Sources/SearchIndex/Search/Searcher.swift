import Foundation

/// Options for one search.
public struct SearchOptions: Sendable {
    /// How many hits to return.
    public var limit: Int = 10
    /// The ranking function's parameters.
    public var bm25 = BM25()
    /// Fields searched by words without a `field:`; nil means every indexed field.
    public var fields: [String]? = nil
    /// Per-field score multipliers (default 1).
    public var boosts: [String: Float] = [:]
    /// How bare words combine.
    public var defaultOperator: QueryParser.Operator = .or
    /// Load each hit's stored fields.
    public var loadDocuments = true
    /// How a word's scores in several default fields combine. The default, `.max(tieBreaker: 0.1)`, is
    /// Elasticsearch's `best_fields` with a small tie-breaker: the best field counts, others add 10%, so a word
    /// that is in both title and body is not counted twice. `.sum` is Lucene's `MultiFieldQueryParser`.
    public var fieldCombination: FieldCombination = .max(tieBreaker: 0.1)
    /// Count every matching document for ``SearchResults/totalHits``. When false (the default), an OR query
    /// may skip documents that cannot reach the top `limit` (MaxScore), and `totalHits` is then a lower bound.
    public var countAllHits = false
    /// Most terms a prefix query expands to (the most frequent are kept).
    public var maxPrefixTerms = 64
    /// Most clauses a query string may have (see ``QueryParser/maxClauses``).
    public var maxClauses = 256
    /// Most terms a query may look up once its words are expanded over the default fields and its prefixes
    /// over the dictionary; more is ``SearchIndexError/invalidArgument(_:)``. Bounds the work of one query.
    public var maxExpandedTerms = 2048
    /// Options returning the top `limit` hits (0: count only); the others keep their defaults.
    public init(limit: Int = 10) { self.limit = limit }
}

/// See ``SearchOptions/fieldCombination``.
public enum FieldCombination: Sendable, Equatable {
    case sum
    case max(tieBreaker: Float)
}

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
    /// Results with these hits and counts.
    public init(hits: [Hit], totalHits: Int, totalHitsIsExact: Bool = true) {
        self.hits = hits; self.totalHits = totalHits; self.totalHitsIsExact = totalHitsIsExact
    }
}

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
public final class Searcher: Sendable {
    /// The commit this snapshot reads.
    public let manifest: Manifest
    /// The analyzer queries are analyzed with (the index's own, unless one was passed).
    public let analyzer: Analyzer
    let segments: [SegmentReader]
    let bases: [Int]
    let fieldNumbers: [String: Int]
    /// Per field number: documents with the field and total tokens, over all segments.
    let fieldDocCount: [Int]
    let fieldTokens: [Int]

    /// Opens the latest commit at `path`.
    /// - Parameters:
    ///   - analyzer: the analyzer the index was written with; by default rebuilt from the commit.
    ///   - verifyChecksums: check every file's CRC-32 on open (reads every byte once).
    public init(path: String, analyzer: Analyzer? = nil, verifyChecksums: Bool = true) throws {
        let (m, segs) = try openLatestCommit(IndexDirectory(path: path), verify: verifyChecksums)
        manifest = m; segments = segs
        if let analyzer { self.analyzer = analyzer }
        else { self.analyzer = try StandardAnalyzer(identity: manifest.analyzer) }
        var b: [Int] = [], t = 0
        for s in segments { b.append(t); t += s.meta.docCount }
        bases = b
        var fn: [String: Int] = [:]
        for (i, f) in manifest.fields.enumerated() { fn[f] = i }
        fieldNumbers = fn
        var dc = [Int](repeating: 0, count: manifest.fields.count), tk = dc
        for s in manifest.segments { for st in s.fieldStats where st.field < dc.count { dc[st.field] += st.docsWithField; tk[st.field] += st.sumTotalTermFreq } }
        fieldDocCount = dc; fieldTokens = tk
    }

    /// Live (not deleted) documents.
    public var documentCount: Int { manifest.segments.reduce(0) { $0 + $1.liveDocCount } }
    /// Indexed text fields (those that have at least one term).
    public var textFields: [String] { manifest.fields.indices.filter { $0 > 0 && fieldDocCount[$0] > 0 }.map { manifest.fields[$0] } }

    /// Parses and runs `query`.
    public func search(_ query: String, options: SearchOptions = SearchOptions()) throws -> SearchResults {
        try search(try Query.parse(query, defaultOperator: options.defaultOperator, maxClauses: options.maxClauses), options: options)
    }

    /// Runs a query tree.
    public func search(_ query: Query, options: SearchOptions = SearchOptions()) throws -> SearchResults {
        let ctx = QueryContext()
        let w = try weight(query, field: nil, options: options, ctx: ctx)
        var heap = TopK(k: max(0, options.limit))
        var total = 0
        var exact = true
        for (si, seg) in segments.enumerated() {
            let scorer = try w.scorer(seg, segmentIndex: si, ctx: ctx, searcher: self, options: options)
            let base = Int32(bases[si])
            // Pruned top-k for an OR of clauses. (A single term or a dis-max of one word's fields is collected
            // exhaustively: with one clause there is little to prune, and the plain loop was faster in
            // measurements on Reuters and on 1M docs.)
            var pruned: [Scorer]? = nil
            // (Up to 64 clauses: MaxScore scans its essential clauses per candidate, so a query of hundreds of
            // words runs faster through the disjunction's term-at-a-time windows.)
            if let dis = scorer as? DisjunctionScorer, dis.tieBreaker == nil, dis.subs.count > 1, dis.subs.count <= 64 { pruned = dis.subs }
            if !options.countAllHits, heap.k > 0, let subs = pruned {
                total += MaxScore.collect(subs, segment: seg, base: base, heap: &heap)
                exact = false
                if let e = ctx.errors.first { throw e }
                continue
            }
            var d = scorer.nextDoc()
            if heap.k == 0 {
                // Count only: no scoring.
                while d != noMoreDocs {
                    if !seg.isDeleted(d) { total += 1 }
                    d = scorer.nextDoc()
                }
            } else if seg.deleted == nil {
                while d != noMoreDocs {
                    total += 1
                    let s = scorer.score()
                    if s > heap.threshold || heap.count < heap.k { heap.insert(score: s, doc: base + d) }
                    d = scorer.nextDoc()
                }
            } else {
                while d != noMoreDocs {
                    if !seg.isDeleted(d) {
                        total += 1
                        heap.insert(score: scorer.score(), doc: base + d)
                    }
                    d = scorer.nextDoc()
                }
            }
            if let e = ctx.errors.first { throw e }
        }
        var hits: [Hit] = []
        for (score, doc) in heap.sorted() {
            let doc = Int(doc)
            hits.append(Hit(docID: doc, score: score, document: options.loadDocuments ? try document(doc, ctx: ctx) : nil))
        }
        return SearchResults(hits: hits, totalHits: total, totalHitsIsExact: exact)
    }

    /// The stored fields of document `docID` of this snapshot.
    public func document(_ docID: Int) throws -> StoredDocument { try document(docID, ctx: QueryContext()) }

    /// The live document with this id in this snapshot, or nil if there is none.
    public func document(id: String) throws -> StoredDocument? {
        let ctx = QueryContext()
        for (si, seg) in segments.enumerated() {
            for d in try seg.docs(withID: id, ctx) where !seg.isDeleted(d) {
                return try document(bases[si] + Int(d), ctx: ctx)
            }
        }
        return nil
    }

    func document(_ docID: Int, ctx: QueryContext) throws -> StoredDocument {
        guard let (si, local) = locate(docID) else { throw SearchIndexError.invalidArgument("document \(docID) out of range") }
        return try segments[si].stored.document(local, names: manifest.fields, cache: ctx.storedCache)
    }

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
        let ctx = QueryContext()
        ctx.explaining = true
        let w = try weight(query, field: nil, options: options, ctx: ctx)
        let scorer = try w.scorer(segments[si], segmentIndex: si, ctx: ctx, searcher: self, options: options)
        guard scorer.advance(Int32(local)) == Int32(local), !segments[si].isDeleted(Int32(local)) else { return nil }
        let e = scorer.explain()
        if let err = ctx.errors.first { throw err }
        return e
    }

    // MARK: - Query -> weights

    /// Fields for words without `field:`.
    func defaultFields(_ options: SearchOptions) -> [Int] {
        if let fs = options.fields { return fs.compactMap { fieldNumbers[$0] } }
        return manifest.fields.indices.filter { $0 > 0 && fieldDocCount[$0] > 0 }
    }

    func boost(_ f: Int, _ options: SearchOptions) -> Float { options.boosts[manifest.fields[f]] ?? 1 }

    func weight(_ q: Query, field: String?, options: SearchOptions, ctx: QueryContext) throws -> Weight {
        switch q {
        case let .term(f, text), let .phrase(f, text):
            // A word that analyzes to several terms (e-mail, 東京) is a phrase; a one-word phrase is a term.
            return try perField(f, options) { field in try analyzedWeight(field: field, text: text, options: options, ctx: ctx) }
        case let .exactTerm(f, term):
            return try perField(f, options) { field in
                try termWeight(field: field, key: [UInt8(field)] + Array(term.utf8), options: options, ctx: ctx)
            }
        case let .prefix(f, text):
            return try perField(f, options) { field in
                let p = [UInt8(field)] + analyzer.normalizePrefix(text)
                guard p.count > 1 else { return .none }
                // The scan already yields each segment's entry for every matching term: keep them, so the
                // chosen terms need no second dictionary lookup.
                var found: [[UInt8]: (df: Int, infos: [TermInfo?])] = [:]
                for (si, s) in segments.enumerated() {
                    for (k, info) in try s.dict.prefixTerms(p, limit: 4096) {
                        found[k, default: (0, [TermInfo?](repeating: nil, count: segments.count))].df += info.docFreq
                        found[k]?.infos[si] = info
                    }
                }
                let top = found.sorted { $0.value.df != $1.value.df ? $0.value.df > $1.value.df : $0.key.lexicographicallyPrecedes($1.key) }
                    .prefix(options.maxPrefixTerms)
                let ws = try top.map { try termWeight(field: field, key: $0.key, df: $0.value.df, infos: $0.value.infos, options: options, ctx: ctx) }
                return ws.isEmpty ? .none : .boolean(must: [], should: ws, mustNot: [])
            }
        case let .boolean(clauses):
            var must: [Weight] = [], should: [Weight] = [], not: [Weight] = []
            for c in clauses {
                let w = try weight(c.query, field: field, options: options, ctx: ctx)
                if case .none = w { continue }   // a clause of only stopwords drops out, as in Lucene
                switch c.occur { case .must: must.append(w); case .should: should.append(w); case .mustNot: not.append(w) }
            }
            if must.isEmpty && should.isEmpty { return .none }
            return .boolean(must: must, should: should, mustNot: not)
        }
    }

    private func analyzedWeight(field: Int, text: String, options: SearchOptions, ctx: QueryContext) throws -> Weight {
        var keys: [[UInt8]] = [], positions: [Int] = []
        analyzer.analyze(text) { t, p in keys.append([UInt8(field)] + Array(t)); positions.append(p) }
        if keys.isEmpty { return .none }
        if keys.count == 1 { return try termWeight(field: field, key: keys[0], options: options, ctx: ctx) }
        return try phraseWeight(field: field, keys: keys, positions: positions, options: options, ctx: ctx)
    }

    private func perField(_ f: String?, _ options: SearchOptions, _ make: (Int) throws -> Weight) throws -> Weight {
        if let f {
            guard let n = fieldNumbers[f], n > 0 else { return .none }
            return try make(n)
        }
        let ws = try defaultFields(options).map(make).filter { if case .none = $0 { return false }; return true }
        if ws.isEmpty { return .none }
        if ws.count == 1 { return ws[0] }
        switch options.fieldCombination {
        case .sum: return .boolean(must: [], should: ws, mustNot: [])
        case let .max(tie): return .dismax(ws, tieBreaker: tie)
        }
    }

    func termWeight(field: Int, key: [UInt8], options: SearchOptions, ctx: QueryContext) throws -> Weight {
        var df = 0
        var infos: [TermInfo?] = []
        for s in segments {
            let i = try s.term(key)
            infos.append(i)
            df += i?.docFreq ?? 0
        }
        return try termWeight(field: field, key: key, df: df, infos: infos, options: options, ctx: ctx)
    }

    /// A term's weight from its per-segment dictionary entries (nil where a segment lacks it).
    private func termWeight(field: Int, key: [UInt8], df: Int, infos: [TermInfo?], options: SearchOptions, ctx: QueryContext) throws -> Weight {
        try ctx.chargeTerms(1, limit: options.maxExpandedTerms)
        let idf = BM25.idf(docFreq: df, docCount: max(fieldDocCount[field], df))
        return .term(TermWeight(field: field, key: key, idf: idf, boost: boost(field, options), infos: infos))
    }

    func phraseWeight(field: Int, keys: [[UInt8]], positions: [Int], options: SearchOptions, ctx: QueryContext) throws -> Weight {
        try ctx.chargeTerms(keys.count, limit: options.maxExpandedTerms)
        var idf: Float = 0
        var perSeg = [[TermInfo]?](repeating: [], count: segments.count)
        for k in keys {
            var df = 0
            for (si, s) in segments.enumerated() {
                if let i = try s.term(k) { perSeg[si]?.append(i); df += i.docFreq } else { perSeg[si] = nil }
            }
            idf += BM25.idf(docFreq: df, docCount: max(fieldDocCount[field], df))
        }
        let base = positions.min() ?? 0
        return .phrase(PhraseWeight(field: field, offsets: positions.map { UInt32($0 - base) }, idf: idf,
                                    boost: boost(field, options), infos: perSeg, text: keys.map { String(decoding: $0.dropFirst(), as: UTF8.self) }.joined(separator: " ")))
    }

    /// `k1 * (1 - b + b * len / avgdl)` for each norm byte of `field`.
    func normCache(_ field: Int, _ bm25: BM25) -> [Float] {
        let avg = fieldDocCount[field] > 0 ? Float(fieldTokens[field]) / Float(fieldDocCount[field]) : 1
        return NormCodec.table.map { bm25.k1 * (1 - bm25.b + bm25.b * $0 / max(avg, 1e-9)) }
    }
}

struct TermWeight {
    let field: Int
    let key: [UInt8]
    let idf: Float
    let boost: Float
    let infos: [TermInfo?]
}

struct PhraseWeight {
    let field: Int
    let offsets: [UInt32]
    let idf: Float
    let boost: Float
    let infos: [[TermInfo]?]
    let text: String
}

/// A query with its analysis and index-wide statistics resolved; turns into a scorer per segment.
indirect enum Weight {
    case none
    case term(TermWeight)
    case phrase(PhraseWeight)
    case boolean(must: [Weight], should: [Weight], mustNot: [Weight])
    case dismax([Weight], tieBreaker: Float)

    func scorer(_ seg: SegmentReader, segmentIndex si: Int, ctx: QueryContext, searcher: Searcher, options: SearchOptions) throws -> Scorer {
        switch self {
        case .none: return EmptyScorer()
        case let .term(t):
            guard let info = t.infos[si] else { return EmptyScorer() }
            return TermScorer(cursor: seg.cursor(info, ctx), idf: t.idf, boost: t.boost, bm25: options.bm25,
                              cache: ctx.normCache(t.field) { searcher.normCache(t.field, options.bm25) }, norms: seg.norms(t.field),
                              fieldName: searcher.manifest.fields[t.field], key: t.key)
        case let .phrase(p):
            guard let infos = p.infos[si], infos.count == p.offsets.count else { return EmptyScorer() }
            return PhraseScorer(cursors: infos.map { seg.cursor($0, ctx) }, offsets: p.offsets, idf: p.idf, boost: p.boost,
                                bm25: options.bm25, cache: ctx.normCache(p.field) { searcher.normCache(p.field, options.bm25) }, norms: seg.norms(p.field),
                                label: "\(searcher.manifest.fields[p.field]):\"\(p.text)\"")
        case let .dismax(ws, tie):
            let subs = try ws.map { try $0.scorer(seg, segmentIndex: si, ctx: ctx, searcher: searcher, options: options) }
                .filter { !($0 is EmptyScorer) }
            if subs.isEmpty { return EmptyScorer() }
            return subs.count == 1 ? subs[0] : DisjunctionScorer(subs, tieBreaker: tie, docAtATime: ctx.explaining)
        case let .boolean(must, should, mustNot):
            func build(_ ws: [Weight]) throws -> [Scorer] {
                try ws.map { try $0.scorer(seg, segmentIndex: si, ctx: ctx, searcher: searcher, options: options) }
                    .filter { !($0 is EmptyScorer) }
            }
            let m = try build(must), s = try build(should), n = try build(mustNot)
            if m.count < must.count { return EmptyScorer() }   // a required clause matches nothing here
            let excluded: Scorer? = n.isEmpty ? nil : (n.count == 1 ? n[0] : DisjunctionScorer(n, docAtATime: ctx.explaining))
            let optional: Scorer? = s.isEmpty ? nil : (s.count == 1 ? s[0] : DisjunctionScorer(s, docAtATime: ctx.explaining))
            if m.isEmpty {
                guard let optional else { return EmptyScorer() }
                return excluded == nil ? optional : BooleanScorer(required: optional, optional: nil, excluded: excluded)
            }
            let required = m.count == 1 ? m[0] : ConjunctionScorer(m)
            if optional == nil && excluded == nil { return required }
            return BooleanScorer(required: required, optional: optional, excluded: excluded)
        }
    }
}

/// A bounded min-heap keeping the k best (score, doc) pairs; ties prefer the lower doc.
struct TopK {
    let k: Int
    private var scores: [Float] = []
    private var docs: [Int32] = []
    init(k: Int) { self.k = k; scores.reserveCapacity(k); docs.reserveCapacity(k) }
    var count: Int { scores.count }
    /// The score a new hit must beat once the heap is full (+infinity when `k` is 0: nothing enters).
    var threshold: Float {
        if k == 0 { return .infinity }
        return scores.count < k ? -Float.infinity : scores[0]
    }

    @inline(__always) private func worse(_ i: Int, _ j: Int) -> Bool {
        scores[i] < scores[j] || (scores[i] == scores[j] && docs[i] > docs[j])
    }

    mutating func insert(score: Float, doc: Int32) {
        guard k > 0 else { return }
        if scores.count < k {
            scores.append(score); docs.append(doc)
            var i = scores.count - 1
            while i > 0 { let p = (i - 1) / 2; if worse(i, p) { scores.swapAt(i, p); docs.swapAt(i, p); i = p } else { break } }
            return
        }
        if score < scores[0] || (score == scores[0] && doc > docs[0]) { return }
        scores[0] = score; docs[0] = doc
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < scores.count && worse(l, m) { m = l }
            if r < scores.count && worse(r, m) { m = r }
            if m == i { break }
            scores.swapAt(i, m); docs.swapAt(i, m); i = m
        }
    }

    func sorted() -> [(Float, Int32)] {
        zip(scores, docs).sorted { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
    }
}

/// Block-max MaxScore (Turtle & Flood's MaxScore, applied per window of doc ids as in Lucene's
/// `MaxScoreBulkScorer`): top-k over a sum of clauses without scoring, or even inflating, what cannot enter it.
///
/// Doc ids are processed in windows that end where the first clause's current block ends. In each window every
/// clause has an upper bound from its block skip data (max freq, min norm). Clauses are ordered by that bound;
/// those whose bounds add up to no more than the k-th best score so far are "non-essential" there: candidates
/// come only from the other clauses, and a non-essential clause is consulted only while it could still lift a
/// candidate above the threshold. A window whose bounds all add up to no more than the threshold is skipped
/// without inflating any block.
enum MaxScore {
    static func collect(_ subs: [Scorer], segment: SegmentReader, base: Int32, heap: inout TopK) -> Int {
        let n = subs.count
        // Smallest window, in doc ids: about 256 windows per segment at most (on 1M docs, 4,096-doc windows
        // cut p50 by a third against block-sized ones; on 21k docs, block-sized windows are as fast).
        let minWindow = Int32(max(256, segment.meta.docCount >> 8))
        var bounds = [Float](repeating: 0, count: n)
        var ends = [Int32](repeating: 0, count: n)
        var order = Array(0..<n)
        var prefix = [Float](repeating: 0, count: n)
        var threshold = heap.threshold
        var scored = 0
        var windowMin: Int32 = 0
        while windowMin < noMoreDocs {
            // The window: from windowMin to the nearest block end among the clauses.
            var windowMax = noMoreDocs
            for i in 0..<n {
                let (b, e) = subs[i].windowBound(windowMin)
                bounds[i] = b; ends[i] = e
                if e < windowMax { windowMax = e }
            }
            if windowMax == noMoreDocs {
                // Every clause is past its last block: done, unless some clause has no block structure.
                if !subs.contains(where: { !($0 is TermScorer) }) { break }
                windowMax = noMoreDocs - 1
            } else {
                // At least `minWindow` docs per window, so a dense list's short blocks do not make the per-window
                // bookkeeping dominate; each clause's bound is then the max over the blocks the window touches.
                windowMax = max(windowMax, min(noMoreDocs - 1, windowMin &+ (minWindow - 1)))
                for i in 0..<n {
                    while ends[i] < windowMax {
                        let (b, e) = subs[i].windowBound(ends[i] + 1)
                        if b > bounds[i] { bounds[i] = b }
                        ends[i] = e
                    }
                }
            }
            order.sort { bounds[$0] < bounds[$1] }
            var acc: Float = 0
            for k in 0..<n { acc += bounds[order[k]]; prefix[k] = acc * 1.0001 + 1e-6 }   // margin for float rounding
            var firstEssential = 0
            while firstEssential < n && prefix[firstEssential] <= threshold { firstEssential += 1 }
            if firstEssential == n { windowMin = windowMax &+ 1; continue }   // nothing here can make the top k

            for k in firstEssential..<n {
                let s = subs[order[k]]
                if s.doc < windowMin { _ = s.advance(windowMin) }
            }
            while true {
                var d = noMoreDocs
                for k in firstEssential..<n { let x = subs[order[k]].doc; if x < d { d = x } }
                if d > windowMax { break }
                var score: Float = 0
                for k in firstEssential..<n {
                    let s = subs[order[k]]
                    if s.doc == d { score += s.score(); _ = s.nextDoc() }
                }
                var k = firstEssential - 1
                while k >= 0 {
                    if score + prefix[k] <= threshold { break }
                    let s = subs[order[k]]
                    if s.doc < d { _ = s.advance(d) }
                    if s.doc == d { score += s.score() }
                    k -= 1
                }
                if k >= 0 { continue }   // pruned: cannot beat the k-th score
                if segment.isDeleted(d) { continue }
                scored += 1
                if heap.count < heap.k || score > threshold {
                    heap.insert(score: score, doc: base + d)
                    if heap.count == heap.k { threshold = heap.threshold }
                }
            }
            if windowMax >= noMoreDocs - 1 { break }
            windowMin = windowMax + 1
        }
        return scored
    }
}
