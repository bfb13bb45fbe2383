import XCTest
@testable import SearchIndex

/// Edge cases of token positions and apostrophes.
final class TokenizerEdgeTests: XCTestCase {
    func positions(_ text: String) throws -> [(String, Int)] {
        let a = try StandardAnalyzer(stemmer: nil)
        var out: [(String, Int)] = []
        a.analyze(text) { t, p in out.append((String(decoding: t, as: UTF8.self), p)) }
        return out
    }

    func testDroppedOverlongTokenKeepsItsPosition() throws {
        let long = String(repeating: "x", count: 300)
        let r = try positions("alpha \(long) beta")
        XCTAssertEqual(r.map { $0.0 }, ["alpha", "beta"])
        XCTAssertEqual(r.map { $0.1 }, [0, 2])
    }

    func testPhraseDoesNotBridgeADroppedToken() throws {
        let dir = temporaryDirectory(self)
        try buildIndex(dir, [makeDoc("1", title: "t", body: "alpha \(String(repeating: "y", count: 300)) beta")])
        let s = try Searcher(path: dir)
        XCTAssertEqual(try s.search("\"alpha beta\"").hits.count, 0)
        XCTAssertEqual(try s.search("alpha beta").hits.count, 1)
    }

    func testFrenchElisionSplitsAndEnglishContractionJoins() throws {
        XCTAssertEqual(try positions("l'été").map { $0.0 }, ["l", "ete"])
        XCTAssertEqual(try positions("don't").map { $0.0 }, ["dont"])
    }
}
