import Foundation
import XCTest
@testable import SearchIndex

/// What a writer promises about analyzers and rejected documents.
final class WriterContractTests: XCTestCase {
    /// Reopening an index without an analyzer uses the one its commit recorded, not a default one.
    func testReopenedWriterUsesTheRecordedAnalyzer() throws {
        let dir = temporaryDirectory(self)
        let porterStop = try StandardAnalyzer(stemmer: "porter", stopwords: StandardAnalyzer.englishStopwords)
        try buildIndex(dir, [makeDoc("a", title: "running", body: "the runner")], analyzer: porterStop)
        let w = try IndexWriter(path: dir)
        XCTAssertEqual(w.analyzer.identity, porterStop.identity)
        try w.addDocument(makeDoc("b", title: "the runs", body: "x"))
        try w.commit(); w.close()
        let s = try Searcher(path: dir)
        XCTAssertEqual(s.manifest.analyzer, porterStop.identity)
        XCTAssertEqual(try s.search("run").totalHits, 2)
        XCTAssertEqual(try s.search("title:the").totalHits, 0)   // a stopword in both documents
    }

    /// Another analyzer on an index with documents is refused (its terms would not match the old ones);
    /// `create: true` rebuilds with it, and an empty index adopts it.
    func testDifferentAnalyzerIsRefused() throws {
        let dir = temporaryDirectory(self)
        try buildIndex(dir, [makeDoc("a", title: "t", body: "b")])
        let other = try StandardAnalyzer(stemmer: nil)
        XCTAssertThrowsError(try IndexWriter(path: dir, analyzer: other)) { e in
            guard case SearchIndexError.invalidArgument(let m) = e else { return XCTFail("\(e)") }
            XCTAssertTrue(m.contains("create: true"), m)
        }
        let w = try IndexWriter(path: dir, analyzer: other, create: true)
        try w.addDocument(makeDoc("b", title: "t", body: "b")); try w.commit(); w.close()
        XCTAssertEqual(try Searcher(path: dir).manifest.analyzer, other.identity)

        let empty = temporaryDirectory(self)
        let w2 = try IndexWriter(path: empty); try w2.commit(); w2.close()
        let w3 = try IndexWriter(path: empty, analyzer: other)
        try w3.addDocument(makeDoc("c", title: "t", body: "b")); try w3.commit(); w3.close()
        XCTAssertEqual(try Searcher(path: empty).manifest.analyzer, other.identity)
    }

    /// A document rejected for an invalid field name leaves no trace: the committed version with its id
    /// stays, and the documents added after it are indexed as they are (not shifted onto its slot).
    func testRejectedDocumentLeavesNoTrace() throws {
        let dir = temporaryDirectory(self)
        try buildIndex(dir, [makeDoc("keep", title: "original", body: "committed")])
        let w = try IndexWriter(path: dir)
        var bad = makeDoc("keep", title: "replacement", body: "alpha")
        bad.addText("bad\u{0}name", "x")
        XCTAssertThrowsError(try w.addDocument(bad))
        var bad2 = makeDoc("new", title: "beta", body: "gamma")
        bad2.addStored("", "empty name")
        XCTAssertThrowsError(try w.addDocument(bad2))
        try w.addDocument(makeDoc("next", title: "delta", body: "epsilon"))
        try w.commit(); w.close()
        let s = try Searcher(path: dir)
        XCTAssertEqual(s.documentCount, 2)
        XCTAssertEqual(try s.document(id: "keep")?["title"], "original")
        XCTAssertNil(try s.document(id: "new"))
        XCTAssertEqual(try s.search("alpha OR beta OR gamma OR replacement").totalHits, 0)
        XCTAssertEqual(try s.search("delta").hits.first?.document?.id, "next")
        XCTAssertEqual(try s.search("epsilon").hits.first?.document?.id, "next")
        _ = try checkIndex(path: dir)
    }

    /// Every mutating call on a closed writer is a typed error.
    func testClosedWriterRefusesChanges() throws {
        let dir = temporaryDirectory(self)
        let w = try IndexWriter(path: dir)
        w.close()
        for (name, call) in [("addDocument", { try w.addDocument(makeDoc("a", title: "t", body: "b")) }),
                             ("deleteDocument", { try w.deleteDocument(id: "a") }),
                             ("deleteAll", { try w.deleteAll() }),
                             ("commit", { try w.commit() })] as [(String, () throws -> Void)] {
            XCTAssertThrowsError(try call(), name) { e in
                guard case SearchIndexError.writerClosed = e else { return XCTFail("\(name): \(e)") }
            }
        }
    }
}

