import Foundation
import XCTest
@testable import SearchIndex

/// Segment merging: automatic (mergeFactor) and forced; results must equal a single-segment build.
final class MergeTests: XCTestCase {
    func corpus(_ n: Int) -> [Document] {
        let words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu"]
        var rng: UInt64 = 12345
        func next() -> Int { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return Int(rng >> 33) }
        return (0..<n).map { i in
            let body = (0..<(5 + next() % 30)).map { _ in words[next() % words.count] }.joined(separator: " ")
            return makeDoc("doc\(i)", title: words[i % words.count] + " \(i)", body: body, extra: [("n", "\(i)")])
        }
    }

    func results(_ s: Searcher, _ q: String) throws -> [(String, Float)] {
        var o = SearchOptions(limit: 50); o.countAllHits = true
        return try s.search(q, options: o).hits.map { ($0.document?.id ?? "", $0.score) }
    }

    func testForceMergeEqualsSingleSegmentAndDropsDeletes() throws {
        let docs = corpus(400)
        let single = temporaryDirectory(self), merged = temporaryDirectory(self)
        // Reference: only the live documents, one segment.
        let deletedIDs = Set((0..<400).filter { $0 % 7 == 0 }.map { "doc\($0)" })
        try buildIndex(single, docs.filter { !deletedIDs.contains($0.id) })
        var config = IndexWriterConfig(); config.mergeFactor = 0
        let w = try IndexWriter(path: merged, config: config)
        for (i, d) in docs.enumerated() {
            try w.addDocument(d)
            if i % 45 == 44 { try w.commit() }
        }
        try w.commit()
        for id in deletedIDs { try w.deleteDocument(id: id) }
        try w.commit()
        XCTAssertGreaterThan(w.lastCommit.segments.count, 5)
        try w.forceMerge()
        XCTAssertEqual(w.lastCommit.segments.count, 1)
        XCTAssertEqual(w.lastCommit.segments[0].delCount, 0)
        w.close()
        let a = try Searcher(path: single), b = try Searcher(path: merged)
        XCTAssertEqual(a.documentCount, b.documentCount)
        XCTAssertEqual(b.documentCount, 400 - deletedIDs.count)
        for q in ["alpha", "beta gamma", "\"delta epsilon\"", "+zeta -eta", "title:kappa", "lamb*", "mu AND theta"] {
            let x = try results(a, q), y = try results(b, q)
            XCTAssertEqual(x.map { $0.0 }, y.map { $0.0 }, q)
            for (p, r) in zip(x, y) { XCTAssertEqual(p.1, r.1, accuracy: 1e-5, q) }
        }
        // Stored fields survive the merge with their documents.
        let hit = try XCTUnwrap(b.search("title:kappa", options: SearchOptions(limit: 1)).hits.first?.document)
        XCTAssertEqual("doc" + (hit["n"] ?? ""), hit.id)
        XCTAssertEqual(hit["title"]?.hasPrefix("kappa "), true)
        let report = try checkIndex(path: merged)
        XCTAssertEqual(report.documents, 400 - deletedIDs.count)
    }

    func testAutomaticMergeKeepsSegmentCountBounded() throws {
        let dir = temporaryDirectory(self)
        var config = IndexWriterConfig(); config.mergeFactor = 4
        let w = try IndexWriter(path: dir, config: config)
        for (i, d) in corpus(120).enumerated() {
            try w.addDocument(d)
            if i % 10 == 9 { try w.commit(waitForMerges: true) }
            // (Tiny segments all count as the policy's floor size: 3 per tier, tiers of 4, so at most 3 + 1
            // + 1 for 12 flushes; without merging there would be 12.)
            XCTAssertLessThanOrEqual(w.lastCommit.segments.count, 5)
        }
        w.close()
        let s = try Searcher(path: dir)
        XCTAssertEqual(s.documentCount, 120)
        XCTAssertNoThrow(try checkIndex(path: dir))
        // Files of merged-away segments are gone.
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("_") }
        XCTAssertEqual(Set(files), Set(s.manifest.segments.flatMap { $0.files }))
    }
}

