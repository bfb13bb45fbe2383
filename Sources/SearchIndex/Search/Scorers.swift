/// Where a scorer stands: its current document. A class, so that the collectors' loops read `doc` with a
/// plain load rather than a protocol call; every ``Scorer`` inherits it.
class ScorerBase {
    /// The current document: -1 before the first `nextDoc()`, `noMoreDocs` when exhausted.
    final var doc: Int32 = -1
}

/// Objects read on a hot path without retaining and releasing each one per access: `owners` keeps every one
/// alive for as long as this value lives, so `with(i)` can lend element `i` without reference counting.
/// (Reading a class element out of an array retained and released it; on per-document paths that was 7-13%
/// of a query's instructions.)
struct Unretained<T: AnyObject> {
    let owners: [T]
    private let refs: [Unmanaged<T>]
    init(_ owners: [T]) { self.owners = owners; refs = owners.map { Unmanaged.passUnretained($0) } }
    var count: Int { refs.count }
    var indices: Range<Int> { refs.indices }
    /// Calls `body` with element `i`.
    @inline(__always) func with<R>(_ i: Int, _ body: (T) -> R) -> R { refs[i]._withUnsafeGuaranteedRef(body) }
}

/// A doc-at-a-time scorer over one segment. It positions itself on a document (`doc`), moves with
/// `nextDoc()` / `advance(_:)` and scores the current document.
protocol Scorer: ScorerBase {
    /// Cost estimate: the number of documents it may match.
    var cost: Int { get }
    /// An upper bound on any score it returns, used to skip documents that cannot enter the top k.
    var maxScore: Float { get }
    /// Moves to the next matching document and returns it (`noMoreDocs` at the end).
    func nextDoc() -> Int32
    /// Moves to the first matching document at or after `target` and returns it.
    func advance(_ target: Int32) -> Int32
    /// The score of the current document.
    func score() -> Float
    /// An upper bound of the scores of documents in `[target, end]`, and `end` (`noMoreDocs` when the bound
    /// holds for every document from `target` on). Targets must not decrease between calls.
    func windowBound(_ target: Int32) -> (bound: Float, end: Int32)
    /// Whether ``windowBound(_:)`` follows real postings blocks, so that a bound ending at `noMoreDocs` for
    /// a target past the last block means the scorer is exhausted (a term's scorer); false when the bound
    /// is a single global one.
    var hasBlockBounds: Bool { get }
    /// For a disjunction that sums its clauses' scores: the clauses, which a top-k collector may prune with
    /// MaxScore; nil for every other scorer.
    var sumClauses: [any Scorer]? { get }
    /// The breakdown of `score()` for the current document.
    func explain() -> Explanation
    /// Every document it matches as a bitset, when it has one at hand (a range's scorer); nil otherwise.
    var matchBits: [UInt64]? { get }
    /// Sets bit `d - base` for the current document and every next one below `end`, leaving the scorer on
    /// the first document at or past `end`; returns whether it set any bit (a union's window, no scores).
    func setBits(from base: Int32, below end: Int32, into bits: UnsafeMutablePointer<UInt64>) -> Bool
    /// Adds the score of the current document and of every next one up to `last` (inclusive) to
    /// `scores[d - base]`, sets bit `d - base` for each, and leaves the scorer on the first document past
    /// `last`: MaxScore's essential clauses, scored a window at a time. Each document's sum builds in the
    /// order the clauses are called, as doc-at-a-time scoring would add them.
    func accumulate(from base: Int32, through last: Int32, scores: UnsafeMutablePointer<Float>, bits: UnsafeMutablePointer<UInt64>)
}

extension Scorer {
    func windowBound(_ target: Int32) -> (bound: Float, end: Int32) { (maxScore, noMoreDocs) }
    var hasBlockBounds: Bool { false }
    var sumClauses: [any Scorer]? { nil }
    var matchBits: [UInt64]? { nil }
    func setBits(from base: Int32, below end: Int32, into bits: UnsafeMutablePointer<UInt64>) -> Bool {
        var d = doc, any = false
        while d < end {
            let i = Int(d - base)
            bits[i >> 6] |= 1 << UInt64(i & 63)
            any = true
            d = nextDoc()
        }
        return any
    }
    func accumulate(from base: Int32, through last: Int32, scores: UnsafeMutablePointer<Float>, bits: UnsafeMutablePointer<UInt64>) {
        var d = doc < base ? advance(base) : doc
        while d <= last {
            let i = Int(d - base)
            scores[i] += score()
            bits[i >> 6] |= 1 << UInt64(i & 63)
            d = nextDoc()
        }
    }
}

