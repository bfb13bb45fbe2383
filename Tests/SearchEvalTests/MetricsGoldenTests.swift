import Foundation
import XCTest
@testable import SearchEval

/// Compares ``Metrics`` against pytrec_eval's values for the synthetic fixtures produced by
/// `scripts/make_eval_golden.py` (graded qrels, score ties, float32 near-ties, a query without
/// relevant documents, a judged query missing from the run, an unjudged query in the run,
/// rankings longer than 10, 100 and 1000).
final class MetricsGoldenTests: XCTestCase {
    private var run = RankedRun()
    private var qrels = Qrels()
    private var expected: [String: Any] = [:]

    override func setUpWithError() throws {
        let folder = try fixturesFolder()
        run = try RankedRun.loadTREC(folder.appendingPathComponent("run.trec"))
        qrels = try Qrels.loadTREC(folder.appendingPathComponent("qrels.txt"))
        let data = try Data(contentsOf: folder.appendingPathComponent("expected.json"))
        expected = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private let accuracy = 0.00005  // agreement to 4 decimals

    private func expectedSet(_ dict: Any?) throws -> MetricSet {
        let d = try XCTUnwrap(dict as? [String: Any])
        func value(_ key: String) throws -> Double { try XCTUnwrap((d[key] as? NSNumber)?.doubleValue, key) }
        return MetricSet(ndcgAt10: try value("ndcg_cut_10"), recallAt100: try value("recall_100"),
                         recallAt1000: try value("recall_1000"), map: try value("map"),
                         mrrAt10: try value("recip_rank"),
                         queriesEvaluated: (d["queries"] as? NSNumber)?.intValue ?? 1)
    }

    private func assertClose(_ actual: MetricSet, _ wanted: MetricSet, _ label: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.ndcgAt10, wanted.ndcgAt10, accuracy: accuracy, "\(label) ndcg_cut_10", file: file, line: line)
        XCTAssertEqual(actual.recallAt100, wanted.recallAt100, accuracy: accuracy, "\(label) recall_100", file: file, line: line)
        XCTAssertEqual(actual.recallAt1000, wanted.recallAt1000, accuracy: accuracy, "\(label) recall_1000", file: file, line: line)
        XCTAssertEqual(actual.map, wanted.map, accuracy: accuracy, "\(label) map", file: file, line: line)
        XCTAssertEqual(actual.mrrAt10, wanted.mrrAt10, accuracy: accuracy, "\(label) recip_rank@10", file: file, line: line)
        XCTAssertEqual(actual.queriesEvaluated, wanted.queriesEvaluated, "\(label) query count", file: file, line: line)
    }

    func testFixtureShape() throws {
        XCTAssertNotNil(run.results["q_extra"], "run has an unjudged query")
        XCTAssertNil(run.results["q_missing"], "a judged query is missing from the run")
        XCTAssertEqual(qrels.relevantCount(for: "q_norel"), 0)
        XCTAssertGreaterThan(run.results.values.map(\.count).max() ?? 0, 1000)
        XCTAssertTrue(run.results.values.contains { $0.count > 100 && $0.count < 1000 })
    }

    func testPerQueryAndMeanMatchPytrecEvalDefaultOptions() throws {
        let perQueryExpected = try XCTUnwrap(expected["per_query"] as? [String: Any])
        let (mean, perQuery) = Metrics.evaluate(run: run, qrels: qrels)
        // Default: queries in run ∩ qrels with at least one relevant document.
        let wantedIDs = perQueryExpected.keys.filter { qid in
            ((perQueryExpected[qid] as? [String: Any])?["num_rel"] as? NSNumber)?.intValue ?? 0 > 0
        }
        XCTAssertEqual(Set(perQuery.keys), Set(wantedIDs))
        XCTAssertNil(perQuery["q_norel"])
        XCTAssertNil(perQuery["q_extra"])
        XCTAssertNil(perQuery["q_missing"])
        for qid in wantedIDs {
            let got = try XCTUnwrap(perQuery[qid], qid)
            assertClose(got, try expectedSet(perQueryExpected[qid]), qid)
        }
        assertClose(mean, try expectedSet(expected["mean_default"]), "mean")
    }

    func testPytrecEvalAveragingWhenNotSkippingQueriesWithoutRelevant() throws {
        let perQueryExpected = try XCTUnwrap(expected["per_query"] as? [String: Any])
        let options = Metrics.Options(skipQueriesWithoutRelevant: false)
        let (mean, perQuery) = Metrics.evaluate(run: run, qrels: qrels, options: options)
        XCTAssertEqual(Set(perQuery.keys), Set(perQueryExpected.keys))
        for (qid, value) in perQueryExpected {
            assertClose(try XCTUnwrap(perQuery[qid], qid), try expectedSet(value), qid)
        }
        assertClose(mean, try expectedSet(expected["mean_pytrec"]), "mean (pytrec_eval/BEIR averaging)")
    }

