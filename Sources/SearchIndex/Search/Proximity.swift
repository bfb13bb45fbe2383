/// Term proximity: a bonus for documents where the query's words occur near each other, from the positions
/// the index already stores (BM25TP, Rasolofo and Savoy 2003, "Term proximity scoring for keyword-based
/// retrieval systems").
///
/// For two different query words `a` and `b` in the same field of a document, every pair of their
/// occurrences at most ``window`` positions apart adds `1 / distance²` to `acc(a, b)`. The pair then adds
/// `min(idf(a), idf(b)) · acc · (k1 + 1) / (acc + K)` to the bonus, with BM25's
/// `K = k1 · (1 - b + b · dl / avgdl)` for that field: saturated and length-normalised like a term
/// frequency. The hit's score becomes `bm25 + weight · bonus` (``SearchOptions/proximityWeight``).
///
/// It re-ranks the best ``SearchOptions/proximityDepth`` documents by BM25 (a document further down is not
/// looked at), so its cost is that of reading those documents' positions, not the query's postings.
enum Proximity {
    /// Occurrences further apart than this do not count.
    static let window: UInt32 = 5

    /// A query word in one field, as the bonus needs it.
    struct Term {
        let field: Int
        let key: [UInt8]
        let idf: Float
        /// Its dictionary entry in each segment (nil where the segment lacks it).
        let infos: [TermInfo?]
    }

    /// `acc` for two ascending position lists.
    static func closeness<A: Collection, B: RandomAccessCollection>(_ a: A, _ b: B) -> Float
        where A.Element == UInt32, B.Element == UInt32, B.Index == Int {
        var acc: Float = 0
        var lo = b.startIndex
        for p in a {
            // b[lo...] starts at the first position >= p - window.
            while lo < b.endIndex && b[lo] + window < p { lo += 1 }
            var j = lo
            while j < b.endIndex && b[j] <= p + window {
                if b[j] != p { let d = Float(b[j] > p ? b[j] - p : p - b[j]); acc += 1 / (d * d) }
                j += 1
            }
        }
        return acc
    }
}

extension Searcher {
    /// The proximity bonus of each document in `docs` (local doc ids of segment `si`, ascending), for the
    /// query words `terms`; the documents' order is kept.
    func proximityBonus(_ docs: [Int32], segment si: Int, terms: [Proximity.Term], ctx: QueryContext) throws -> [Float] {
        var bonus = [Float](repeating: 0, count: docs.count)
        guard !docs.isEmpty else { return bonus }
        let seg = segments[si]
        let bm25 = ctx.options.bm25
        for field in Set(terms.map(\.field)).sorted() {
            let inField = terms.filter { $0.field == field }
            guard inField.count >= 2, let norms = seg.norms(field) else { continue }
            let cursors = inField.map { t in t.infos[si].map { seg.cursor($0, ctx.read) } }
            let cache = ctx.normCache(field)
            // (Each points into its own cursor's buffer, read before that cursor moves.)
            var positions = [UnsafeBufferPointer<UInt32>?](repeating: nil, count: inField.count)
            for (n, d) in docs.enumerated() {
                for i in inField.indices {
                    positions[i] = nil
                    guard let c = cursors[i] else { continue }
                    if c.doc < d { _ = c.advance(d) }
                    if c.doc == d { positions[i] = c.positions() }
                }
                let k = cache[Int(norms[Int(d)])]
                for i in inField.indices {
                    guard let pi = positions[i] else { continue }
                    for j in (i + 1)..<inField.count {
                        guard let pj = positions[j] else { continue }
                        let acc = Proximity.closeness(pi, pj)
                        if acc > 0 { bonus[n] += min(inField[i].idf, inField[j].idf) * acc * (bm25.k1 + 1) / (acc + k) }
                    }
                }
            }
        }
        try ctx.read.errors.check()
        return bonus
    }

    /// `top` (score, global doc id) with each document's proximity bonus added and re-sorted (ties by doc id).
    func proximityRerank(_ top: [(Float, Int32)], ctx: QueryContext) throws -> [(Float, Int32)] {
        let terms = ctx.proximityTerms
        let weight = ctx.options.proximityWeight
        guard weight > 0, terms.count >= 2, top.count > 1 else { return top }
        var out = top
        // Per segment, in doc order (cursors only move forward).
        var bySegment: [Int: [(doc: Int32, at: Int)]] = [:]
        for (i, h) in top.enumerated() {
            guard let (si, local) = locate(Int(h.1)) else { continue }
            bySegment[si, default: []].append((Int32(local), i))
        }
        for (si, list) in bySegment {
            let sorted = list.sorted { $0.doc < $1.doc }
            let bonus = try proximityBonus(sorted.map(\.doc), segment: si, terms: terms, ctx: ctx)
            for (x, b) in zip(sorted, bonus) { out[x.at].0 += weight * b }
        }
        out.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        return out
    }
}