/// The first bit set after bit `i` (-1: from the start) in `words` 64-bit words, or nil: the step of the
/// windowed scorers (``DisjunctionScorer``, ``ExpansionScorer``) from one matching bucket to the next.
@inline(__always) func nextSetBit(_ bits: UnsafePointer<UInt64>, words: Int, after i: Int) -> Int? {
    var w = (i + 1) >> 6
    guard w < words else { return nil }
    var word = bits[w] & (~0 << UInt64((i + 1) & 63))
    while true {
        if word != 0 { return w << 6 | word.trailingZeroBitCount }
        w += 1
        if w == words { return nil }
        word = bits[w]
    }
}

/// Scores one term in one field: `weight * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))`,
/// with `weight = idf * boost` and `dl` the document's field length decoded from its norm byte.
final class TermScorer: ScorerBase, Scorer {
    let cursor: PostingsCursor
    let weight: Float
    let k1p1: Float
    /// `k1 * (1 - b + b * len / avgdl)` for each of the 256 norm bytes.
    let cache: [Float]
    let norms: UnsafeRawBufferPointer?
    /// Field name and term key, for `explain` (the label string is built only there: a query of many terms
    /// creates many scorers).
    let fieldName: String
    let key: [UInt8]
    let idf: Float
    let boost: Float
    private var bound: Float

    init(cursor: PostingsCursor, idf: Float, boost: Float, bm25: BM25, cache: [Float], norms: UnsafeRawBufferPointer?,
         fieldName: String, key: [UInt8]) {
        self.cursor = cursor; self.idf = idf; self.boost = boost; self.weight = idf * boost
        self.k1p1 = bm25.k1 + 1; self.cache = cache; self.norms = norms; self.fieldName = fieldName; self.key = key
        bound = 0
        super.init()
        var m: Float = 0
        for b in 0..<cursor.blockCount { m = max(m, blockBound(b)) }
        bound = m
    }
    /// The best score block `b` can give, from its skip entry (max freq, min norm).
    @inline(__always) private func blockBound(_ b: Int) -> Float {
        let e = cursor.skip.entries[b]
        let f = Float(e.maxFreq)
        return weight * f * k1p1 / (f + cache[Int(e.minNorm)])
    }
    var cost: Int { cursor.docFreq }
    var maxScore: Float { bound }
    var hasBlockBounds: Bool { true }
    @inline(__always) func nextDoc() -> Int32 { doc = cursor.nextDoc(); return doc }
    @inline(__always) func advance(_ target: Int32) -> Int32 { doc = cursor.advance(target); return doc }
    func setBits(from base: Int32, below end: Int32, into bits: UnsafeMutablePointer<UInt64>) -> Bool {
        let any = cursor.setBits(from: base, below: end, into: bits)
        doc = cursor.doc
        return any
    }
    func accumulate(from base: Int32, through last: Int32, scores: UnsafeMutablePointer<Float>, bits: UnsafeMutablePointer<UInt64>) {
        cache.withUnsafeBufferPointer { c in
            cursor.accumulate(from: base, through: last, scores: scores, bits: bits, weight: weight, k1p1: k1p1,
                              normCache: c.baseAddress!, norms: norms?.baseAddress?.assumingMemoryBound(to: UInt8.self))
        }
        doc = cursor.doc
    }
    @inline(__always) func normByte() -> Int { norms.map { Int($0[Int(doc)]) } ?? 0 }
    @inline(__always) func score() -> Float {
        let f = Float(cursor.freq)
        return weight * f * k1p1 / (f + cache[normByte()])
    }
    /// The bound of the block holding `target` (from its skip entry: max freq, min norm), without inflating it.
    func windowBound(_ target: Int32) -> (bound: Float, end: Int32) {
        guard let b = cursor.shallowBlock(for: target) else { return (0, noMoreDocs) }
        return (blockBound(b), cursor.skip.blockLast[b])
    }
    func explain() -> Explanation {
        let f = Float(cursor.freq)
        let nb = normByte()
        let dl = NormCodec.table[nb]
        let tfPart = f * k1p1 / (f + cache[nb])
        let label = "\(fieldName):\(String(decoding: key.dropFirst(), as: UTF8.self))"
        return Explanation(value: score(), description: "\(label): idf × boost × tf-norm", details: [
            Explanation(value: idf, description: "idf = ln(1 + (N - df + 0.5) / (df + 0.5)), df = \(cursor.docFreq)"),
            Explanation(value: boost, description: "field boost"),
            Explanation(value: tfPart, description: "tf·(k1+1) / (tf + k1·(1 - b + b·dl/avgdl)), tf = \(Int(f)), dl = \(Int(dl))"),
        ])
    }
}

