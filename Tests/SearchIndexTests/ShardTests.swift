import Foundation
import XCTest
@testable import SearchIndex

/// Several indexes searched as one (``Searcher/init(paths:analyzer:verifyChecksums:)``): the same hits and
/// scores as one index over the union.
final class ShardTests: XCTestCase {
    func docs() -> [Document] {
        var rng = SeededRNG(seed: 8)
        let tags = ["a", "b", "c", "d"]
        return generatedDocs(1600, seed: 12).map { d in
            var d = d
            d.addKeyword("tag", tags[Int(rng.next() % 4)])
            d.add("num", .int(Int64(rng.next() % 1000)))
            return d
        }
    }

    var schema: Schema { Schema([FieldSpec("title", .text, weight: 2), FieldSpec("body", .text), FieldSpec("tag", .keyword), FieldSpec("num", .int)]) }

    func testShardsSearchedTogetherEqualOneIndex() throws {
        let all = docs()
        let one = temporaryDirectory(self)
        let w = try IndexWriter(path: one, config: IndexWriterConfig(), schema: schema)
        for d in all { try w.addDocument(d) }
        try w.commit(); w.close()
        // Four shards, documents dealt by a hash of the id, each shard in two segments.
        var shardDocs = [[Document]](repeating: [], count: 4)
        for d in all { shardDocs[d.id.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) & 0xFFFF } % 4].append(d) }
        let shards = (0..<4).map { _ in temporaryDirectory(self) }
        for (dir, ds) in zip(shards, shardDocs) {
            let sw = try IndexWriter(path: dir, schema: schema)
            for (i, d) in ds.enumerated() {
                try sw.addDocument(d)
                if i == ds.count / 2 { try sw.flush() }
            }
            try sw.commit(); sw.close()
        }
        let single = try Searcher(path: one), multi = try Searcher(paths: shards)
        XCTAssertEqual(multi.documentCount, all.count)
        XCTAssertEqual(multi.manifests.count, 4)
        var rng = SeededRNG(seed: 3)
        let words = ["cocoa", "prices", "rise", "arrest", "police", "tangier", "grain", "wheat", "oil", "crude", "new", "york", "gold", "the", "running"]
        var queries: [String] = ["\"new york\"", "\"crude oil\" prices", "+oil -crude", "pri*", "polise~1", "tag:a gold", "num:[100 TO 300] wheat"]
        for _ in 0..<40 { queries.append((0..<Int(rng.next() % 3 + 1)).map { _ in words[Int(rng.next() % UInt64(words.count))] }.joined(separator: " ")) }
        var compared = 0
        for q in queries {
            for variant in 0..<3 {
                var o = SearchOptions(limit: 10)
                if variant == 1 { try o.filter("tag:b") }
                if variant == 2 { o.sort = [.descending("num")]; o.facets = [.terms("tag", limit: 4)] }
                let a = try single.search(q, options: o), b = try multi.search(q, options: o)
                // (MaxScore's count is a lower bound that depends on the segments; exact counts must agree.)
                if a.totalHitsIsExact && b.totalHitsIsExact { XCTAssertEqual(a.totalHits, b.totalHits, q) }
                XCTAssertEqual(a.hits.count, b.hits.count, q)
                XCTAssertEqual(a.facets.map(\.buckets.description), b.facets.map(\.buckets.description), q)
                if variant == 2 {
                    // Sorted by a field (ties by doc id, which differ): the same keys, and each hit scored as
                    // the one index scores that document.
                    XCTAssertEqual(a.hits.map { $0.sortValues }, b.hits.map { $0.sortValues }, q)
                    var all = SearchOptions(limit: 5000)
                    all.filter = o.filter
                    let scores = Dictionary(try single.search(q, options: all).hits.map { ($0.document?.id ?? "", $0.score) }, uniquingKeysWith: { x, _ in x })
                    for y in b.hits { XCTAssertEqual(y.score, scores[y.document?.id ?? ""] ?? -1, accuracy: 1e-5, q) }
                    continue
                }
                // The 11th hit too, to see ties at the 10th.
                var eleven = o
                eleven.limit = 11
                let a11 = try single.search(q, options: eleven).hits
                for (i, (x, y)) in zip(a.hits, b.hits).enumerated() {
                    XCTAssertEqual(x.score, y.score, accuracy: 1e-5, "\(q) rank \(i)")
                    // Ids must agree except among equal scores (ties go by doc id, which differ).
                    let tied = a11.enumerated().contains { $0.offset != i && abs($0.element.score - x.score) < 1e-4 }
                    if !tied { XCTAssertEqual(x.document?.id, y.document?.id, "\(q) rank \(i)"); compared += 1 }
                }
            }
        }
        XCTAssertGreaterThan(compared, 300)
        // Explain and stored documents read through the right shard.
        let top = try XCTUnwrap(try multi.search("tangier police").hits.first)
        XCTAssertEqual(try multi.explain(try Query.parse("tangier police"), docID: top.docID)?.value ?? -1, top.score, accuracy: 1e-5)
        XCTAssertEqual(try multi.document(id: top.document?.id ?? "")?.id, top.document?.id)
    }

    func testShardsMustAgree() throws {
        let a = temporaryDirectory(self), b = temporaryDirectory(self), c = temporaryDirectory(self)
        try buildIndex(a, [makeDoc("1", title: "x", body: "y")])
        var d = Document(id: "2")
        d.addText("body", "y"); d.addText("title", "x")   // body numbered first
        try buildIndex(b, [d])
        try buildIndex(c, [makeDoc("3", title: "x", body: "y")], analyzer: plainAnalyzer())
        XCTAssertThrowsError(try Searcher(paths: [a, b])) { XCTAssertTrue("\($0)".contains("same order"), "\($0)") }
        XCTAssertThrowsError(try Searcher(paths: [a, c])) { XCTAssertTrue("\($0)".contains("analyzer"), "\($0)") }
        XCTAssertThrowsError(try Searcher(paths: []))
        XCTAssertEqual(try Searcher(paths: [a, a]).documentCount, 2)
    }

    /// Stored-only fields may differ between the indexes: each document's are read with its own index's names.
    func testStoredOnlyFieldsMayDiffer() throws {
        let a = temporaryDirectory(self), b = temporaryDirectory(self)
        let schema = Schema([FieldSpec("title", .text), FieldSpec("body", .text)])
        for (dir, field, value) in [(a, "author", "Alice"), (b, "path", "x/y.txt")] {
            let w = try IndexWriter(path: dir, schema: schema)
            var d = Document(id: dir == a ? "1" : "2")
            d.addStored(field, value)
            d.addText("title", "Otters"); d.addText("body", "otters swim")
            try w.addDocument(d)
            try w.commit(); w.close()
        }
        let s = try Searcher(paths: [a, b])
        let hits = try s.search("otters").hits
        XCTAssertEqual(Set(hits.map { $0.document?.id ?? "" }), ["1", "2"])
        XCTAssertEqual(hits.first { $0.document?.id == "1" }?.document?["author"], "Alice")
        XCTAssertEqual(hits.first { $0.document?.id == "2" }?.document?["path"], "x/y.txt")
        XCTAssertNil(hits.first { $0.document?.id == "2" }?.document?["author"])
    }
}
