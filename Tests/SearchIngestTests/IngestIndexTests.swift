import Foundation
import SearchIndex
@testable import SearchIngest
import XCTest

/// From a folder to search results through the public API, as an embedding app would do it.
final class IngestIndexTests: XCTestCase {
    private func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-index-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testFolderToIndexToHits() throws {
        let corpus = try temporaryFolder().appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        try "Tangier arrest\n\nPolice in Tangier made an arrest on Monday.".write(to: corpus.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        try #"{"id": "n1", "title": "Cocoa prices", "body": "Cocoa rose in Abidjan.", "date": "1987-02-26"}"#
            .write(to: corpus.appendingPathComponent("b.json"), atomically: true, encoding: .utf8)
        try "id,title,body\nc1,Grain,Wheat exports fell\nc2,Tangier port,Ships wait outside Tangier\n"
            .write(to: corpus.appendingPathComponent("c.csv"), atomically: true, encoding: .utf8)
        let index = corpus.deletingLastPathComponent().appendingPathComponent("Index").path

        let writer = try IndexWriter(path: index)
        var issues: [IngestIssue] = []
        let summary = try CorpusWalker(root: corpus).forEach({ try writer.addDocument($0.indexDocument()) },
                                                            onIssue: { issues.append($0) })
        try writer.commit()
        writer.close()
        XCTAssertEqual(summary.documents, 4)
        XCTAssertEqual(issues, [])

        let searcher = try Searcher(path: index)
        XCTAssertEqual(searcher.documentCount, 4)
        let hits = try searcher.search("tangier").hits
        XCTAssertEqual(Set(hits.compactMap { $0.document?.id }), ["a.txt", "c2"])
        let cocoa = try XCTUnwrap(try searcher.search("cocoa").hits.first?.document)
        XCTAssertEqual(cocoa.id, "n1")
        XCTAssertEqual(cocoa["title"], "Cocoa prices")
        XCTAssertEqual(cocoa["date"], "1987-02-26")
        XCTAssertEqual(cocoa["path"], "b.json")
    }

    func testLongValuesAreIndexedWholeButStoredAsAPrefix() throws {
        let body = String(repeating: "é", count: IngestedDocument.maxStoredBytes / 2) + " needle"
        let doc = IngestedDocument(id: "x", title: "t", body: body, stored: [("path", "x.txt")]).indexDocument()
        XCTAssertEqual(doc.textFields.map(\.name), ["title", "body"])
        XCTAssertEqual(doc.textFields[1].stored, false)
        XCTAssertEqual(doc.textFields[1].value, body)
        let stored = try XCTUnwrap(doc.storedFields.first { $0.name == "body" }?.value)
        XCTAssertLessThanOrEqual(stored.utf8.count, IngestedDocument.maxStoredBytes)
        XCTAssertTrue(stored.hasSuffix("…"))
        XCTAssertTrue(body.hasPrefix(String(stored.dropLast())))   // cut at a scalar boundary, not inside "é"
        XCTAssertEqual(IngestedDocument.storedPrefix("short"), "short")
    }
}