/// Documents where the terms occur at consecutive positions (after their offsets); scored with BM25 on
/// the phrase frequency and the sum of the terms' idf.
final class PhraseScorer: ScorerBase, Scorer {
    let cursors: [PostingsCursor]
    let offsets: [UInt32]
    /// Position moves allowed; 0 is an exact phrase.
    let slop: Int
    /// For each term, the nearest earlier term with the same key (its positions are the same), else -1.
    private let repeatOf: [Int]
    let weight: Float, k1p1: Float
    let cache: [Float]
    let norms: UnsafeRawBufferPointer?
    let label: String
    private var freq: Float = 0
    private let lead: Int
    /// `cursors`, for the match loop, which touches a cursor per document.
    private let hot: Unretained<PostingsCursor>

    init(cursors: [PostingsCursor], offsets: [UInt32], slop: Int = 0, keys: [[UInt8]] = [], idf: Float, boost: Float, bm25: BM25,
         cache: [Float], norms: UnsafeRawBufferPointer?, label: String) {
        self.cursors = cursors; self.offsets = offsets; self.slop = slop; self.weight = idf * boost; self.k1p1 = bm25.k1 + 1
        hot = Unretained(cursors)
        repeatOf = keys.indices.map { i in keys[..<i].lastIndex(of: keys[i]) ?? -1 }
        self.cache = cache; self.norms = norms; self.label = label
        lead = cursors.indices.min { cursors[$0].docFreq < cursors[$1].docFreq } ?? 0
        super.init()
    }
    var cost: Int { cursors[lead].docFreq }
    var maxScore: Float { weight * k1p1 }
    func nextDoc() -> Int32 { advance(doc + 1) }
    func advance(_ target: Int32) -> Int32 {
        var t = target
        while true {
            var d = hot.with(lead) { $0.advance(t) }
            if d == noMoreDocs { doc = d; return d }
            var agreed = true
            for i in hot.indices where i != lead {
                let x = hot.with(i) { $0.advance(d) }
                if x != d { agreed = false; d = x; break }
            }
            if !agreed { if d == noMoreDocs { doc = d; return d }; t = d; continue }
            let f = slop > 0 ? sloppyFreq() : Float(phraseFreq())
            if f > 0 { doc = d; freq = f; return d }
            t = d + 1
        }
    }
    // (Scratch of one scorer on one thread: unchecked for exclusivity, as the dynamic check on every read of
    // these class properties cost more than the phrase matching. The lists point into the cursors' own
    // position buffers, read before any cursor moves.)
    @exclusivity(unchecked) private var lists: [UnsafeBufferPointer<UInt32>] = []
    @exclusivity(unchecked) private var idx: [Int] = []
    /// Counts start positions p such that term i occurs at p + offsets[i] for every i.
    private func phraseFreq() -> Int {
        if lists.count != cursors.count { lists = Array(repeating: UnsafeBufferPointer(start: nil, count: 0), count: cursors.count) }
        if idx.count != cursors.count { idx = Array(repeating: 0, count: cursors.count) }
        for i in hot.indices { lists[i] = hot.with(i) { $0.positions() }; idx[i] = 0 }
        var count = 0
        outer: for p0 in lists[0] {
            guard p0 >= offsets[0] else { continue }
            let start = p0 - offsets[0]
            for i in 1..<lists.count {
                let (want, overflow) = start.addingReportingOverflow(offsets[i])
                if overflow { break outer }
                let l = lists[i]
                var k = l.startIndex + idx[i]
                while k < l.endIndex && l[k] < want { k += 1 }
                idx[i] = k - l.startIndex
                if k == l.endIndex { break outer }
                if l[k] != want { continue outer }
            }
            count += 1
        }
        return count
    }
    /// Lucene's sloppy phrase frequency: `1 / (1 + span)` summed over the document's windows (see
    /// ``SloppyWindows``).
    private func sloppyFreq() -> Float {
        let n = cursors.count
        if lists.count != n { lists = Array(repeating: UnsafeBufferPointer(start: nil, count: 0), count: n) }
        for i in 0..<n { lists[i] = cursors[i].positions() }
        var freq: Float = 0
        let lists = self.lists
        SloppyWindows.scan(terms: n, offsets: offsets.map { Int($0) }, repeatOf: repeatOf, slop: slop,
                           count: { lists[$0].count }, position: { Int(lists[$0][lists[$0].startIndex + $1]) },
                           window: { span, _ in freq += 1 / Float(1 + span) })
        return freq
    }

