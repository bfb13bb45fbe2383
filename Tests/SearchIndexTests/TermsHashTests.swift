import XCTest
@testable import SearchIndex

/// `TermsHash` (the writer's in-memory term dictionary) against a Swift dictionary on random keys: the same
/// id for the same (field, bytes) however often it comes back, ids in order of first sight, through several
/// table growths; keys that differ only in field, length or a last byte; and `sortedIDs` in unsigned byte
/// order of the keys.
final class TermsHashTests: XCTestCase {
    func testIDsAndOrderMatchADictionary() {
        var rng = SeededRNG(seed: 41)
        var hash = TermsHash()
        var model: [[UInt8]: Int] = [:]
        var keys: [[UInt8]] = []
        func lookup(_ field: UInt8, _ term: [UInt8]) {
            let id = term.withUnsafeBufferPointer { hash.id(field: field, term: $0) }
            let key = [field] + term
            if let known = model[key] { XCTAssertEqual(id, known, "key \(key)") }
            else { XCTAssertEqual(id, keys.count, "a new key gets the next id"); model[key] = id; keys.append(key) }
        }
        for _ in 0..<120_000 {
            let field = UInt8(rng.next() % 3)
            let length = Int(rng.next() % 12)   // empty terms too
            // A small alphabet, so many keys share prefixes and lengths.
            var term = (0..<length).map { _ in UInt8(rng.next() % 4) + (rng.next() % 9 == 0 ? 200 : 97) }
            lookup(field, term)
            if !term.isEmpty && rng.next() % 5 == 0 { term[term.count - 1] ^= 1; lookup(field, term) }
            if rng.next() % 5 == 0 { lookup(field ^ 1, term) }
        }
        XCTAssertGreaterThan(keys.count, 20_000, "the table must grow several times")
        XCTAssertEqual(hash.count, keys.count)
        for (id, key) in keys.enumerated() { XCTAssertEqual(Array(hash.key(id)), key) }
        let expected = keys.indices.sorted { keys[$0].lexicographicallyPrecedes(keys[$1]) }
        XCTAssertEqual(hash.sortedIDs(), expected)
    }

    /// `SurfaceTable` (surface form → term id, keys compared a word at a time) against a dictionary: keys of
    /// 1 to 40 bytes in three fields, read from buffers whose bytes past the key are random junk (so the masking
    /// of the last word matters), keys that differ only in a byte past the 8th or 16th, through several growths.
    func testSurfaceTableMatchesADictionary() {
        var rng = SeededRNG(seed: 43)
        var table = SurfaceTable()
        defer { table.deallocate() }
        var model: [[UInt8]: Int32] = [:]
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
        defer { buffer.deallocate() }
        func lookup(_ field: UInt8, _ term: [UInt8]) {
            for k in 0..<64 { buffer[k] = UInt8(truncatingIfNeeded: rng.next()) }
            buffer.update(from: term, count: term.count)
            XCTAssertLessThanOrEqual(SurfaceTable.readableBytes(term.count), 64)
            let key = SurfaceTable.key(field: field, buffer, count: term.count)
            let (found, slot) = table.find(key, buffer, count: term.count)
            let known = model[[field] + term]
            XCTAssertEqual(found, known, "key \([field] + term)")
            if found == nil {
                let id = Int32(truncatingIfNeeded: rng.next() % 1_000_000) - 1
                table.insert(key, at: slot, buffer, count: term.count, term: id)
                model[[field] + term] = id
            }
        }
        for _ in 0..<100_000 {
            let field = UInt8(rng.next() % 3)
            let length = 1 + Int(rng.next() % (rng.next() % 4 == 0 ? 40 : 12))
            var term = (0..<length).map { _ in UInt8(rng.next() % 3) + 97 }
            lookup(field, term)
            for at in [7, 8, 15, 16, 17] where at < term.count && rng.next() % 3 == 0 { term[at] ^= 1; lookup(field, term) }
            if rng.next() % 5 == 0 { lookup(field ^ 1, term) }
            if rng.next() % 4 == 0 { lookup(field, term) }
        }
        XCTAssertGreaterThan(model.count, 20_000, "the table must grow several times")
        XCTAssertEqual(table.count, model.count)
    }

    func testOverlongDocumentIDIsATypedError() throws {
        let dir = NSTemporaryDirectory() + "termshash-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try IndexWriter(path: dir, analyzer: try StandardAnalyzer())
        let long = String(repeating: "x", count: 70_000)
        func doc(_ id: String) -> Document { var d = Document(id: id); d.addText("body", "hello"); return d }
        XCTAssertThrowsError(try writer.addDocument(doc(long))) { error in
            guard case SearchIndexError.invalidArgument(let m) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(m.contains("70000 bytes"), m)
        }
        try writer.addDocument(doc(String(repeating: "y", count: 30_000)))
        try writer.commit()
        let hits = try Searcher(path: dir).search("hello")
        XCTAssertEqual(hits.hits.map { $0.document?.id }, [String(repeating: "y", count: 30_000)])
    }
}
