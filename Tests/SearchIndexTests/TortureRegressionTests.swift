import CZlib
import Foundation
import XCTest
@testable import SearchIndex

/// One test per hole the torture suite (`search-torture`, issue 8) found.
final class TortureRegressionTests: XCTestCase {
    /// Rewrites a file's CRC footer after its bytes were changed: damage a checksum cannot see.
    func rewriteWithValidCRC(_ path: String, _ change: (inout [UInt8]) -> Void) throws {
        var b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        change(&b)
        let crc = b.withUnsafeBytes { UInt32(truncatingIfNeeded: crc32(0, $0.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(b.count - 4))) }
        for i in 0..<4 { b[b.count - 4 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
        try Data(b).write(to: URL(fileURLWithPath: path))
        _ = try MappedFile(path: path, name: "x", kind: try XCTUnwrap(IndexFileKind(envelopeKind: String(decoding: b[4..<8], as: UTF8.self).trimmingSpaces())))   // CRC valid again
    }

    /// Three segments, the second with deletions.
    func threeSegments() throws -> String {
        let dir = temporaryDirectory(self)
        var config = IndexWriterConfig(); config.mergeFactor = 0
        let w = try IndexWriter(path: dir, config: config)
        let docs = generatedDocs(90, seed: 7)
        for (i, d) in docs.enumerated() {
            try w.addDocument(d)
            if i % 30 == 29 { try w.commit() }
        }
        for i in [31, 35, 40] { try w.deleteDocument(id: docs[i].id) }
        try w.commit()
        w.close()
        XCTAssertNoThrow(try checkIndex(path: dir))
        return dir
    }

    // 1. `limit: 0` trapped in TopK.threshold; it now means "count only".
    func testLimitZeroCountsOnly() throws {
        let dir = try threeSegments()
        let s = try Searcher(path: dir)
        let all = try s.search(generatedDocsCommonWord, options: { var o = SearchOptions(limit: 1000); o.countAllHits = true; return o }())
        for countAll in [true, false] {
            var o = SearchOptions(limit: 0); o.countAllHits = countAll
            let r = try s.search(generatedDocsCommonWord, options: o)
            XCTAssertEqual(r.hits.count, 0)
            XCTAssertEqual(r.totalHits, all.totalHits)
            XCTAssertTrue(r.totalHitsIsExact)
        }
        XCTAssertGreaterThan(all.totalHits, 10)
    }

    var generatedDocsCommonWord: String {
        let words = generatedDocs(1, seed: 7)[0].textFields[1].value.split(separator: " ")
        return "\(words[0]) \(words[1]) \(words[2])"
    }

    // 2. Many-clause queries were super-linear: now bounded by clause and expansion limits with typed errors,
    //    and a large disjunction is collected term-at-a-time with the same scores as the doc-at-a-time scorer.
    func testClauseAndExpansionLimits() throws {
        let dir = try threeSegments()
        let s = try Searcher(path: dir)
        let q = Array(repeating: "word", count: 300).joined(separator: " ")
        guard let e = expectSearchIndexError({ try s.search(q) }), case let .querySyntax(_, position, message) = e else { return }
        XCTAssertEqual(position, 256 * 5, "the first clause past 256")
        XCTAssertTrue(message.contains("at most 256"), message)
        var o = SearchOptions(); o.maxExpandedTerms = 10
        guard let e2 = expectSearchIndexError({ try s.search("a* b* c* d* e* f* g*", options: o) }), case .invalidArgument = e2 else { return }
        XCTAssertNoThrow(try s.search(Array(repeating: "word", count: 256).joined(separator: " ")))
    }

    /// Large disjunctions (heap-ordered above 16 clauses, term-at-a-time above 64), and the windowed scorer of
    /// fuzzy, prefix and wildcard expansions, rank exactly as a brute-force scoring of every document through
    /// `explain` (doc at a time) does.
    func testLargeDisjunctionsMatchBruteForce() throws {
        let dir = try threeSegments()
        let s = try Searcher(path: dir)
        var vocab = Set<String>()
        for d in generatedDocs(90, seed: 7) { for w in d.textFields[1].value.split(separator: " ") { vocab.insert(String(w)) } }
        let words = vocab.sorted()
        let queries = [words.prefix(40).joined(separator: " "),                        // heap-ordered disjunction
                       words.prefix(120).joined(separator: " "),                       // term-at-a-time
                       "+\(words[0]) (" + words.dropFirst().prefix(30).joined(separator: " ") + ")"]   // nested heap
        // Expansions: alone, beside a fuzzy term, under a required clause, and a wildcard beside a term.
        let w12: String = words[12]
        let wildcard: String = String(w12.prefix(1)) + "?" + String(w12.dropFirst(2)) + "* " + words[40]
        let expansions: [String] = [words[5] + "~2", String(words[9].prefix(1)) + "* " + words[20] + "~1",
                                    "+" + words[1] + " " + String(words[30].prefix(2)) + "*", wildcard]
        for q in queries + expansions {
            for countAll in [true, false] {
                var o = SearchOptions(limit: 50); o.countAllHits = countAll
                let got = try s.search(q, options: o)
                var expected: [(Float, Int)] = []
                let query = try Query.parse(q)
                for d in 0..<(s.manifest.segments.reduce(0) { $0 + $1.docCount }) {
                    if let e = try s.explain(query, docID: d, options: o) { expected.append((e.value, d)) }
                }
                expected.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
                if countAll { XCTAssertEqual(got.totalHits, expected.count, q) }
                XCTAssertEqual(got.hits.map(\.docID), expected.prefix(50).map(\.1), q)
                for (h, e) in zip(got.hits, expected) { XCTAssertEqual(h.score, e.0, accuracy: 1e-4) }
            }
        }
    }

    // 3. `check` during another process's commits reported "file is missing": it now follows the new commit.
    func testCheckFollowsConcurrentCommits() throws {
        let dir = temporaryDirectory(self)
        var config = IndexWriterConfig(ramBufferMB: 1); config.mergeFactor = 3
        let writerConfig = config
        let first = try IndexWriter(path: dir, config: config)
        try first.commit()
        first.close()
        // (Sendable by its lock.)
        final class Flag: @unchecked Sendable { let lock = NSLock(); var value = false }
        let flag = Flag()
        let t = Thread {
            // The writer belongs to this thread (an IndexWriter is not Sendable).
            let w = try? IndexWriter(path: dir, config: writerConfig)
            XCTAssertNotNil(w)
            let docs = generatedDocs(400, seed: 3)
            for (i, d) in docs.enumerated() {
                try? w?.addDocument(d)
                if i % 10 == 9 { try? w?.commit() }
            }
            w?.close()
            flag.lock.lock(); flag.value = true; flag.lock.unlock()
        }
        t.start()
        var checks = 0
        while true {
            flag.lock.lock(); let f = flag.value; flag.lock.unlock()
            if f { break }
            XCTAssertNoThrow(try checkIndex(path: dir)); checks += 1
            XCTAssertNoThrow(try Searcher(path: dir))
        }
        XCTAssertGreaterThan(checks, 0)
    }

    // 4. Damage behind a valid CRC.
    func testSegmentListedTwiceFailsCheck() throws {
        let dir = try threeSegments()
        var m = try Manifest.readLatest(from: IndexDirectory(path: dir))
        m.segments.append(m.segments[0])
        let path = dir + "/" + Manifest.fileName(m.generation)
        try FileManager.default.removeItem(atPath: path)
        try m.write(to: IndexDirectory(path: dir))
        expectCorrupt(Manifest.fileName(m.generation), { try checkIndex(path: dir) })
    }

    func testLiveBitsAgainstDeleteCount() throws {
        let dir = try threeSegments()
        let m = try Manifest.readLatest(from: IndexDirectory(path: dir))
        let liv = try XCTUnwrap(m.segments.compactMap(\.liveDocsFile).first)
        let bitsStart = FileEnvelope.headerSize + 1   // docCount vint (< 128) then the bits
        // One bit more: the count no longer matches.
        try rewriteWithValidCRC(dir + "/" + liv) { b in b[bitsStart] ^= 0x01 }
        expectCorrupt(liv, { try checkIndex(path: dir) })
        // And a swap that keeps the count (one bit cleared, another set): caught by the commit's bitset CRC.
        try rewriteWithValidCRC(dir + "/" + liv) { b in b[bitsStart] ^= 0x01 }
        XCTAssertNoThrow(try checkIndex(path: dir))
        // (Docs 31 and 35 of the second segment are its local docs 1 and 5: clear bit 1, set bit 0.)
        try rewriteWithValidCRC(dir + "/" + liv) { b in XCTAssertEqual(b[bitsStart] & 0x03, 0x02); b[bitsStart] ^= 0x03 }
        expectCorrupt(liv, { try checkIndex(path: dir) })
    }

    func testNormByteAgainstPostings() throws {
        let dir = try threeSegments()
        let m = try Manifest.readLatest(from: IndexDirectory(path: dir))
        let nrm = m.segments[0].name + ".nrm"
        try rewriteWithValidCRC(dir + "/" + nrm) { b in b[FileEnvelope.headerSize + 5] &+= 1 }
        expectCorrupt(nrm, { try checkIndex(path: dir) })
    }

    /// Skip data bounds scores for pruning: a max frequency or min norm that does not match the block is damage.
    func testSkipDataAgainstBlocks() throws {
        for (what, offset) in [("maxFreq", 1), ("minNorm", 2)] {
            let dir = try threeSegments()
            let m = try Manifest.readLatest(from: IndexDirectory(path: dir))
            let doc = m.segments[0].name + ".doc"
            // The first term with a block: lastDocDelta (one byte: 30 docs), maxFreq (one byte), minNorm.
            try rewriteWithValidCRC(dir + "/" + doc) { b in
                XCTAssertLessThan(b[FileEnvelope.headerSize + 1], 0x7f)
                b[FileEnvelope.headerSize + offset] &+= 1
            }
            expectCorrupt(doc, { try checkIndex(path: dir) }, what)
        }
    }

    func testPostingsAndStoredContentHashes() throws {
        for (ext, offset) in [("pos", 40), ("fdt", 30), ("doc", 20)] {
            let dir = try threeSegments()
            let m = try Manifest.readLatest(from: IndexDirectory(path: dir))
            let name = m.segments[0].name + "." + ext
            try rewriteWithValidCRC(dir + "/" + name) { b in b[FileEnvelope.headerSize + offset] ^= 0x10 }
            XCTAssertThrowsError(try checkIndex(path: dir), ext) { e in
                guard case .corruptIndex? = e as? SearchIndexError else { return XCTFail("\(ext): \(e)") }
            }
        }
    }

    /// Doc ids decoded from a block are bounded by the segment's document count: out of range is a typed
    /// error, never an index into norms or live bits.
    func testBlockDocIDsOutOfRangeAreTyped() throws {
        let dir = temporaryDirectory(self)
        let docOut = try OutputFile(path: dir + "/p.doc", kind: .postings), posOut = try OutputFile(path: dir + "/p.pos", kind: .positions)
        let w = makePostingsWriter(docOut: docOut, posOut: posOut)
        let docs: [UInt32] = Array(stride(from: 0, to: 600, by: 3)), freqs = [UInt32](repeating: 1, count: 200), pos = [UInt32](repeating: 0, count: 200)
        let norms = [UInt8](repeating: 3, count: 600)
        let info = try docs.withUnsafeBufferPointer { d in try freqs.withUnsafeBufferPointer { f in try pos.withUnsafeBufferPointer { p in
            try norms.withUnsafeBufferPointer { n in try w.writeTerm(key: [1], docs: d, freqs: f, positions: p, norms: n) } } } }
        try docOut.finish(); try posOut.finish()
        let doc = try MappedFile(path: dir + "/p.doc", name: "p.doc", kind: .postings), p = try MappedFile(path: dir + "/p.pos", name: "p.pos", kind: .positions)
        for docCount in [600, 400, 10] {
            let errors = DecodeErrors()
            let c = PostingsCursor(docFreq: info.docFreq, docFile: doc.body, docOffset: info.docOffset, posFile: p.body,
                                   posOffset: info.posOffset, docCount: docCount, inflater: Inflater(), errors: errors, fileName: "p.doc")
            var n = 0
            while c.nextDoc() != noMoreDocs { XCTAssertLessThan(Int(c.doc), docCount); n += 1 }
            if docCount == 600 { XCTAssertEqual(n, 200); XCTAssertNil(errors.first) } else { XCTAssertNotNil(errors.first, "docCount \(docCount)") }
        }
    }

    func testMalformedAnalyzerIdentityIsRefused() throws {
        for bad in ["standard(stem=english,fold=true,stop=none,x=1)", "standard(stem=english,fold=true)",
                    "standard(stem=english,fold=maybe,stop=none)", "standard(\u{0}\u{0}\u{0}english,fold=true,stop=none)",
                    "standard(stem=english,stem=english,fold=true,stop=none)"] {
            XCTAssertThrowsError(try StandardAnalyzer(identity: bad), bad)
        }
        XCTAssertNoThrow(try StandardAnalyzer(identity: "standard(stem=english,fold=true,stop=none)"))
    }

    // 5. Orphans after a kill: `check` lists them, a new writer removes them.
    func testLeftoverFilesListedAndRemoved() throws {
        let dir = try threeSegments()
        for n in ["_zz.tdi", "_zz.doc", "segments_99.tmp"] { _ = FileManager.default.createFile(atPath: dir + "/" + n, contents: Data([1, 2, 3])) }
        let r = try checkIndex(path: dir)
        XCTAssertEqual(r.unreferencedFiles, ["_zz.doc", "_zz.tdi", "segments_99.tmp"])
        let w = try IndexWriter(path: dir)
        XCTAssertEqual(try checkIndex(path: dir).unreferencedFiles, [])
        w.close()
        XCTAssertEqual(try Searcher(path: dir).documentCount, 87)
    }

    func testDocumentByID() throws {
        let dir = try threeSegments()
        let s = try Searcher(path: dir)
        let docs = generatedDocs(90, seed: 7)
        XCTAssertEqual(try s.document(id: docs[5].id)?.id, docs[5].id)
        XCTAssertNil(try s.document(id: docs[31].id), "deleted")
        XCTAssertNil(try s.document(id: "no such id"))
    }
}