    func score() -> Float {
        let nb = norms.map { Int($0[Int(doc)]) } ?? 0
        return weight * freq * k1p1 / (freq + cache[nb])
    }
    func explain() -> Explanation {
        Explanation(value: score(), description: "\(label): phrase\(slop > 0 ? " (slop \(slop))" : ""), freq = \(freq), idf × boost = \(weight)")
    }
}

/// Matches when any sub-scorer does. Scores the sum of the matching subs, or, with a tie-breaker
/// (dis-max), the best one plus `tieBreaker` times the others.
///
/// With few subs it moves doc at a time, scanning them all per document. With more than
/// ``windowThreshold`` it works term at a time in windows of ``window`` doc ids, as Lucene's
/// `BooleanScorer` does: each sub adds its scores into the window's buckets, and documents are then
/// returned from the buckets in order. A posting then costs one score and one add however many subs there
/// are, so a query of hundreds of clauses, or a prefix expanded to dozens of terms, stays linear in its
/// postings. Both modes add a document's sub-scores in sub order, so they give the same floats.
final class DisjunctionScorer: ScorerBase, Scorer {
    static let windowThreshold = 16
    static let window = 4096
    let subs: [any Scorer]
    let tieBreaker: Float?
    private let windowed: Bool
    // Windowed mode: the window [start, start + window), per-doc sums and best sub-scores, and a bitset of
    // the docs that matched.
    // (Buffers behind pointers, allocated on first use: no exclusivity checks or copies in the loops.)
    private var start: Int32 = 0
    private var sum: UnsafeMutablePointer<Float>? = nil
    private var best: UnsafeMutablePointer<Float>? = nil
    private var bits: UnsafeMutablePointer<UInt64>? = nil
    private static let words = window / 64
    /// Stands in for the score buffers of a union that does not score (never read or written).
    nonisolated(unsafe) private static let dummy = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private var index = -1

    /// Whether `score()` will be called: without scores, the union is always found in windows (a bit per
    /// posting, no score arithmetic), as tantivy's buffered union does.
    private let scoring: Bool

    /// - Parameter docAtATime: never use windows (`explain` needs the subs positioned on the document).
    /// - Parameter needsScores: false when only the matching documents are wanted (sorting by a field,
    ///   counting, facets, filters); `score()` must not be called then.
    init(_ subs: [any Scorer], tieBreaker: Float? = nil, docAtATime: Bool = false, needsScores: Bool = true) {
        self.subs = subs; self.tieBreaker = tieBreaker
        scoring = needsScores || docAtATime
        windowed = !docAtATime && (subs.count > Self.windowThreshold || !needsScores)
        super.init()
    }
    deinit { sum?.deallocate(); best?.deallocate(); bits?.deallocate() }
    var cost: Int { subs.reduce(0) { $0 + $1.cost } }
    /// The subs' bounds are fixed once they are built, so this one is computed once.
    private lazy var bound: Float = {
        guard let t = tieBreaker else { return subs.reduce(0) { $0 + $1.maxScore } }
        let m = subs.map(\.maxScore).max() ?? 0
        return m + t * (subs.reduce(0) { $0 + $1.maxScore } - m)
    }()
    var maxScore: Float { bound }
    var sumClauses: [any Scorer]? { tieBreaker == nil ? subs : nil }
    func windowBound(_ target: Int32) -> (bound: Float, end: Int32) {
        // Windowed subs run ahead of `target`, so their block bounds no longer apply: use the global bound.
        if windowed { return (maxScore, noMoreDocs) }
        var total: Float = 0, best: Float = 0, end = noMoreDocs
        for s in subs {
            let (b, e) = s.windowBound(target)
            total += b; best = max(best, b); end = min(end, e)
        }
        guard let t = tieBreaker else { return (total, end) }
        return (best + t * (total - best), end)
    }