/// Rebuilding (`create: true`) over an index whose latest commit is damaged must produce a commit that
/// readers open, without clobbering older files.
final class RecreateTests: XCTestCase {
    func testCreateOverDamagedCommitWins() throws {
        let dir = temporaryDirectory(self)
        let first = try IndexWriter(path: dir)
        try first.addDocument(makeDoc("old", title: "old title", body: "old body"))
        try first.commit()
        try first.addDocument(makeDoc("older", title: "older title", body: "older body"))
        try first.commit()   // generation 2; generation 1 is deleted
        first.close()
        // Damage the latest manifest.
        let names = try FileManager.default.contentsOfDirectory(atPath: dir)
        let manifest = try XCTUnwrap(names.first { $0.hasPrefix("segments_") })
        XCTAssertEqual(manifest, "segments_2")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + manifest))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: dir + "/" + manifest))
        XCTAssertThrowsError(try Searcher(path: dir))
        let w = try IndexWriter(path: dir, create: true)
        try w.addDocument(makeDoc("new", title: "new title", body: "new body"))
        try w.commit()
        w.close()
        let s = try Searcher(path: dir)
        XCTAssertEqual(s.documentCount, 1)
        XCTAssertEqual(try s.search("new").hits.first?.document?.id, "new")
        XCTAssertNoThrow(try checkIndex(path: dir))
    }
}

/// The tiered merge policy's plans, and merges on the background thread.
final class TieredMergeTests: XCTestCase {
    typealias C = TieredMergePolicy.Candidate

    /// On random segment lists: every merge is 1 to maxMergeAtOnce segments, none twice, none planned over
    /// the size cap (a lone rewrite aside), a lone rewrite only to drop deletions, and no segment with more
    /// deletions than allowed is left out of the plan unless it is too large and lightly deleted.
    func testPlansRespectTheLimits() {
        var rng = SeededRNG(seed: 21)
        let mb = 1 << 20
        for trial in 0..<400 {
            let p = TieredMergePolicy(segmentsPerTier: 2 + trial % 9, maxMergeAtOnce: 2 + trial % 7,
                                      maxMergedSegmentMB: Double(50 + trial % 200), floorSegmentMB: 2, deletesPctAllowed: 20)
            let n = Int(rng.next() % 40)
            let cs: [C] = (0..<n).map { i in
                let docs = Int(rng.next() % 10_000) + 1
                let del = rng.next() % 4 == 0 ? Int(rng.next() % UInt64(docs)) : 0
                return C(index: i, bytes: Int(rng.next() % UInt64(120 * mb)) + 1000, docCount: docs, delCount: del)
            }
            let plan = p.findMerges(cs)
            var seen = Set<Int>()
            for m in plan {
                XCTAssertFalse(m.isEmpty)
                XCTAssertLessThanOrEqual(m.count, p.maxMergeAtOnce)
                for i in m { XCTAssertTrue(seen.insert(i).inserted, "segment \(i) in two merges") }
                if m.count == 1 { XCTAssertGreaterThan(cs[m[0]].deletedPct, p.deletesPctAllowed, "a lone rewrite must drop deletions") }
                else { XCTAssertLessThanOrEqual(m.reduce(0.0) { $0 + cs[$1].liveBytes }, p.maxMergedSegmentMB * Double(mb) + 1) }
            }
            for c in cs where c.deletedPct > p.deletesPctAllowed {
                XCTAssertTrue(seen.contains(c.index), "heavily deleted segment \(c.index) not merged (trial \(trial))")
            }
        }
    }

    /// Flushing equal small segments one at a time and running each plan: the segment count stays bounded
    /// by the tiers, and each document is rewritten about log(segments) times, not once per flush.
    func testSteadyFlushesStayLogarithmic() {
        let p = TieredMergePolicy(segmentsPerTier: 10, maxMergeAtOnce: 10, maxMergedSegmentMB: 1_000_000, floorSegmentMB: 0.001)
        var segs: [(bytes: Int, docs: Int)] = []
        var written = 0, flushed = 0
        for _ in 0..<3000 {
            segs.append((1000, 10)); flushed += 1000
            let plan = p.findMerges(segs.enumerated().map { C(index: $0.offset, bytes: $0.element.bytes, docCount: $0.element.docs, delCount: 0) })
            var merged: [(Int, Int)] = []
            for m in plan {
                let b = m.reduce(0) { $0 + segs[$1].bytes }, d = m.reduce(0) { $0 + segs[$1].docs }
                merged.append((b, d)); written += b
            }
            let gone = Set(plan.flatMap { $0 })
            segs = segs.enumerated().filter { !gone.contains($0.offset) }.map(\.element) + merged
            XCTAssertLessThanOrEqual(segs.count, 40)
        }
        XCTAssertLessThan(Double(written) / Double(flushed), 5)   // about log10(3000) levels
        XCTAssertGreaterThan(written, 0)
    }

