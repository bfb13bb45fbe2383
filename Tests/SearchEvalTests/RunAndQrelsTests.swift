import Foundation
import XCTest
@testable import SearchEval

final class RunAndQrelsTests: XCTestCase {
    func testWriteAndReadBackTRECRun() throws {
        let tmp = try TempFolder()
        let run = RankedRun(results: [
            "10": [("d3", 2.5), ("d1", 1e-05), ("d2", -0.125)],
            "9": [("x", 0.1 + 0.2)],
        ])
        let url = tmp.url.appendingPathComponent("run.trec")
        try writeTREC(run: run, to: url, tag: "my run")
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.first, "9 Q0 x 1 0.30000000000000004 my_run")  // numeric query order
        XCTAssertEqual(lines[1], "10 Q0 d3 1 2.5 my_run")
        XCTAssertEqual(lines.count, 4)

        let back = try RankedRun.loadTREC(url)
        XCTAssertEqual(back.results.count, 2)
        XCTAssertEqual(back.results["10"]?.map(\.docID), ["d3", "d1", "d2"])
        XCTAssertEqual(back.results["10"]?.map(\.score), [2.5, 1e-05, -0.125])  // exact round trip
        XCTAssertEqual(back.results["9"]?.first?.score, 0.1 + 0.2)
    }

    func testWritingRejectsUnrepresentableIDs() {
        let run = RankedRun(results: ["q 1": [("d", 1)]])
        XCTAssertThrowsError(try run.trecFormatted(tag: "t")) { error in
            guard case .io? = error as? EvalError else { return XCTFail("\(error)") }
        }
    }

    func testRemovingSelfHits() {
        let run = RankedRun(results: ["q1": [("q1", 9), ("d1", 5), ("q2", 4)], "q2": [("d1", 1)]])
        let cleaned = run.removingSelfHits()
        XCTAssertEqual(cleaned.results["q1"]?.map(\.docID), ["d1", "q2"])
        XCTAssertEqual(cleaned.results["q2"]?.map(\.docID), ["d1"])
        XCTAssertEqual(run.results["q1"]?.count, 3, "original unchanged")
    }

    func testMalformedRunLines() throws {
        let tmp = try TempFolder()
        let bad1 = try tmp.write("a.run", "q1 Q0 d1 1 1.5 t\n\nq1 Q0 d2 2 t\n")
        assertMalformed(line: 3, file: "a.run") { try RankedRun.loadTREC(bad1) }
        let bad2 = try tmp.write("b.run", "q1 Q0 d1 1 1.5 t\nq1 Q0 d2 2 high t\n")
        let reason = assertMalformed(line: 2, file: "b.run") { try RankedRun.loadTREC(bad2) }
        XCTAssertTrue(reason?.contains("high") ?? false)
        let dup = try tmp.write("c.run", "q1 Q0 d1 1 1.5 t\nq2 Q0 d1 1 1.5 t\nq1 Q0 d1 2 1.0 t\n")
        assertMalformed(line: 3, file: "c.run") { try RankedRun.loadTREC(dup) }
    }

    func testTRECQrels() throws {
        let tmp = try TempFolder()
        let url = try tmp.write("qrels", "301 0 FBIS-1 1\r\n301 0 FBIS-2 0\n\n302 Q0 LA-9 2\n")
        let qrels = try Qrels.loadTREC(url)
        XCTAssertEqual(qrels.judgments, ["301": ["FBIS-1": 1, "FBIS-2": 0], "302": ["LA-9": 2]])
        XCTAssertEqual(qrels.relevantCount(for: "301"), 1)
        XCTAssertEqual(qrels.judgmentCount, 3)

        let bad = try tmp.write("qrels.bad", "301 0 FBIS-1 1\n301 0 FBIS-2\n")
        assertMalformed(line: 2, file: "qrels.bad") { try Qrels.loadTREC(bad) }
        let badRel = try tmp.write("qrels.bad2", "301 0 FBIS-1 1\n301 0 FBIS-2 1\n301 0 FBIS-3 yes\n")
        assertMalformed(line: 3, file: "qrels.bad2") { try Qrels.loadTREC(badRel) }
    }

    func testMissingFileIsIOError() {
        let url = URL(fileURLWithPath: "/nonexistent/run.trec")
        XCTAssertThrowsError(try RankedRun.loadTREC(url)) { error in
            guard case let .io(path, _)? = error as? EvalError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
        }
    }
}