    // (The doc-at-a-time loops index `subs` instead of iterating it: iterating copies each element out,
    // a retain and a release per sub per document.)
    func nextDoc() -> Int32 {
        if windowed { return doc == -1 ? fill(from: 0) : doc == noMoreDocs ? doc : next(after: index) }
        var m = noMoreDocs
        if doc == -1 { for i in subs.indices { m = min(m, subs[i].nextDoc()) }; doc = m; return m }
        let current = doc
        for i in subs.indices {
            if subs[i].doc == current { _ = subs[i].nextDoc() }
            m = min(m, subs[i].doc)
        }
        doc = m; return m
    }
    func advance(_ target: Int32) -> Int32 {
        if windowed {
            if doc == noMoreDocs { return doc }
            if doc == -1 || target >= start &+ Int32(Self.window) { return fill(from: target) }
            return target <= doc ? doc : next(after: Int(target - start) - 1)
        }
        var m = noMoreDocs
        for i in subs.indices {
            if subs[i].doc < target { _ = subs[i].advance(target) }
            m = min(m, subs[i].doc)
        }
        doc = m; return m
    }

    // MARK: windows

    /// The first matching doc after bucket `i` of the current window, or the next window's first.
    private func next(after i: Int) -> Int32 {
        if let bits, let b = nextSetBit(bits, words: Self.words, after: i) { index = b; doc = start + Int32(b); return doc }
        return fill(from: start &+ Int32(Self.window))
    }

    /// Collects the next window holding a match, starting at `from`.
    private func fill(from: Int32) -> Int32 {
        let sum: UnsafeMutablePointer<Float>, best: UnsafeMutablePointer<Float>, bits: UnsafeMutablePointer<UInt64>
        if let w = self.bits {
            // (Without scores, `sum` and `best` point at one shared dummy and are never touched.)
            sum = self.sum ?? Self.dummy; best = self.best ?? Self.dummy; bits = w
            for w in 0..<Self.words where bits[w] != 0 {
                var word = bits[w]
                if scoring { while word != 0 { let i = w << 6 | word.trailingZeroBitCount; sum[i] = 0; best[i] = 0; word &= word - 1 } }
                bits[w] = 0
            }
        } else {
            bits = .allocate(capacity: Self.words); bits.initialize(repeating: 0, count: Self.words)
            self.bits = bits
            if scoring {
                sum = .allocate(capacity: Self.window); sum.initialize(repeating: 0, count: Self.window)
                best = .allocate(capacity: Self.window); best.initialize(repeating: 0, count: Self.window)
                self.sum = sum; self.best = best
            } else { sum = Self.dummy; best = Self.dummy }
        }
        var lo = from
        while true {
            // The window starts at the first doc any sub has at or after `lo`.
            var first = noMoreDocs
            for s in subs {
                if s.doc < lo { _ = s.advance(lo) }
                if s.doc < first { first = s.doc }
            }
            if first == noMoreDocs { doc = noMoreDocs; index = -1; return doc }
            start = first
            let end = first >= noMoreDocs - Int32(Self.window) ? noMoreDocs : first + Int32(Self.window)
            var any = false
            for s in subs {
                var d = s.doc
                if !scoring {
                    if s.setBits(from: first, below: end, into: bits) { any = true }
                    continue
                }
                while d < end {
                    let i = Int(d - first)
                    let x = s.score()
                    sum[i] += x
                    if x > best[i] { best[i] = x }
                    bits[i >> 6] |= 1 << UInt64(i & 63)
                    any = true
                    d = s.nextDoc()
                }
            }
            if any { return next(after: -1) }
            lo = end
        }
    }

    func score() -> Float {
        var t: Float = 0, m: Float = 0
        if windowed, let sum, let best { t = sum[index]; m = best[index] }
        else {
            let current = doc
            for i in subs.indices where subs[i].doc == current { let x = subs[i].score(); t += x; if x > m { m = x } }
        }
        guard let tie = tieBreaker else { return t }
        return m + tie * (t - m)
    }
    func explain() -> Explanation {
        let parts = subs.filter { $0.doc == doc }.map { $0.explain() }
        if let tie = tieBreaker {
            return Explanation(value: score(), description: "max of (plus \(tie) × the others)", details: parts)
        }
        return Explanation(value: parts.reduce(0) { $0 + $1.value }, description: "sum of", details: parts)
    }
}