    /// Background merges while documents are replaced and deleted: after every commit the index holds exactly
    /// the live documents of a model, each once, searchable; deletions made while a merge ran are carried to
    /// the merged segment; close() during merges loses nothing committed.
    func testBackgroundMergesCarryDeletes() throws {
        let dir = temporaryDirectory(self)
        var config = IndexWriterConfig(ramBufferMB: 1)
        config.mergePolicy = TieredMergePolicy(segmentsPerTier: 2, maxMergeAtOnce: 3, floorSegmentMB: 0.01)
        var rng = SeededRNG(seed: 5)
        var model: [String: String] = [:]
        var serial = 0, installed = 0, carried = 0
        var w = try IndexWriter(path: dir, config: config)
        for round in 0..<30 {
            for _ in 0..<40 {
                let id = "d\(rng.next() % 300)"
                if rng.next() % 5 == 0 { try w.deleteDocument(id: id); model[id] = nil; continue }
                serial += 1
                let word = "v\(serial)"
                var d = Document(id: id)
                d.addText("body", "common \(word) " + String(repeating: "filler ", count: Int(rng.next() % 50)))
                try w.addDocument(d)
                model[id] = word
            }
            if round % 3 == 2 { try w.flush() }
            try w.commit(waitForMerges: round % 7 == 6)
            if round == 20 {
                installed += w.mergesInstalled; carried += w.carriedDeletes
                w.close(); w = try IndexWriter(path: dir, config: config)   // merges interrupted
            }
            let s = try Searcher(path: dir)
            XCTAssertEqual(s.documentCount, model.count, "round \(round)")
            var o = SearchOptions(limit: 1000)
            o.countAllHits = true
            XCTAssertEqual(Set(try s.search("common", options: o).hits.map { $0.document?.id ?? "" }), Set(model.keys), "round \(round)")
            for (id, word) in model.prefix(20) { XCTAssertEqual(try s.search(word).hits.map { $0.document?.id }, [id], "\(id) round \(round)") }
        }
        try w.commit(waitForMerges: true)
        installed += w.mergesInstalled; carried += w.carriedDeletes
        w.close()
        XCTAssertGreaterThan(installed, 5)
        XCTAssertGreaterThan(carried, 0, "no deletion was made while a merge ran: the test does not test that")
        XCTAssertNoThrow(try checkIndex(path: dir))
        XCTAssertLessThan(try Searcher(path: dir).segments.count, 8)
    }
}

/// `IndexWriterConfig.threads`: indexing threads (each with its own buffer, flushing its own segments) change
/// neither the documents nor their scores; with one thread count, not even the order of equal scores.
final class BackgroundFlushTests: XCTestCase {
    /// Adds, replacements of earlier ids (some buffered on another thread, some flushed) and deletions.
    private func operations() -> [(Document?, String)] {
        var rng = SeededRNG(seed: 17)
        let base = generatedDocs(2500, seed: 4)
        var ops: [(Document?, String)] = []
        for (i, d) in base.enumerated() {
            ops.append((d, d.id))
            if i > 10 && rng.next() % 7 == 0 {
                let id = "doc-\(rng.next() % UInt64(i))"
                if rng.next() % 2 == 0 { ops.append((nil, id)) }
                else { var r = Document(id: id); r.addText("body", "replaced crude oil version \(i)"); ops.append((r, id)) }
            }
        }
        return ops
    }

