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

    /// The eight-bytes-at-a-time path for ASCII words against the byte-at-a-time one, on random text built
    /// from every byte class around its edges (the bytes just outside `0-9`, `A-Z`, `a-z`, bytes with the high
    /// bit set, multi-byte and invalid UTF-8, apostrophes, decimal points), with words of 0 to 300 bytes so
    /// runs end at every offset of an 8-byte step and cross the 255-byte limit. Tokens, positions and ranges
    /// must be identical.
    func testEightByteWordPathMatchesByteAtATime() {
        var rng = SeededRNG(seed: 71)
        let letters = Array("abcxyzABCXYZ0189".utf8)
        let others: [[UInt8]] = [[0x2F], [0x3A], [0x40], [0x5B], [0x60], [0x7B], [0x7F], [0x20], [0x0A], [0x27], [0x2E],
                                 [0x2C], Array("é".utf8), Array("Ü".utf8), [0xC3], [0x80], [0xFF], Array("日".utf8)]
        for round in 0..<400 {
            var text: [UInt8] = []
            for _ in 0..<Int(rng.next() % 60) {
                // Runs of letters and digits of 0 to 300 bytes, each followed by one other piece.
                let run = rng.next() % 10 == 0 ? Int(rng.next() % 300) : Int(rng.next() % 14)
                for _ in 0..<run { text.append(letters[Int(rng.next() % UInt64(letters.count))]) }
                text.append(contentsOf: others[Int(rng.next() % UInt64(others.count))])
            }
            for fold in [false, true] {
                var fast: [String] = [], slow: [String] = []
                text.withUnsafeBufferPointer { t in
                    Tokenizer.tokenize(t, fold: fold) { tok, p, r in fast.append("\(Array(tok))@\(p)/\(r)") }
                    Tokenizer.tokenize(t, fold: fold, swar: false) { tok, p, r in slow.append("\(Array(tok))@\(p)/\(r)") }
                }
                XCTAssertEqual(fast, slow, "round \(round), fold \(fold): \(text)")
            }
        }
    }
}