/// Documents matched by every sub-scorer; scores add up.
final class ConjunctionScorer: ScorerBase, Scorer {
    let subs: [any Scorer]
    /// `subs` as MaxScore reads clauses: specialized when every clause is a plain term (the common `+a +b`).
    private enum Clauses { case terms(DirectClauses<TermScorer>), any(AnyClauses) }
    private let clauses: Clauses
    init(_ subs: [any Scorer]) {
        self.subs = subs.sorted { $0.cost < $1.cost }
        if let ts = self.subs as? [TermScorer] { clauses = .terms(DirectClauses(s: ts)) } else { clauses = .any(AnyClauses(s: self.subs)) }
        super.init()
    }
    var cost: Int { subs.first?.cost ?? 0 }
    var maxScore: Float { subs.reduce(0) { $0 + $1.maxScore } }
    func nextDoc() -> Int32 {
        switch clauses {
        case let .terms(c): return align(c, c.nextDoc(0))
        case let .any(c): return align(c, c.nextDoc(0))
        }
    }
    func advance(_ target: Int32) -> Int32 {
        switch clauses {
        case let .terms(c): return align(c, c.advance(0, target))
        case let .any(c): return align(c, c.advance(0, target))
        }
    }
    private func align<C: ClauseList>(_ c: C, _ first: Int32) -> Int32 {
        var d = first
        outer: while d != noMoreDocs {
            for i in 1..<c.count {
                let x = c.doc(i) < d ? c.advance(i, d) : c.doc(i)
                if x != d { d = c.advance(0, x); continue outer }
            }
            break
        }
        doc = d; return d
    }
    func score() -> Float {
        switch clauses {
        case let .terms(c): return sum(c)
        case let .any(c): return sum(c)
        }
    }
    private func sum<C: ClauseList>(_ c: C) -> Float {
        var total: Float = 0
        for i in 0..<c.count { total += c.score(i) }
        return total
    }
    func explain() -> Explanation {
        let parts = subs.map { $0.explain() }
        return Explanation(value: score(), description: "sum of required", details: parts)
    }
}

/// A required scorer, plus an optional one that adds its score where it also matches, minus excluded docs.
final class BooleanScorer: ScorerBase, Scorer {
    let required: any Scorer
    let optional: (any Scorer)?
    let excluded: (any Scorer)?
    init(required: any Scorer, optional: (any Scorer)?, excluded: (any Scorer)?) {
        self.required = required; self.optional = optional; self.excluded = excluded; super.init()
    }
    var cost: Int { required.cost }
    var maxScore: Float { required.maxScore + (optional?.maxScore ?? 0) }
    func nextDoc() -> Int32 { skipExcluded(required.nextDoc()) }
    func advance(_ target: Int32) -> Int32 { skipExcluded(required.advance(target)) }
    private func skipExcluded(_ first: Int32) -> Int32 {
        var d = first
        if let excluded {
            while d != noMoreDocs {
                let x = excluded.doc < d ? excluded.advance(d) : excluded.doc
                if x != d { break }
                d = required.nextDoc()
            }
        }
        doc = d; return d
    }
    func score() -> Float {
        var s = required.score()
        if let optional {
            if optional.doc < doc { _ = optional.advance(doc) }
            if optional.doc == doc { s += optional.score() }
        }
        return s
    }
    func explain() -> Explanation {
        var parts = [required.explain()]
        if let optional {
            if optional.doc < doc { _ = optional.advance(doc) }
            if optional.doc == doc { parts.append(optional.explain()) }
        }
        return Explanation(value: score(), description: "sum of", details: parts)
    }
}

/// Every document of the segment, score 0: the positive side of a query of only excluded clauses
/// (`NOT b` alone, or `a AND (NOT b)`).
final class AllDocsScorer: ScorerBase, Scorer {
    let docCount: Int32
    init(docCount: Int) { self.docCount = Int32(clamping: docCount); super.init() }
    var cost: Int { Int(docCount) }
    var maxScore: Float { 0 }
    func nextDoc() -> Int32 { advance(doc + 1) }
    func advance(_ target: Int32) -> Int32 { doc = target < docCount ? max(target, 0) : noMoreDocs; return doc }
    func score() -> Float { 0 }
    func explain() -> Explanation { Explanation(value: 0, description: "every document (a query of only excluded clauses)") }
}

/// The terms of one fuzzy, prefix or wildcard expansion in one field, their scores summed: a disjunction of
/// many terms, most of them rare, scored a window of 4,096 documents at a time (Lucene's `BooleanScorer`).
/// Inside a window each term adds its postings' scores into a buffer, term after term, so a document costs
/// its own postings rather than a look at every term. Scores add up in the terms' order, as a
/// ``DisjunctionScorer`` adds them: the same floats either way. The terms are concrete ``TermScorer``s, so
/// the loops make direct calls.
final class ExpansionScorer: ScorerBase, Scorer {
    static let window = 4096
    private static let words = window / 64
    let subs: [TermScorer]
    let bound: Float
    // The window [start, start + window): per-document sums and a bitset of the documents that matched.
    private var start: Int32 = 0
    private var index = -1
    private let sum: UnsafeMutablePointer<Float>
    private let bits: UnsafeMutablePointer<UInt64>

