import Foundation
import XCTest
@testable import SearchIndex

/// Block `key`: doc ids after `blockBase(key)` with deltas of 1-255 (a gap of `gap` after the first doc
/// when given), frequencies of 1-255.
private func block(_ key: Int, gap: Int32 = 0) -> ([Int32], [UInt32]) {
    let n = PostingsFormat.blockSize
    var d = blockBase(key), docs: [Int32] = []
    for i in 0..<n { d += Int32(1 + (key * 7 + i * 13) % 255) + (i == 1 ? gap : 0); docs.append(d) }
    return (docs, (0..<n).map { UInt32(1 + (key + $0 * 31) % 255) })
}
private func blockBase(_ key: Int) -> Int32 { Int32(key * 40_000) }

private func insert(_ c: PostingsBlockCache, _ key: Int, gap: Int32 = 0) {
    let (d, f) = block(key, gap: gap)
    d.withUnsafeBufferPointer { dp in f.withUnsafeBufferPointer { fp in
        c.insert(UInt(key), base: blockBase(key), docs: dp.baseAddress!, freqs: fp.baseAddress!)
    } }
}

/// The block cached under `key`, or nil.
private func lookup(_ c: PostingsBlockCache, _ key: Int) -> ([Int32], [UInt32])? {
    let n = PostingsFormat.blockSize
    var d = [Int32](repeating: -1, count: n), f = [UInt32](repeating: 0, count: n)
    let hit = d.withUnsafeMutableBufferPointer { dp in f.withUnsafeMutableBufferPointer { fp in c.lookup(UInt(key), base: blockBase(key), docs: dp.baseAddress!, freqs: fp.baseAddress!) } }
    return hit ? (d, f) : nil
}

/// The searcher's cache of decoded postings blocks (``PostingsBlockCache``) and MaxScore's chunked scoring of
/// its essential clauses: the cache's own contract (copies, CLOCK, admission once full, many threads), and
/// searches with the cache on, off and nearly empty against an exhaustive oracle, on a segment large enough
/// that MaxScore's windows span several 4,096-document chunks.
final class PostingsCacheTests: XCTestCase {
    func testCopiesClockAndAdmission() throws {
        XCTAssertNil(PostingsBlockCache(bytes: PostingsBlockCache.bytesPerBlock - 1))
        let c = try XCTUnwrap(PostingsBlockCache(bytes: 4 * PostingsBlockCache.bytesPerBlock + 10))
        XCTAssertEqual(c.capacityBytes / PostingsBlockCache.bytesPerBlock, 4)
        for k in 1...4 { insert(c, k) }
        for k in 1...4 {
            let got = try XCTUnwrap(lookup(c, k), "block \(k)")
            XCTAssertEqual(got.0, block(k).0); XCTAssertEqual(got.1, block(k).1)
        }
        XCTAssertNil(lookup(c, 5))
        // Never kept: a doc delta or a frequency over 255 (refused before admission counts a miss).
        insert(c, 6, gap: 300)
        XCTAssertNil(lookup(c, 6))
        var (d, f) = block(7); f[5] = 256
        d.withUnsafeBufferPointer { dp in f.withUnsafeBufferPointer { fp in c.insert(7, base: blockBase(7), docs: dp.baseAddress!, freqs: fp.baseAddress!) } }
        XCTAssertNil(lookup(c, 7))
        XCTAssertEqual(c.statistics.blocks, 4)
        // Full, and 1-4 were all read: the next admitted block clears every flag, then evicts block 1.
        // Only every admitOneIn-th miss is admitted.
        for k in 100 ..< 100 + PostingsBlockCache.admitOneIn - 1 { insert(c, k) }
        XCTAssertEqual(c.statistics.evictions, 0)
        XCTAssertNil(lookup(c, 100))
        insert(c, 200)
        XCTAssertEqual(c.statistics.evictions, 1)
        XCTAssertNil(lookup(c, 1))
        XCTAssertEqual(try XCTUnwrap(lookup(c, 200)).0, block(200).0)
        // Now 3 was read again and 2 was not: the next admission takes 2 (second chance for 3).
        _ = lookup(c, 3)
        for k in 300 ..< 300 + PostingsBlockCache.admitOneIn { insert(c, k) }
        XCTAssertEqual(c.statistics.evictions, 2)
        XCTAssertNil(lookup(c, 2))
        XCTAssertNotNil(lookup(c, 3))
        XCTAssertNotNil(lookup(c, 300 + PostingsBlockCache.admitOneIn - 1))
        let s = c.statistics
        XCTAssertEqual(s.blocks, 4)
        XCTAssertEqual(s.capacityBytes, 4 * PostingsBlockCache.bytesPerBlock + 10)
        XCTAssertGreaterThan(s.hits, 0); XCTAssertGreaterThan(s.misses, 0)
    }