    func testCompleteAveragingLikeTrecEvalDashC() throws {
        let skip = Metrics.evaluate(run: run, qrels: qrels,
                                    options: .init(skipQueriesWithoutRelevant: true, includeQueriesMissingFromRun: true))
        assertClose(skip.mean, try expectedSet(expected["mean_complete_skip"]), "mean -c (skip)")
        XCTAssertEqual(skip.perQuery["q_missing"], MetricSet(queriesEvaluated: 1))

        let all = Metrics.evaluate(run: run, qrels: qrels,
                                   options: .init(skipQueriesWithoutRelevant: false, includeQueriesMissingFromRun: true))
        assertClose(all.mean, try expectedSet(expected["mean_complete_all"]), "mean -c (all)")
    }

    func testEvaluationIgnoresStoredOrder() {
        // Reversing every ranking must not change anything: trec_eval sorts by score.
        var reversed = run
        for (qid, entries) in run.results { reversed.results[qid] = entries.reversed() }
        let a = Metrics.evaluate(run: run, qrels: qrels)
        let b = Metrics.evaluate(run: reversed, qrels: qrels)
        XCTAssertEqual(a.perQuery, b.perQuery)
        XCTAssertEqual(a.mean.ndcgAt10, b.mean.ndcgAt10, accuracy: 1e-12)
    }
}

/// Hand-checked cases for the conventions, independent of the fixtures.
final class MetricsConventionTests: XCTestCase {
    func testTieBreakIsDocIDDescendingAndFloat32() {
        // Same score: trec_eval ranks "b" before "a" (docno descending).
        let tie = Metrics.evaluateQuery(results: [("a", 1.0), ("b", 1.0)], judgments: ["a": 1])
        XCTAssertEqual(tie.mrrAt10, 0.5)
        // "10" < "9" byte-wise, so "9" ranks first.
        let lex = Metrics.evaluateQuery(results: [("10", 1.0), ("9", 1.0)], judgments: ["10": 1])
        XCTAssertEqual(lex.mrrAt10, 0.5)
        // Differences below float precision are ties; larger ones are not.
        XCTAssertEqual(Metrics.evaluateQuery(results: [("a", 1.0 + 1e-9), ("b", 1.0)], judgments: ["a": 1]).mrrAt10, 0.5)
        XCTAssertEqual(Metrics.evaluateQuery(results: [("a", 1.0 + 1e-6), ("b", 1.0)], judgments: ["a": 1]).mrrAt10, 1.0)
    }

    func testGradedNDCGAndNegativeGains() {
        // Ranking: n (gain -3 → 0), p (1). DCG = 1/log2(3); IDCG = 1.
        let neg = Metrics.evaluateQuery(results: [("n", 2), ("p", 1)], judgments: ["n": -3, "p": 1])
        XCTAssertEqual(neg.ndcgAt10, 1 / log2(3.0), accuracy: 1e-12)
        XCTAssertEqual(neg.map, 0.5, accuracy: 1e-12)
        // Graded: p (1) then n (3): DCG = 1 + 3/log2(3); IDCG = 3 + 1/log2(3).
        let graded = Metrics.evaluateQuery(results: [("p", 2), ("n", 1)], judgments: ["n": 3, "p": 1])
        XCTAssertEqual(graded.ndcgAt10, (1 + 3 / log2(3.0)) / (3 + 1 / log2(3.0)), accuracy: 1e-12)
    }

    func testMRRIsCutAtTen() {
        var results: [(docID: String, score: Double)] = []
        for i in 0..<20 { results.append(("d\(100 + i)", Double(100 - i))) }
        let at11 = Metrics.evaluateQuery(results: results, judgments: ["d110": 1])
        XCTAssertEqual(at11.mrrAt10, 0)
        XCTAssertEqual(at11.map, 1.0 / 11, accuracy: 1e-12)
        XCTAssertEqual(at11.recallAt100, 1)
        let at10 = Metrics.evaluateQuery(results: results, judgments: ["d109": 2])
        XCTAssertEqual(at10.mrrAt10, 0.1, accuracy: 1e-12)
    }

    func testDuplicateDocumentsKeepBestOccurrence() {
        let m = Metrics.evaluateQuery(results: [("a", 3), ("b", 2), ("a", 1)], judgments: ["a": 1, "c": 1])
        XCTAssertEqual(m.map, 0.5, accuracy: 1e-12)  // a at rank 1; c never retrieved
        XCTAssertEqual(Metrics.trecEvalOrder([("a", 3), ("b", 2), ("a", 1)]).map(\.docID), ["a", "b"])
    }

    func testQuerySelectionAndEmptyRuns() {
        let qrels = Qrels(judgments: ["1": ["x": 1], "2": ["x": 0], "3": ["y": 2]])
        let run = RankedRun(results: ["1": [("x", 1)], "2": [("x", 1)], "4": [("x", 1)], "3": []])
        let (mean, perQuery) = Metrics.evaluate(run: run, qrels: qrels)
        XCTAssertEqual(Set(perQuery.keys), ["1", "3"])  // 2 has no relevant doc, 4 is unjudged
        XCTAssertEqual(perQuery["3"], MetricSet(queriesEvaluated: 1))  // present but empty → zeros
        XCTAssertEqual(mean.queriesEvaluated, 2)
        XCTAssertEqual(mean.ndcgAt10, 0.5, accuracy: 1e-12)

        let none = Metrics.evaluate(run: RankedRun(), qrels: qrels)
        XCTAssertEqual(none.mean, MetricSet())
        XCTAssertTrue(none.perQuery.isEmpty)
    }
}