    init(_ subs: [TermScorer]) {
        self.subs = subs
        bound = subs.reduce(0) { $0 + $1.maxScore }
        sum = .allocate(capacity: Self.window); sum.initialize(repeating: 0, count: Self.window)
        bits = .allocate(capacity: Self.words); bits.initialize(repeating: 0, count: Self.words)
        super.init()
    }
    deinit { sum.deallocate(); bits.deallocate() }

    var cost: Int { subs.reduce(0) { $0 + $1.cost } }
    var maxScore: Float { bound }
    func nextDoc() -> Int32 {
        if doc == -1 { return fill(from: 0) }
        return doc == noMoreDocs ? doc : next(after: index)
    }
    func advance(_ target: Int32) -> Int32 {
        if doc == noMoreDocs { return doc }
        if doc == -1 || target >= start &+ Int32(Self.window) { return fill(from: target) }
        return target <= doc ? doc : next(after: Int(target - start) - 1)
    }
    func score() -> Float { sum[index] }
    func explain() -> Explanation {
        // (Explaining builds a doc-at-a-time DisjunctionScorer instead: here the terms have run ahead.)
        Explanation(value: score(), description: "sum of \(subs.count) expanded terms")
    }

    /// The first matching doc after bucket `i` of the current window, or the next window's first.
    private func next(after i: Int) -> Int32 {
        if let b = nextSetBit(bits, words: Self.words, after: i) { index = b; doc = start + Int32(b); return doc }
        return fill(from: start &+ Int32(Self.window))
    }

    /// Scores the next window holding a match, starting at `from`.
    private func fill(from: Int32) -> Int32 {
        for w in 0..<Self.words where bits[w] != 0 {
            var word = bits[w]
            while word != 0 { sum[w << 6 | word.trailingZeroBitCount] = 0; word &= word - 1 }
            bits[w] = 0
        }
        let n = subs.count
        return subs.withUnsafeBufferPointer { subs in
            // The window starts at the first doc any term has at or after `from`, so it holds a match.
            var first = noMoreDocs
            for k in 0..<n {
                let s = subs[k]
                if s.doc < from { _ = s.advance(from) }
                if s.doc < first { first = s.doc }
            }
            if first == noMoreDocs { doc = noMoreDocs; index = -1; return doc }
            start = first
            let end = first >= noMoreDocs - Int32(Self.window) ? noMoreDocs : first + Int32(Self.window)
            for k in 0..<n {
                let s = subs[k]
                var d = s.doc
                while d < end {
                    let i = Int(d - first)
                    sum[i] += s.score()
                    bits[i >> 6] |= 1 << UInt64(i & 63)
                    d = s.nextDoc()
                }
            }
            return next(after: -1)
        }
    }
}

/// One word over several fields scored as if the fields were one (BM25F, as Lucene's
/// `CombinedFieldQuery`): the word's frequency is the field-weighted sum of its frequencies,
/// `tf = Σ w_f · tf_f`, and the document's length is the weighted sum of its field lengths,
/// `dl = Σ w_f · len_f` (each decoded from its norm byte), scored with one BM25 saturation against the
/// weighted average length: `weight · tf · (k1 + 1) / (tf + k1 · (1 - b + b · dl / avgdl))`. A word in the
/// title then adds to its frequency in the body instead of competing with it, so a document does not gain
/// from spreading the word over fields the way a sum of per-field scores lets it.
final class CombinedTermScorer: ScorerBase, Scorer {
    /// Per field that has the term in this segment: its cursor and weight.
    let cursors: [PostingsCursor]
    let fieldWeights: [Float]
    /// Every combined field's norms and weight (a document's length counts all of them).
    let norms: [UnsafeRawBufferPointer]
    let normWeights: [Float]
    let weight: Float
    let k1: Float, b: Float, avgdl: Float
    /// The word's term in each field, and the field names, for `explain` (the label is built only there).
    let terms: [TermWeight]
    let fieldNames: [String]
    let idf: Float, boost: Float
    private var bound: Float = 0
    /// `cursors`, for the hot paths, which touch every cursor per document.
    private let hot: Unretained<PostingsCursor>
    /// ``NormCodec/table``, held here: reading the global on every document paid its lazy-initialization check.
    private let lengthOf: [Float]

