import Foundation
import SearchIndex
import XCTest

/// The library example of README.md, compiled and run.
final class ReadmeExampleTests: XCTestCase {
    /// The snippet as it appears in README.md (keep in sync with `testReadmeExampleRuns`).
    static let snippet = #"""
        import SearchIndex

        let writer = try IndexWriter(path: "MyIndex")
        for (id, title, body) in [("1", "Tangier police arrest three", "Police in Tangier arrested three men on Monday."),
                                  ("2", "Cocoa prices rise", "Cocoa futures rose on fears of a poor harvest.")] {
            var doc = Document(id: id)
            doc.addText("title", title)
            doc.addText("body", body)
            doc.addStored("date", "1987-02-26")
            try writer.addDocument(doc)
        }
        try writer.commit()

        let searcher = try Searcher(path: "MyIndex")
        for hit in try searcher.search("tangier arrest").hits {
            print(hit.score, hit.document?["title"] ?? "")
        }
        """#

    func testReadmeExampleRuns() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("readme-example-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(dir.path))
        defer {
            _ = FileManager.default.changeCurrentDirectoryPath(previous)
            try? FileManager.default.removeItem(at: dir)
        }

        // --- the README snippet, verbatim (without its `import`) ---
        let writer = try IndexWriter(path: "MyIndex")
        for (id, title, body) in [("1", "Tangier police arrest three", "Police in Tangier arrested three men on Monday."),
                                  ("2", "Cocoa prices rise", "Cocoa futures rose on fears of a poor harvest.")] {
            var doc = Document(id: id)
            doc.addText("title", title)
            doc.addText("body", body)
            doc.addStored("date", "1987-02-26")
            try writer.addDocument(doc)
        }
        try writer.commit()

        let searcher = try Searcher(path: "MyIndex")
        for hit in try searcher.search("tangier arrest").hits {
            print(hit.score, hit.document?["title"] ?? "")
        }
        // --- end of snippet ---

        let hits = try searcher.search("tangier arrest").hits
        XCTAssertEqual(hits.count, 1)
        XCTAssertEqual(hits.first?.document?["title"], "Tangier police arrest three")
        XCTAssertEqual(hits.first?.document?.id, "1")
        XCTAssertEqual(hits.first?.document?["date"], "1987-02-26")
        XCTAssertGreaterThan(hits.first?.score ?? 0, 0)
        XCTAssertEqual(try searcher.search("cocoa harvest").hits.first?.document?["title"], "Cocoa prices rise")
        XCTAssertEqual(searcher.documentCount, 2)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("MyIndex").path))
    }

    /// Once the snippet is pasted into README.md (in place of README_EXAMPLE_PLACEHOLDER), it must stay
    /// identical to the compiled copy above.
    func testReadmeContainsTheSnippet() throws {
        let readme = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        guard let text = try? String(contentsOf: readme, encoding: .utf8) else { throw XCTSkip("README.md not found at \(readme.path)") }
        if text.contains("README_EXAMPLE_PLACEHOLDER") { throw XCTSkip("README.md still has the example placeholder") }
        XCTAssertTrue(text.contains(Self.snippet), "README.md's library example differs from ReadmeExampleTests.snippet")
    }
}
