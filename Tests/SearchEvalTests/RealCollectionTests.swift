import Foundation
import XCTest
@testable import SearchEval

/// Loads the real collections from `../shared/collections` (relative to the package root);
/// skipped when they are not present.
final class RealCollectionTests: XCTestCase {
    private func collection(_ name: String, marker: String) throws -> URL {
        let folder = sharedCollectionsFolder().appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent(marker).path) else {
            throw XCTSkip("\(folder.path) not present")
        }
        return folder
    }

    func testSciFact() throws {
        let folder = try collection("scifact", marker: "corpus.jsonl")
        let c = try TestCollection.load(path: folder, format: nil)
        XCTAssertEqual(c.name, "scifact")
        XCTAssertEqual(c.documents.count, 5183)
        XCTAssertEqual(c.queries.count, 300)
        XCTAssertEqual(c.qrels.judgments.count, 300)
        XCTAssertEqual(Set(c.queries.map(\.id)), Set(c.qrels.judgments.keys))
        XCTAssertEqual(Set(c.documents.map(\.id)).count, 5183)
        XCTAssertEqual(c.documents.first?.id, "4983")
        XCTAssertFalse(c.documents.contains { $0.text.isEmpty && $0.title.isEmpty })
        // Every judged document exists in the corpus.
        let ids = Set(c.documents.map(\.id))
        XCTAssertTrue(c.qrels.judgments.values.allSatisfy { $0.keys.allSatisfy(ids.contains) })

        // A perfect run (judged docs by gain) scores 1 everywhere.
        var run = RankedRun()
        for (qid, judged) in c.qrels.judgments {
            run.results[qid] = judged.map { (docID: $0.key, score: Double($0.value)) }
        }
        let (mean, _) = Metrics.evaluate(run: run, qrels: c.qrels)
        XCTAssertEqual(mean.queriesEvaluated, 300)
        XCTAssertEqual(mean.ndcgAt10, 1, accuracy: 1e-12)
        XCTAssertEqual(mean.map, 1, accuracy: 1e-12)
    }

    func testCranfield() throws {
        let folder = try collection("cranfield", marker: "cran.all.1400")
        let c = try TestCollection.load(path: folder)
        XCTAssertEqual(c.documents.count, 1400)
        XCTAssertEqual(c.documents.map(\.id), (1...1400).map(String.init))
        XCTAssertEqual(c.queries.count, 225)
        XCTAssertEqual(c.queries.map(\.id), (1...225).map(String.init))
        XCTAssertEqual(Set(c.qrels.judgments.keys), Set((1...225).map(String.init)))
        XCTAssertTrue(c.queries[0].text.hasPrefix("what similarity laws must be obeyed"))
        // Every query has at least one relevant (gain >= 1) document; gains are 0...4.
        XCTAssertTrue(c.queries.allSatisfy { c.qrels.relevantCount(for: $0.id) > 0 })
        XCTAssertTrue(c.qrels.judgments.values.allSatisfy { $0.values.allSatisfy { (0...4).contains($0) } })
        XCTAssertEqual(c.qrels.judgmentCount, 1837)
        // Record 240 has stray .A/.B markers after .W; its text continues past them.
        let doc240 = try XCTUnwrap(c.documents.first { $0.id == "240" })
        XCTAssertTrue(doc240.text.contains("application to turbulent separations"))
        XCTAssertTrue(doc240.text.contains("all calculations are for the case of zero"))
    }
}