/// A document's text values keep their fields and stored flags however many there are (the first eight
/// are held inline while the document waits for an indexing thread, the rest in an array).
final class ManyTextValuesTests: XCTestCase {
    func testManyTextValuesKeepTheirFieldsAndStoredFlags() throws {
        var rng = SystemRandomNumberGenerator()
        for threads in [1, 2] {
            let dir = temporaryDirectory(self)
            var config = IndexWriterConfig()
            config.threads = threads
            let w = try IndexWriter(path: dir, config: config)
            var expected: [String: [(name: String, value: String)]] = [:]
            var wordField: [String: String] = [:]
            for d in 0..<40 {
                var doc = Document(id: "d\(d)")
                var stored: [(name: String, value: String)] = []
                for k in 0..<Int.random(in: 1...14, using: &rng) {
                    let name = "f\(Int.random(in: 0..<11, using: &rng))"
                    let word = "w\(d)x\(k)"
                    let keep = Bool.random(using: &rng)
                    doc.addText(name, "\(word) filler", stored: keep)
                    if keep { stored.append((name, "\(word) filler")) }
                    wordField[word] = name
                }
                expected[doc.id] = stored
                try w.addDocument(doc)
            }
            try w.commit(); w.close()
            let s = try Searcher(path: dir)
            for (id, fields) in expected {
                let got = try XCTUnwrap(try s.document(id: id))
                XCTAssertEqual(got.fields.map(\.name), fields.map(\.name), "threads \(threads), \(id)")
                XCTAssertEqual(got.fields.map(\.value), fields.map(\.value), "threads \(threads), \(id)")
            }
            // Each word is found in its own field and in no other.
            for (word, field) in wordField {
                XCTAssertEqual(try s.search("\(field):\(word)").totalHits, 1, "\(field):\(word)")
                let other = field == "f0" ? "f1" : "f0"
                XCTAssertEqual(try s.search("\(other):\(word)").totalHits, 0, "\(other):\(word)")
            }
        }
    }
}

/// The pending-deletion ids of a commit, looked up by id-field key: an oracle test against a dictionary.
final class PendingIDKeysTests: XCTestCase {
    func testLookupsMatchADictionary() throws {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("ab0é_".unicodeScalars)
        func randomID() -> String {
            String(String.UnicodeScalarView((0..<Int.random(in: 0...6, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }))
        }
        for _ in 0..<20 {
            var pending: [String: Int] = [:]
            for _ in 0..<Int.random(in: 0...300, using: &rng) { pending[randomID()] = Int.random(in: 0...9, using: &rng) }
            for hashed in [true, false] {
                let keys = IndexWriter.PendingIDKeys(pending, hashed: hashed)
                XCTAssertEqual(keys.isByFullKey, !hashed)
                for _ in 0..<500 {
                    let id = randomID()
                    XCTAssertEqual(keys.value(idKey: [0] + Array(id.utf8)), pending[id], id)
                }
                for (id, v) in pending { XCTAssertEqual(keys.value(idKey: [0] + Array(id.utf8)), v, id) }
            }
        }
    }
}

/// `appendDocument` keeps earlier documents with its id, `addDocument` replaces them all and
/// `deleteDocument` removes them all, across buffers, flushes, commits and indexing threads: an oracle test
/// against a model of which versions are live, on random operations.
final class AppendDocumentTests: XCTestCase {
    /// Two appended versions in one buffer are both found; a deletion or a replacing add removes both.
    func testRepeatedAppendsInOneBuffer() throws {
        for last in ["delete", "add", "none"] {
            let dir = temporaryDirectory(self)
            let w = try IndexWriter(path: dir)
            try w.appendDocument(makeDoc("x", title: "one", body: "first"))
            try w.appendDocument(makeDoc("x", title: "two", body: "second"))
            if last == "delete" { try w.deleteDocument(id: "x") }
            if last == "add" { try w.addDocument(makeDoc("x", title: "three", body: "third")) }
            try w.commit(); w.close()
            let s = try Searcher(path: dir)
            XCTAssertEqual(s.documentCount, ["delete": 0, "add": 1, "none": 2][last], last)
            XCTAssertEqual(try s.search("first OR second").totalHits, last == "none" ? 2 : 0, last)
        }
    }

    func testAppendAddAndDeleteMatchAModel() throws {
        var rng = SystemRandomNumberGenerator()
        for threads in [1, 2] {
            let dir = temporaryDirectory(self)
            var config = IndexWriterConfig(ramBufferMB: 1)
            config.threads = threads
            var w = try IndexWriter(path: dir, config: config)
            var live: [String: [Int]] = [:]   // id -> its live versions
            var versions = 0
            var appendedTwice = 0
            for _ in 0..<1_600 {
                let r = Int.random(in: 0..<100, using: &rng)
                let id = "id\(Int.random(in: 0..<80, using: &rng))"
                if r < 88 {
                    var doc = Document(id: id)
                    let filler = (0..<120).map { _ in "w\(Int.random(in: 0..<30_000, using: &rng))" }.joined(separator: " ")
                    doc.addText("body", "v\(versions) \(filler)")
                    if r < 70 {
                        if live[id] != nil { appendedTwice += 1 }
                        try w.appendDocument(doc); live[id, default: []].append(versions)
                    } else {
                        try w.addDocument(doc); live[id] = [versions]
                    }
                    versions += 1
                } else if r < 95 {
                    try w.deleteDocument(id: id); live[id] = nil
                } else if r < 97 {
                    try w.flush()
                } else if r < 99 {
                    try w.commit()
                } else {
                    try w.commit(); w.close()
                    w = try IndexWriter(path: dir, config: config)
                }
            }
            try w.commit(waitForMerges: true); w.close()
            XCTAssertGreaterThan(appendedTwice, 50)
            let s = try Searcher(path: dir)
            let liveVersions = Set(live.values.joined())
            XCTAssertEqual(s.documentCount, liveVersions.count, "threads \(threads)")
            for v in 0..<versions {
                XCTAssertEqual(try s.search("body:v\(v)").totalHits, liveVersions.contains(v) ? 1 : 0, "threads \(threads), version \(v)")
            }
        }
    }
}
