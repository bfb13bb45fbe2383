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

    /// The structured-fields snippet as it appears in README.md (keep in sync with `testStructuredExampleRuns`).
    static let structuredSnippet = #"""
        import SearchIndex

        let writer = try IndexWriter(path: "News", schema: Schema([
            FieldSpec("date", .date), FieldSpec("topics", .keyword), FieldSpec("price", .double),
        ]))
        for (id, title, date, topics, price) in [
            ("1", "Crude oil prices climb", "1987-03-02", ["crude"], 18.2),
            ("2", "Oil output cut agreed", "1987-03-20T10:30:00Z", ["crude", "ship"], 17.5),
            ("3", "Oil prices and grain", "1987-04-01", ["grain"], 3.1),
        ] {
            var doc = Document(id: id)
            doc.addText("title", title)
            try doc.addDate("date", iso: date)
            for t in topics { doc.addKeyword("topics", t) }
            doc.addDouble("price", price)
            try writer.addDocument(doc)
        }
        try writer.commit()

        let searcher = try Searcher(path: "News")
        var options = SearchOptions(limit: 10)
        try options.filter("topics:crude date:[1987-03-01 TO 1987-03-31]")   // restricts, does not score
        options.sort = [.descending("date")]                                   // newest first
        options.facets = [.terms("topics"), .dateHistogram("date", interval: .month)]
        let results = try searcher.search("oil prices", options: options)
        for hit in results.hits { print(hit.document?.id ?? "", hit.sortValues) }   // 2, then 1
        for facet in results.facets { print(facet.field, facet.buckets.map { "\($0.value): \($0.count)" }) }
        // topics ["crude: 2", "ship: 1"], date ["1987-03: 2"]
        options.searchAfter = results.nextCursor                               // the next page: empty here
        print(try searcher.search("oil prices", options: options).hits.count)  // 0
        """#

    func testStructuredExampleRuns() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("readme-example-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(dir.path))
        defer {
            _ = FileManager.default.changeCurrentDirectoryPath(previous)
            try? FileManager.default.removeItem(at: dir)
        }

        // --- the README snippet, verbatim (without its `import`) ---
        let writer = try IndexWriter(path: "News", schema: Schema([
            FieldSpec("date", .date), FieldSpec("topics", .keyword), FieldSpec("price", .double),
        ]))
        for (id, title, date, topics, price) in [
            ("1", "Crude oil prices climb", "1987-03-02", ["crude"], 18.2),
            ("2", "Oil output cut agreed", "1987-03-20T10:30:00Z", ["crude", "ship"], 17.5),
            ("3", "Oil prices and grain", "1987-04-01", ["grain"], 3.1),
        ] {
            var doc = Document(id: id)
            doc.addText("title", title)
            try doc.addDate("date", iso: date)
            for t in topics { doc.addKeyword("topics", t) }
            doc.addDouble("price", price)
            try writer.addDocument(doc)
        }
        try writer.commit()

        let searcher = try Searcher(path: "News")
        var options = SearchOptions(limit: 10)
        try options.filter("topics:crude date:[1987-03-01 TO 1987-03-31]")   // restricts, does not score
        options.sort = [.descending("date")]                                   // newest first
        options.facets = [.terms("topics"), .dateHistogram("date", interval: .month)]
        let results = try searcher.search("oil prices", options: options)
        for hit in results.hits { print(hit.document?.id ?? "", hit.sortValues) }   // 2, then 1
        for facet in results.facets { print(facet.field, facet.buckets.map { "\($0.value): \($0.count)" }) }
        // topics ["crude: 2", "ship: 1"], date ["1987-03: 2"]
        options.searchAfter = results.nextCursor                               // the next page: empty here
        print(try searcher.search("oil prices", options: options).hits.count)  // 0
        // --- end of snippet ---

        XCTAssertEqual(results.hits.map { $0.document?.id }, ["2", "1"])
        XCTAssertEqual(results.hits.first?.sortValues, [.date(DateValue.parse("1987-03-20T10:30:00Z")!.start)])
        XCTAssertGreaterThan(results.hits.first?.score ?? 0, 0)
        XCTAssertEqual(results.totalHits, 2)
        XCTAssertEqual(results.facets.map { $0.buckets.map { "\($0.value): \($0.count)" } }, [["crude: 2", "ship: 1"], ["1987-03: 2"]])
        XCTAssertEqual(try searcher.search("oil prices", options: options).hits.count, 0)
        XCTAssertEqual(try searcher.search("price:<5").hits.first?.document?.id, "3")
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
        XCTAssertTrue(text.contains(Self.structuredSnippet), "README.md's structured-fields example differs from ReadmeExampleTests.structuredSnippet")
    }
}
