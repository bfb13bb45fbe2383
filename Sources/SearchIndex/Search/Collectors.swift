/// Collectors: from one segment's scorer to the best hits. ``TopK`` holds them; ``TopK/collect(_:segment:base:heap:)``
/// scores every match, ``MaxScore`` skips what cannot enter the top k.

/// The documents of one segment a filter keeps (``SearchOptions/filter``): a bitset when the filter has one
/// at hand (a range), else the filter's own scorer, advanced lazily. Collectors skip to its next document
/// instead of scoring what it drops.
struct DocSet {
    private let bits: [UInt64]?
    private let scorer: (any Scorer)?
    private let columns: ColumnFilter?

    /// The documents `scorer` matches.
    init(_ scorer: any Scorer) {
        if let b = scorer.matchBits { bits = b; self.scorer = nil } else { bits = nil; self.scorer = scorer }
        columns = nil
    }

    /// The documents that pass `filter`, checked one by one.
    init(_ filter: ColumnFilter) { bits = nil; scorer = nil; columns = filter }

    /// No document (stands in where there is no filter, so loops need not unwrap an optional).
    init() { bits = nil; scorer = nil; columns = nil }

    /// When `d` is not in the set, moves `scorer` on to the set's next document (storing it in `d`) and
    /// returns true: the caller's loop starts over with the new `d`. False when `d` is in the set.
    @inline(__always) func skip(_ scorer: any Scorer, _ d: inout Int32) -> Bool {
        let t = next(d)
        if t == d { return false }
        d = t == noMoreDocs ? noMoreDocs : scorer.advance(t)
        return true
    }

