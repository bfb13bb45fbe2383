import Foundation
import XCTest
@testable import SearchIndex

/// The analyzer's stemming (through the system libstemmer) must equal the reference Snowball output
/// (PyPI snowballstemmer 2.2.0, see scripts/make_stem_golden.py) word for word.
final class StemmerGoldenTests: XCTestCase {
    func loadGolden(_ algorithm: String) throws -> [(word: String, stem: String)] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "stems-\(algorithm)", withExtension: "tsv", subdirectory: "Fixtures"),
                                "Fixtures/stems-\(algorithm).tsv missing from the test bundle")
        let text = try String(contentsOf: url, encoding: .utf8)
        var out: [(String, String)] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("#") {
                XCTAssertTrue(line.contains("algorithm=\(algorithm)"), "header of the \(algorithm) file: \(line)")
                continue
            }
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            XCTAssertEqual(parts.count, 2, "malformed line: \(line)")
            guard parts.count == 2 else { continue }
            out.append((String(parts[0]), String(parts[1])))
        }
        return out
    }

    func check(_ algorithm: String) throws {
        let golden = try loadGolden(algorithm)
        XCTAssertGreaterThanOrEqual(golden.count, 10_000)
        XCTAssertEqual(Set(golden.map(\.word)).count, golden.count, "duplicate words in the golden file")
        let a = try StandardAnalyzer(stemmer: algorithm, foldDiacritics: false)
        var mismatches: [String] = []
        var changed = 0
        for (word, stem) in golden {
            let got = a.terms(word)
            if got != [stem] { mismatches.append("\(word): expected \(stem), got \(got)") }
            if stem != word { changed += 1 }
        }
        XCTAssert(mismatches.isEmpty, "\(mismatches.count) of \(golden.count) words differ from Snowball \(algorithm):\n" + mismatches.prefix(25).joined(separator: "\n"))
        // Guard against a vacuous golden file (e.g. stems equal to words): many words must actually change.
        XCTAssertGreaterThan(changed, golden.count / 4)
    }

    func testEnglishMatchesSnowballReference() throws { try check("english") }

    func testPorterMatchesSnowballReference() throws { try check("porter") }

    func testEnglishAndPorterDiffer() throws {
        // The two algorithms are distinct (e.g. "generously": english "generous", porter "gener").
        let english = try StandardAnalyzer(stemmer: "english"), porter = try StandardAnalyzer(stemmer: "porter")
        XCTAssertNotEqual(english.terms("generously"), porter.terms("generously"))
    }

    func testUnknownStemmerThrowsInvalidArgument() {
        for name in ["klingon", "", "English "] {
            let e = expectSearchIndexError({ try StandardAnalyzer(stemmer: name) }, name)
            guard let e else { continue }
            guard case let .invalidArgument(message) = e else { XCTFail("expected invalidArgument, got \(e)"); continue }
            XCTAssertTrue(message.contains("english"), "the message lists the available stemmers: \(message)")
        }
        XCTAssertTrue(StandardAnalyzer.availableStemmers.contains("english"))
        XCTAssertTrue(StandardAnalyzer.availableStemmers.contains("porter"))
    }

    func testUnknownStemmerInIndexIdentityThrows() {
        let e = expectSearchIndexError { try StandardAnalyzer(identity: "standard(stem=klingon,fold=true,stop=none)") }
        if let e, case .invalidArgument = e {} else { XCTFail("expected invalidArgument, got \(String(describing: e))") }
    }
}
