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
            if i % 10 == 9 { try w.commit() }
            XCTAssertLessThan(w.lastCommit.segments.count, 4)
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
