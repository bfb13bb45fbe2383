import Foundation
import XCTest
@testable import SearchIndex

/// A fresh temporary directory, removed when the test ends.
func temporaryDirectory(_ test: XCTestCase, _ name: String = #function) -> String {
    let p = NSTemporaryDirectory() + "searchindex-tests-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: p) }
    return p
}

/// `../shared` beside the package root, if present.
func sharedDirectory() -> String? {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let p = root.deletingLastPathComponent().appendingPathComponent("shared").path
    return FileManager.default.fileExists(atPath: p) ? p : nil
}

func makeDoc(_ id: String, title: String, body: String, extra: [(String, String)] = []) -> Document {
    var d = Document(id: id)
    d.addText("title", title)
    d.addText("body", body)
    for (k, v) in extra { d.addStored(k, v) }
    return d
}

/// Builds an index from `docs`, committing after every `perSegment` documents (each flush a segment).
@discardableResult
func buildIndex(_ path: String, _ docs: [Document], perSegment: Int = Int.max, analyzer: Analyzer? = nil) throws -> IndexWriter {
    let w = try IndexWriter(path: path, analyzer: analyzer)
    for (i, d) in docs.enumerated() {
        try w.addDocument(d)
        if (i + 1) % perSegment == 0 { try w.flush() }
    }
    try w.commit()
    w.close()
    return w
}
