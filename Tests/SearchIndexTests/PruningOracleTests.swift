import Foundation
import XCTest
@testable import SearchIndex

/// Top-k collection that skips (MaxScore over block bounds, repeated words merged) against collection that
/// scores every match (`countAllHits`: the exhaustive collector, no pruning), and on a sample against a
/// brute-force scoring of every document through `explain`; on a random index of several segments with
/// deletions, whose common words span many postings blocks.
final class PruningOracleTests: XCTestCase {
    func testTopKMatchesBruteForceOnRandomQueries() throws {
        let dir = temporaryDirectory(self)
        var config = IndexWriterConfig(); config.mergeFactor = 0
        let w = try IndexWriter(path: dir, config: config)
        let docs = generatedDocs(1_200, seed: 41)
        for (i, d) in docs.enumerated() {
            try w.addDocument(d)
            if i % 400 == 399 { try w.commit() }
        }
        var rng = SeededRNG(seed: 42)
        for _ in 0..<50 { try w.deleteDocument(id: docs[Int(rng.next() % UInt64(docs.count))].id) }
        try w.commit()
        w.close()
        let s = try Searcher(path: dir)
        XCTAssertEqual(s.manifest.segments.count, 3)
        let words = ["cocoa", "prices", "rise", "harvest", "police", "port", "grain", "trade", "market", "bank",
                     "rates", "oil", "crude", "new", "york", "gold", "the", "of", "and", "in", "a", "to", "running"]
        let docTotal = s.manifest.segments.reduce(0) { $0 + $1.docCount }
        var checked = 0
        for q in 0..<60 {
            let n = 1 + Int(rng.next() % 5)
            var terms = (0..<n).map { _ in words[Int(rng.next() % UInt64(words.count))] }
            if q % 4 == 0 { terms.append(terms[0]) }   // a repeated word
            let text = terms.joined(separator: " ")
            // The oracle: every match scored (the exhaustive collector), or for every fifth query `explain`
            // on every document.
            var expected: [(Float, Int)] = []
            if q % 5 == 0 {
                let query = try Query.parse(text)
                for d in 0..<docTotal {
                    if let e = try s.explain(query, docID: d, options: SearchOptions()) { expected.append((e.value, d)) }
                }
                expected.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
            } else {
                var all = SearchOptions(limit: docTotal); all.countAllHits = true
                expected = try s.search(text, options: all).hits.map { ($0.score, $0.docID) }
            }
            for limit in [1, 10, 100] {
                let got = try s.search(text, options: SearchOptions(limit: limit))
                XCTAssertEqual(got.hits.count, min(limit, expected.count), text)
                for (h, e) in zip(got.hits, expected) {
                    XCTAssertEqual(h.score, e.0, accuracy: 1e-4 * max(1, e.0), "\(text) (limit \(limit))")
                }
                // Ties may come in either order within the float tolerance; ids must agree where scores differ.
                for (i, (g, e)) in zip(got.hits.map(\.docID), expected.prefix(limit).map(\.1)).enumerated() where g != e {
                    XCTAssertEqual(got.hits[i].score, expected[i].0, accuracy: 1e-5, "\(text): rank \(i) is doc \(g), the oracle says \(e)")
                }
                if got.totalHitsIsExact { XCTAssertEqual(got.totalHits, expected.count, text) }
                else { XCTAssertLessThanOrEqual(got.totalHits, expected.count, text) }
                checked += 1
            }
        }
        XCTAssertEqual(checked, 180)
    }
}
