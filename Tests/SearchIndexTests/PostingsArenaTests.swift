import XCTest
@testable import SearchIndex

/// `PostingsArena` (the writer's in-memory postings) against a brute-force model on random occurrences:
/// terms of every frequency (one slice to many), doc gaps and positions of 1 to 5 varint bytes.
final class PostingsArenaTests: XCTestCase {
    /// Each round's arena after the first starts in the memory the round before gave back to the pool
    /// (dirty: what it held must not leak into the new postings).
    func testRandomPostingsDecodeExactly() {
        var rng = SeededRNG(seed: 23)
        let pool = ArenaPool(limit: 1)
        for round in 0..<4 {
            XCTAssertEqual(pool.count, round == 0 ? 0 : 1, "the last round's arena was given back")
            var arena = PostingsArena()
            arena.pool = pool
            defer { arena.deallocate() }
            var model: [[(doc: UInt32, positions: [UInt32])]] = []
            var doc: Int32 = 0
            let docCount = 1500 + round * 500
            for _ in 0..<docCount {
                // Big gaps now and then, so doc deltas take several varint bytes.
                doc += rng.next() % 50 == 0 ? Int32(rng.next() % 3_000_000) + 1 : Int32(rng.next() % 3) + 1
                var pos: UInt32 = 0
                for _ in 0..<Int(rng.next() % 40) {
                    // A Zipf-like choice of term: term 0 is in almost every document.
                    let t = Int(rng.next() % UInt64(rng.next() % 4 == 0 ? 2000 : 8))
                    let step = rng.next() % 20 == 0 ? UInt32(rng.next() % 0xFFFF_FFF) : UInt32(rng.next() % 4)
                    guard pos <= UInt32.max - step else { break }
                    pos += step
                    while model.count <= t {
                        arena.add(term: model.count, doc: doc, position: 0)   // new terms come in order
                        model.append([(UInt32(doc), [0])])
                    }
                    arena.add(term: t, doc: doc, position: pos)
                    if model[t].last?.doc == UInt32(doc) { model[t][model[t].count - 1].positions.append(pos) }
                    else { model[t].append((UInt32(doc), [pos])) }
                }
            }
            XCTAssertEqual(pool.count, 0, "the arena started in the pooled memory")
            XCTAssertEqual(pool.count(.records), 0, "and its records in the pooled records")
            var scratch = PostingsScratch()
            defer { scratch.deallocate() }
            var longest = 0
            for t in model.indices {
                let got = arena.postings(of: t, into: &scratch)
                let docs = Array(got.docs), freqs = Array(got.freqs), positions = Array(got.positions)
                XCTAssertEqual(docs, model[t].map(\.doc), "term \(t)")
                XCTAssertEqual(freqs, model[t].map { UInt32($0.positions.count) }, "term \(t)")
                XCTAssertEqual(positions, model[t].flatMap(\.positions), "term \(t)")
                longest = max(longest, positions.count)
            }
            XCTAssertEqual(arena.termCount, model.count)
            XCTAssertGreaterThan(longest, 2500, "a term must span many slices, up to the largest")
        }
    }

    /// An arena told how much it will need starts that large, bytes and records, and does not grow (no
    /// doubling copies) while it stays within it; the next arena reuses both from the pool, and a pooled
    /// block smaller than the reserve is freed rather than grown from.
    func testReservedArenaStartsLargeAndReusesPooledMemory() throws {
        let pool = ArenaPool(limit: 1)
        let reserve = 4 << 20
        for round in 0..<2 {
            var arena = PostingsArena()
            arena.pool = pool; arena.reserve = reserve
            var model: [Int: [UInt32]] = [:]
            for doc in 0..<20_000 {
                for k in 0..<10 {
                    let t = (doc * 7 + k * 131) % 5_000
                    if t >= arena.termCount { for n in arena.termCount...t { arena.add(term: n, doc: Int32(doc), position: 0); model[n, default: []].append(UInt32(doc)) } }
                    if model[t]?.last != UInt32(doc) { model[t, default: []].append(UInt32(doc)) }
                    arena.add(term: t, doc: Int32(doc), position: UInt32(k + 1))
                    if doc == 0 && k == 0 {
                        XCTAssertGreaterThanOrEqual(arena.byteCapacity, reserve, "round \(round)")
                        XCTAssertGreaterThanOrEqual(arena.recordCapacity, reserve / PostingsArena.bytesPerTerm)
                    }
                }
            }
            XCTAssertLessThan(arena.bytesUsed, reserve)
            XCTAssertEqual(arena.byteCapacity, reserve, "no growth within the reserve")
            var scratch = PostingsScratch()
            for t in [0, 1, 77, 4_999] { XCTAssertEqual(Array(arena.postings(of: t, into: &scratch).docs), model[t], "term \(t)") }
            scratch.deallocate()
            arena.deallocate()
            XCTAssertEqual(pool.count(.bytes), 1); XCTAssertEqual(pool.count(.records), 1)
        }
        // A larger reserve than the pooled blocks: they are freed, and the arena starts at its reserve.
        var big = PostingsArena()
        big.pool = pool; big.reserve = 2 * reserve
        big.add(term: 0, doc: 0, position: 0)
        XCTAssertEqual(pool.count(.bytes), 0); XCTAssertEqual(pool.count(.records), 0)
        XCTAssertGreaterThanOrEqual(big.byteCapacity, 2 * reserve)
        big.deallocate()
        pool.drain()
    }

    /// The pool hands out its largest arena first and keeps at most `limit`, freeing the smallest.
    func testArenaPoolKeepsTheLargest() throws {
        let pool = ArenaPool(limit: 2)
        XCTAssertNil(pool.take())
        for capacity in [1 << 16, 1 << 18, 1 << 17] {
            let p = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            p[capacity - 1] = 7
            pool.give(p, capacity: capacity)
        }
        let a = try XCTUnwrap(pool.take()), b = try XCTUnwrap(pool.take())
        XCTAssertEqual([a.1, b.1], [1 << 18, 1 << 17], "largest first; the smallest was freed")
        XCTAssertEqual(a.0[a.1 - 1], 7)
        XCTAssertNil(pool.take())
        pool.give(a.0, capacity: a.1); pool.give(b.0, capacity: b.1)
        pool.drain()
        XCTAssertNil(pool.take())
    }
}