    func testPayloadsOfEverySizeShareTheBudget() throws {
        let c = try XCTUnwrap(PostingsBlockCache(bytes: 8 * PostingsBlockCache.bytesPerBlock))
        func bytes(_ key: Int, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: key * 31 + $0 * 7) } }
        func put(_ key: Int, _ n: Int) { bytes(key, n).withUnsafeBytes { c.insertBytes(UInt(key), from: $0.baseAddress!, count: n) } }
        func get(_ key: Int, _ n: Int) -> [UInt8]? {
            var out = [UInt8](repeating: 0, count: n)
            return out.withUnsafeMutableBytes { c.lookupBytes(UInt(key), into: $0.baseAddress!, count: n) } ? out : nil
        }
        for k in 1...4 { put(k, 50 * k) }
        for k in 1...4 { XCTAssertEqual(get(k, 50 * k), bytes(k, 50 * k)) }
        XCTAssertNil(get(1, 49))            // another length is not the payload asked for
        put(9, 8 * PostingsBlockCache.bytesPerBlock / 8)   // over an eighth of the budget: never kept
        XCTAssertNil(get(9, 8 * PostingsBlockCache.bytesPerBlock / 8))
        insert(c, 5)                          // a doc block beside them
        XCTAssertEqual(try XCTUnwrap(lookup(c, 5)).0, block(5).0)
        // 500 + 4 x 64 + 320 bytes used of 2,560: a 250-byte payload fits without evicting.
        put(6, 250)
        XCTAssertEqual(c.statistics.evictions, 0)
        // Then the budget runs out: once full, one miss in eight is admitted, evicting unreferenced entries
        // until it fits. Whatever is still held reads back intact, and the count of entries agrees.
        for k in 10 ..< 10 + 4 * PostingsBlockCache.admitOneIn { put(k, 200) }
        XCTAssertGreaterThan(c.statistics.evictions, 0)
        var held = 0
        for k in 1...4 { if let got = get(k, 50 * k) { XCTAssertEqual(got, bytes(k, 50 * k)); held += 1 } }
        if lookup(c, 5) != nil { held += 1 }
        if let got = get(6, 250) { XCTAssertEqual(got, bytes(6, 250)); held += 1 }
        for k in 10 ..< 10 + 4 * PostingsBlockCache.admitOneIn { if let got = get(k, 200) { XCTAssertEqual(got, bytes(k, 200)); held += 1 } }
        XCTAssertEqual(c.statistics.blocks, held)
        XCTAssertGreaterThan(held, 4)
    }

    func testManyThreadsNeverSeeAnotherBlock() throws {
        let c = try XCTUnwrap(PostingsBlockCache(bytes: 64 * PostingsBlockCache.bytesPerBlock))
        let bad = NSLock()
        nonisolated(unsafe) var wrong = 0
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            var rng = SeededRNG(seed: UInt64(t + 1))
            for _ in 0..<3_000 {
                let k = 1 + Int(rng.next() % 200)
                if let got = lookup(c, k) {
                    if got.0 != block(k).0 || got.1 != block(k).1 { bad.lock(); wrong += 1; bad.unlock() }
                } else {
                    insert(c, k)
                }
            }
        }
        XCTAssertEqual(wrong, 0)
        let s = c.statistics
        XCTAssertEqual(s.hits + s.misses, 12_000)
        XCTAssertEqual(s.blocks, 64)
        XCTAssertGreaterThan(s.evictions, 0)
    }

    /// Short documents over a skewed vocabulary: frequent words in thousands of documents, rare ones in a few
    /// dozen spread over the whole segment (so MaxScore's windows run past one chunk).
    private func corpus(_ n: Int) -> [Document] {
        var rng = SeededRNG(seed: 7)
        let frequent = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
        return (0..<n).map { i in
            var words: [String] = []
            for _ in 0..<(3 + Int(rng.next() % 10)) {
                let r = rng.next() % 100
                if r < 70 { words.append(frequent[Int(rng.next() % UInt64(r < 35 ? 2 : frequent.count))]) }
                else { words.append("rare\(rng.next() % 300)") }
            }
            var d = Document(id: "d\(i)")
            d.addText("body", words.joined(separator: " "))
            if i % 3 == 0 { d.addText("title", words.prefix(2).joined(separator: " ")) }
            return d
        }
    }

    func testSearchesAgreeWithTheExhaustiveOracleWithTheCacheOnOffAndSmall() throws {
        let dir = temporaryDirectory(self)
        var config = IndexWriterConfig(); config.mergeFactor = 0; config.threads = 1
        let w = try IndexWriter(path: dir, config: config)
        for d in corpus(12_000) { try w.addDocument(d) }
        try w.commit()
        try w.deleteDocument(id: "d17"); try w.deleteDocument(id: "d5000")
        try w.commit()
        w.close()
        let searchers = [try Searcher(path: dir), try Searcher(path: dir, postingsCacheMB: 0), try Searcher(path: dir, postingsCacheMB: 1)]
        XCTAssertEqual(searchers[0].manifest.segments.count, 1)
        XCTAssertThrowsError(try Searcher(path: dir, postingsCacheMB: -1))
        let oracle = searchers[1]
        let words = ["alpha", "bravo", "charlie", "delta", "echo", "hotel", "rare3", "rare77", "rare150", "rare299", "missing"]
        var rng = SeededRNG(seed: 11)
        var queries: [Query] = []
        for q in 0..<40 {
            let terms = (0..<(2 + Int(rng.next() % 3))).map { _ in words[Int(rng.next() % UInt64(words.count))] }
            // Half over one field (term scorers), half over both (the combined-field scorers).
            queries.append(.boolean(terms.map { .init(.should, .term(field: q % 2 == 0 ? "body" : nil, text: $0)) }))
        }
        for (i, a) in words.prefix(6).enumerated() {   // phrases: their positions payloads are cached too
            queries.append(.phrase(field: "body", text: "\(a) \(words[(i + 1) % 6])"))
        }
        for pass in 0..<2 {   // the second pass reads the cached blocks
            for query in queries {
                var all = SearchOptions(limit: 12_000); all.countAllHits = true
                let expected = try oracle.search(query, options: all).hits
                for s in searchers {
                    for limit in [1, 10, 50] {
                        let got = try s.search(query, options: SearchOptions(limit: limit)).hits
                        XCTAssertEqual(got.count, min(limit, expected.count), "\(query)")
                        for (i, (g, e)) in zip(got, expected).enumerated() {
                            XCTAssertEqual(g.score, e.score, accuracy: 1e-5 * max(1, e.score), "\(query) rank \(i) (pass \(pass))")
                            if g.docID != e.docID { XCTAssertEqual(g.score, e.score, accuracy: 1e-6, "\(query) rank \(i)") }
                        }
                    }
                }
            }
        }
        // Cache on: the second pass hit it. Off: nothing recorded. 1 MiB: about 980 blocks, still used.
        XCTAssertGreaterThan(searchers[0].postingsCacheStatistics.hits, searchers[0].postingsCacheStatistics.misses)
        XCTAssertEqual(searchers[1].postingsCacheStatistics, PostingsCacheStatistics(hits: 0, misses: 0, evictions: 0, blocks: 0, capacityBytes: 0))
        XCTAssertGreaterThan(searchers[2].postingsCacheStatistics.hits, 0)
    }
}