    private func build(threads: Int, _ ops: [(Document?, String)]) throws -> Searcher {
        let dir = temporaryDirectory(self)
        var config = IndexWriterConfig(ramBufferMB: 1)
        config.threads = threads
        config.mergePolicy = nil
        let w = try IndexWriter(path: dir, config: config)
        for (i, (doc, id)) in ops.enumerated() {
            if let doc { try w.addDocument(doc) } else { try w.deleteDocument(id: id) }
            if i == ops.count / 2 { try w.commit() }
        }
        try w.commit()
        w.close()
        XCTAssertNoThrow(try checkIndex(path: dir))
        return try Searcher(path: dir)
    }

    func testThreadCountsIndexAlike() throws {
        let ops = operations()
        let one = try build(threads: 1, ops)
        let queries = ["crude oil", "replaced", "cocoa prices", "\"new york\"", "bank rates gold", "the"]
        var firstOrder: [String: [String]] = [:]
        for threads in [2, 3, 2] {
            let many = try build(threads: threads, ops)
            XCTAssertGreaterThan(many.segments.count, threads, "the test must flush several buffers per thread")
            XCTAssertEqual(one.documentCount, many.documentCount)
            for q in queries {
                var o = SearchOptions(limit: 3000)
                o.countAllHits = true
                let a = try one.search(q, options: o), b = try many.search(q, options: o)
                XCTAssertEqual(a.totalHits, b.totalHits, q)
                let sa = Dictionary(a.hits.map { ($0.document?.id ?? "", $0.score) }, uniquingKeysWith: { x, _ in x })
                let sb = Dictionary(b.hits.map { ($0.document?.id ?? "", $0.score) }, uniquingKeysWith: { x, _ in x })
                XCTAssertEqual(sb.count, b.hits.count, "an id found twice: \(q)")
                XCTAssertEqual(Set(sa.keys), Set(sb.keys), q)
                for (id, s) in sa { XCTAssertEqual(s, sb[id] ?? -1, accuracy: 1e-5, "\(q) \(id)") }
                // The same thread count gives the same order, equal scores included.
                let order = b.hits.map { $0.document?.id ?? "" }
                if threads == 2 {
                    if let first = firstOrder[q] { XCTAssertEqual(first, order, "2 threads, twice: \(q)") } else { firstOrder[q] = order }
                }
            }
        }
    }

    /// A thread count below 1 is an error (it used to mean "everything on the caller's thread", as 1 did).
    func testThreadCountBelowOneIsAnError() throws {
        for threads in [0, -2] {
            var config = IndexWriterConfig()
            config.threads = threads
            XCTAssertThrowsError(try IndexWriter(path: temporaryDirectory(self), config: config)) { error in
                guard case let SearchIndexError.invalidArgument(message) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(message.contains("threads"), message)
            }
        }
    }

    /// Until a little is buffered the writer's own thread inverts: a small commit is one segment, in order.
    func testSmallCommitStaysOneSegmentInOrder() throws {
        let dir = temporaryDirectory(self)
        var config = IndexWriterConfig()
        config.threads = 4
        let w = try IndexWriter(path: dir, config: config)
        let docs = generatedDocs(200, seed: 9)
        for d in docs { try w.addDocument(d) }
        try w.commit()
        w.close()
        let s = try Searcher(path: dir)
        XCTAssertEqual(s.segments.count, 1)
        XCTAssertEqual(try (0..<s.documentCount).map { try s.document($0).id }, docs.map(\.id))
    }

    /// With indexing threads, a document that cannot be added is refused by `addDocument` itself, and
    /// leaves no trace.
    func testRejectedDocumentWithThreads() throws {
        let dir = temporaryDirectory(self)
        var config = IndexWriterConfig(ramBufferMB: 1)
        config.threads = 2
        let w = try IndexWriter(path: dir, config: config, schema: Schema([FieldSpec("weight_x", .double)]))
        let docs = generatedDocs(1500, seed: 5)
        for (i, d) in docs.enumerated() {
            try w.addDocument(d)
            if i % 100 == 0 {
                var bad = Document(id: "bad-\(i)"); bad.addText("body", "crude"); bad.addDouble("weight_x", .nan)
                XCTAssertThrowsError(try w.addDocument(bad))
            }
        }
        try w.commit()
        w.close()
        let s = try Searcher(path: dir)
        XCTAssertEqual(s.documentCount, docs.count)
        XCTAssertGreaterThan(s.segments.count, 1)
    }
}