    /// The first document of the set at or after `d` (`noMoreDocs` when there is none); checked against
    /// the columns, `d` itself or `d + 1` (the caller moves on and asks again). `d` must not decrease
    /// between calls.
    @inline(__always) func next(_ d: Int32) -> Int32 {
        if let columns { return columns.matches(d) ? d : d + 1 }
        guard let bits else {
            guard let scorer else { return noMoreDocs }
            return scorer.doc < d ? scorer.advance(d) : scorer.doc
        }
        var w = Int(d) >> 6
        guard w < bits.count else { return noMoreDocs }
        var word = bits[w] & (~0 << UInt64(d & 63))
        while word == 0 {
            w += 1
            if w >= bits.count { return noMoreDocs }
            word = bits[w]
        }
        return Int32(w << 6 | word.trailingZeroBitCount)
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

    /// Scores every live document `scorer` matches in `segment` into `heap` (doc ids offset by `base`), or
    /// only counts them when `heap.k` is 0. Returns the number of live matches.
    static func collect(_ scorer: any Scorer, segment seg: SegmentReader, base: Int32, heap: inout TopK, filter: DocSet? = nil) -> Int {
        // A single term (the common case) runs specialized: direct calls instead of protocol witnesses.
        if let term = scorer as? TermScorer { return collectAll(term, segment: seg, base: base, heap: &heap, filter: filter) }
        return collectAll(scorer, segment: seg, base: base, heap: &heap, filter: filter)
    }

    private static func collectAll<S: Scorer>(_ scorer: S, segment seg: SegmentReader, base: Int32, heap: inout TopK, filter: DocSet?) -> Int {
        var total = 0
        var d = scorer.nextDoc()
        if let filter {
            // Leapfrog with the filter: a document it drops sends the scorer to the filter's next one.
            while d != noMoreDocs {
                if filter.skip(scorer, &d) { continue }
                if !seg.isDeleted(d) {
                    total += 1
                    if heap.k > 0 {
                        let s = scorer.score()
                        if s > heap.threshold || heap.count < heap.k { heap.insert(score: s, doc: base + d) }
                    }
                }
                d = scorer.nextDoc()
            }
        } else if heap.k == 0 {
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
        return total
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
    /// Most clauses MaxScore takes: it scans its essential clauses per candidate, so a query of hundreds of
    /// words runs faster through the disjunction's term-at-a-time windows.
    static let maxClauses = 64
    /// Documents per buffer when the essential clauses are scored a chunk at a time.
    static let chunkSize = 4096

    /// The clauses to prune when `scorer` is a sum of 2 to ``maxClauses`` clauses, else nil. (A single term,
    /// or a dis-max of one word's fields, is collected exhaustively: with one clause there is little to prune,
    /// and the plain loop was faster in measurements on Reuters and on 1M docs.)
    static func prunableClauses(of scorer: any Scorer) -> [any Scorer]? {
        guard let c = scorer.sumClauses, c.count > 1, c.count <= maxClauses else { return nil }
        return c
    }

    /// Collects the top k of the sum of `subs` over `segment` into `heap`; returns the documents scored
    /// (a lower bound of the matches).
    static func collect(_ subs: [any Scorer], segment: SegmentReader, base: Int32, heap: inout TopK, filter: DocSet? = nil,
                        chunk: Chunk = Chunk()) -> Int {
        // The common case, a sum of plain terms, runs specialized for ``TermScorer``: direct, inlinable calls
        // instead of protocol witnesses on every candidate.
        if let terms = subs as? [TermScorer] {
            return collect(DirectClauses(s: terms), segment: segment, base: base, heap: &heap, filter: filter, chunk: chunk)
        }
        if let words = subs as? [CombinedTermScorer] {   // the CLI's default: each word over title and body
            return collect(DirectClauses(s: words), segment: segment, base: base, heap: &heap, filter: filter, chunk: chunk)
        }
        return collect(AnyClauses(s: subs), segment: segment, base: base, heap: &heap, filter: filter, chunk: chunk)
    }

    private static func collect<C: ClauseList>(_ subs: C, segment: SegmentReader, base: Int32, heap: inout TopK, filter: DocSet?,
                                               chunk: Chunk) -> Int {
        let n = subs.count
        // Smallest window, in doc ids: about 256 windows per segment at most (on 1M docs, 4,096-doc windows
        // cut p50 by a third against block-sized ones; on 21k docs, block-sized windows are as fast).
        let minWindow = Int32(max(256, segment.meta.docCount >> 8))
        var bounds = [Float](repeating: 0, count: n)
        var ends = [Int32](repeating: 0, count: n)
        var order = Array(0..<n)
        var prefix = [Float](repeating: 0, count: n)
        var threshold = heap.threshold
        // (Unwrapped once: binding the optional in the loop copied it, three retains per candidate.)
        let hasFilter = filter != nil, filterSet = filter ?? DocSet()
        let chunkScores = chunk.scores, chunkBits = chunk.bits
        var scored = 0
        var windowMin: Int32 = 0
        while windowMin < noMoreDocs {
            // The window: from windowMin to the nearest block end among the clauses.
            var windowMax = noMoreDocs
            for i in 0..<n {
                let (b, e) = subs.windowBound(i, windowMin)
                bounds[i] = b; ends[i] = e
                if e < windowMax { windowMax = e }
            }
            if windowMax == noMoreDocs {
                // Every clause is past its last block: done, unless some clause has no block structure.
                if subs.allHaveBlockBounds { break }
                windowMax = noMoreDocs - 1
            } else {
                // At least `minWindow` docs per window, so a dense list's short blocks do not make the per-window
                // bookkeeping dominate; each clause's bound is then the max over the blocks the window touches.
                windowMax = max(windowMax, min(noMoreDocs - 1, windowMin &+ (minWindow - 1)))
                for i in 0..<n {
                    while ends[i] < windowMax {
                        let (b, e) = subs.windowBound(i, ends[i] + 1)
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
                let s = order[k]
                if subs.doc(s) < windowMin { _ = subs.advance(s, windowMin) }
            }
            if !hasFilter {
                // The essential clauses scored term at a time into a chunk's buffer (as Lucene's MaxScoreBulkScorer
                // does), then each document they hit, in doc order, completed as below.
                while true {
                    var lo = noMoreDocs
                    for k in firstEssential..<n { let x = subs.doc(order[k]); if x < lo { lo = x } }
                    if lo > windowMax { break }
                    let hi = windowMax - lo < Int32(Self.chunkSize - 1) ? windowMax : lo + Int32(Self.chunkSize - 1)
                    for k in firstEssential..<n { subs.accumulate(order[k], from: lo, through: hi, scores: chunkScores, bits: chunkBits) }
                    for w in 0 ..< (Int(hi - lo) >> 6) + 1 {
                        var word = chunkBits[w]
                        if word == 0 { continue }
                        chunkBits[w] = 0   // (left zeroed for the next chunk, as the scores below)
                        while word != 0 {
                            let o = w << 6 | word.trailingZeroBitCount
                            word &= word &- 1
                            let score = chunkScores[o]
                            chunkScores[o] = 0
                            complete(subs, lo + Int32(o), score, firstEssential: firstEssential, order: order, prefix: prefix,
                                     segment: segment, base: base, heap: &heap, threshold: &threshold, scored: &scored)
                        }
                    }
                }
            } else {
                while true {
                    var d = noMoreDocs
                    for k in firstEssential..<n { let x = subs.doc(order[k]); if x < d { d = x } }
                    if d > windowMax { break }
                    // A document the filter drops: move the essential clauses to the filter's next one.
                    let t = filterSet.next(d)
                    if t != d {
                        for k in firstEssential..<n { let s = order[k]; if subs.doc(s) < t { _ = subs.advance(s, t) } }
                        continue
                    }
                    var score: Float = 0
                    for k in firstEssential..<n {
                        let s = order[k]
                        if subs.doc(s) == d { score += subs.score(s); _ = subs.nextDoc(s) }
                    }
                    complete(subs, d, score, firstEssential: firstEssential, order: order, prefix: prefix,
                             segment: segment, base: base, heap: &heap, threshold: &threshold, scored: &scored)
                }
            }
            if windowMax >= noMoreDocs - 1 { break }
            windowMin = windowMax + 1
        }
        return scored
    }

    /// Candidate `d` of the essential clauses, whose sum is `score`: adds the non-essential clauses (most
    /// promising first) while the sum could still beat the threshold, then offers it to the heap unless
    /// pruned or deleted.
    @inline(__always)
    private static func complete<C: ClauseList>(_ subs: C, _ d: Int32, _ essentialScore: Float, firstEssential: Int, order: [Int],
                                                prefix: [Float], segment: SegmentReader, base: Int32, heap: inout TopK,
                                                threshold: inout Float, scored: inout Int) {
        var score = essentialScore
        var k = firstEssential - 1
        while k >= 0 {
            if score + prefix[k] <= threshold { return }   // pruned: cannot beat the k-th score
            let s = order[k]
            if subs.doc(s) < d { _ = subs.advance(s, d) }
            if subs.doc(s) == d { score += subs.score(s) }
            k -= 1
        }
        if segment.isDeleted(d) { return }
        scored += 1
        if heap.count < heap.k || score > threshold {
            heap.insert(score: score, doc: base + d)
            if heap.count == heap.k { threshold = heap.threshold }
        }
    }

    /// The buffers of one chunk (scores and hit bits of ``chunkSize`` documents), zeroed between chunks, so one
    /// query allocates them once for all its segments.
    final class Chunk {
        let scores: UnsafeMutablePointer<Float>
        let bits: UnsafeMutablePointer<UInt64>
        init() {
            scores = .allocate(capacity: MaxScore.chunkSize); scores.initialize(repeating: 0, count: MaxScore.chunkSize)
            bits = .allocate(capacity: MaxScore.chunkSize / 64); bits.initialize(repeating: 0, count: MaxScore.chunkSize / 64)
        }
        deinit { scores.deallocate(); bits.deallocate() }
    }
}

/// MaxScore's clauses, read by index: generic so that the loop is specialized per clause type (``DirectClauses``
/// for a sum of plain terms: direct calls into ``TermScorer``, a final class, with no witness tables).
protocol ClauseList {
    var count: Int { get }
    func doc(_ i: Int) -> Int32
    func advance(_ i: Int, _ target: Int32) -> Int32
    func nextDoc(_ i: Int) -> Int32
    func score(_ i: Int) -> Float
    func windowBound(_ i: Int, _ target: Int32) -> (bound: Float, end: Int32)
    func accumulate(_ i: Int, from base: Int32, through last: Int32, scores: UnsafeMutablePointer<Float>, bits: UnsafeMutablePointer<UInt64>)
    var allHaveBlockBounds: Bool { get }
}

/// Clauses all of one final scorer class (``TermScorer``, ``CombinedTermScorer``): direct calls, and reads
/// that do not retain and release a scorer per call (``Unretained``).
struct DirectClauses<T: Scorer>: ClauseList {
    private let s: Unretained<T>
    init(s: [T]) { self.s = Unretained(s) }
    var count: Int { s.count }
    @inline(__always) func doc(_ i: Int) -> Int32 { s.with(i) { $0.doc } }
    @inline(__always) func advance(_ i: Int, _ target: Int32) -> Int32 { s.with(i) { $0.advance(target) } }
    @inline(__always) func nextDoc(_ i: Int) -> Int32 { s.with(i) { $0.nextDoc() } }
    @inline(__always) func score(_ i: Int) -> Float { s.with(i) { $0.score() } }
    @inline(__always) func windowBound(_ i: Int, _ target: Int32) -> (bound: Float, end: Int32) { s.with(i) { $0.windowBound(target) } }
    @inline(__always) func accumulate(_ i: Int, from base: Int32, through last: Int32, scores: UnsafeMutablePointer<Float>, bits: UnsafeMutablePointer<UInt64>) {
        s.with(i) { $0.accumulate(from: base, through: last, scores: scores, bits: bits) }
    }
    var allHaveBlockBounds: Bool { s.owners.allSatisfy(\.hasBlockBounds) }
}

/// Clauses of any kind.
struct AnyClauses: ClauseList {
    let s: [any Scorer]
    var count: Int { s.count }
    @inline(__always) func doc(_ i: Int) -> Int32 { s[i].doc }
    @inline(__always) func advance(_ i: Int, _ target: Int32) -> Int32 { s[i].advance(target) }
    @inline(__always) func nextDoc(_ i: Int) -> Int32 { s[i].nextDoc() }
    @inline(__always) func score(_ i: Int) -> Float { s[i].score() }
    @inline(__always) func windowBound(_ i: Int, _ target: Int32) -> (bound: Float, end: Int32) { s[i].windowBound(target) }
    @inline(__always) func accumulate(_ i: Int, from base: Int32, through last: Int32, scores: UnsafeMutablePointer<Float>, bits: UnsafeMutablePointer<UInt64>) {
        s[i].accumulate(from: base, through: last, scores: scores, bits: bits)
    }
    var allHaveBlockBounds: Bool { s.allSatisfy(\.hasBlockBounds) }
}