    init(cursors: [PostingsCursor], fieldWeights: [Float], norms: [UnsafeRawBufferPointer], normWeights: [Float],
         idf: Float, boost: Float, bm25: BM25, avgdl: Float, terms: [TermWeight], fieldNames: [String]) {
        self.cursors = cursors; self.fieldWeights = fieldWeights; self.norms = norms; self.normWeights = normWeights
        hot = Unretained(cursors); lengthOf = NormCodec.table
        self.idf = idf; self.boost = boost; weight = idf * boost
        k1 = bm25.k1; b = bm25.b; self.avgdl = max(avgdl, 1e-9); self.terms = terms; self.fieldNames = fieldNames
        super.init()
        // The largest weighted frequency any document can have, with the shortest length (0): a bound.
        var tf: Float = 0
        for (c, w) in zip(cursors, fieldWeights) { tf += w * Float(c.skip.entries.lazy.map(\.maxFreq).max() ?? 0) }
        bound = tf > 0 ? weight * tf * (k1 + 1) / (tf + k1 * (1 - b)) : 0
    }
    var cost: Int { cursors.reduce(0) { $0 + $1.docFreq } }
    var maxScore: Float { bound }
    var hasBlockBounds: Bool { true }
    /// A bound over the fields' blocks holding `target`, from their skip entries (no block inflated): the
    /// weighted frequency is at most the sum of the blocks' weighted max frequencies, and a matching
    /// document is at least as long as the shortest weighted block minimum among them (it has the word in
    /// one of those fields). The window ends where the first of those blocks ends.
    func windowBound(_ target: Int32) -> (bound: Float, end: Int32) {
        var tf: Float = 0, minLength = Float.infinity, end = noMoreDocs
        for i in hot.indices {
            hot.with(i) { c in
                guard let b = c.shallowBlock(for: target) else { return }
                let w = fieldWeights[i]
                let e = c.skip.entries[b]
                tf += w * Float(e.maxFreq)
                minLength = min(minLength, w * lengthOf[Int(e.minNorm)])
                end = min(end, c.skip.blockLast[b])
            }
        }
        guard tf > 0 else { return (0, noMoreDocs) }
        return (weight * tf * (k1 + 1) / (tf + k1 * (1 - b + b * minLength / avgdl)), end)
    }
    func nextDoc() -> Int32 {
        var m = noMoreDocs
        if doc == -1 {
            for i in hot.indices { m = min(m, hot.with(i) { $0.nextDoc() }) }
            doc = m; return m
        }
        let current = doc
        for i in hot.indices {
            m = min(m, hot.with(i) { c in c.doc == current ? c.nextDoc() : c.doc })
        }
        doc = m; return m
    }
    func advance(_ target: Int32) -> Int32 {
        var m = noMoreDocs
        for i in hot.indices {
            m = min(m, hot.with(i) { c in c.doc < target ? c.advance(target) : c.doc })
        }
        doc = m; return m
    }
    /// The weighted frequency and length of the current document.
    private func tfAndLength() -> (tf: Float, dl: Float) {
        var tf: Float = 0, dl: Float = 0
        let d = doc
        for i in hot.indices {
            hot.with(i) { c in if c.doc == d { tf += fieldWeights[i] * Float(c.freq) } }
        }
        for i in norms.indices { dl += normWeights[i] * lengthOf[Int(norms[i][Int(d)])] }
        return (tf, dl)
    }
    func score() -> Float {
        let (tf, dl) = tfAndLength()
        return weight * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
    }
    func explain() -> Explanation {
        let (tf, dl) = tfAndLength()
        let word = String(decoding: (terms.first?.key ?? []).dropFirst(), as: UTF8.self)
        let label = "(\(terms.map { fieldNames[$0.field] }.joined(separator: " "))):\(word)"
        return Explanation(value: score(), description: "\(label): idf × boost × tf-norm, fields combined (BM25F)", details: [
            Explanation(value: idf, description: "idf = ln(1 + (N - df + 0.5) / (df + 0.5)), df = the most documents any of the fields has it in"),
            Explanation(value: boost, description: "boost"),
            Explanation(value: tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)),
                        description: "tf·(k1+1) / (tf + k1·(1 - b + b·dl/avgdl)), tf = Σ field weight × freq = \(tf), dl = Σ field weight × length = \(dl), avgdl = \(avgdl)"),
        ])
    }
}
