import Foundation
import XCTest
@testable import SearchIndex

/// Damaged, truncated or missing files must produce `SearchIndexError.corruptIndex`, never a crash.
final class CorruptionTests: XCTestCase {
    /// A committed index with one segment and a deletions file: segments_2, _1.{tdi,doc,pos,nrm,fdt}, _1_1.liv.
    func pristineIndex() throws -> String {
        let dir = temporaryDirectory(self)
        let w = try IndexWriter(path: dir)
        for d in generatedDocs(150, seed: 21) { try w.addDocument(d) }
        try w.commit()
        try w.deleteDocument(id: "doc-3")
        try w.deleteDocument(id: "doc-140")
        try w.commit()
        w.close()
        return dir
    }

    func copy(_ dir: String) throws -> String {
        let to = temporaryDirectory(self)
        for f in try FileManager.default.contentsOfDirectory(atPath: dir) {
            try FileManager.default.copyItem(atPath: dir + "/" + f, toPath: to + "/" + f)
        }
        return to
    }

    func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
    func write(_ path: String, _ b: [UInt8]) throws { try Data(b).write(to: URL(fileURLWithPath: path)) }

    /// The file of each kind in the pristine index.
    func filesByKind(_ dir: String) throws -> [String: String] {
        let m = try Searcher(path: dir).manifest
        var out: [String: String] = ["segments": Manifest.fileName(m.generation)]
        XCTAssertEqual(m.segments.count, 1)
        let seg = m.segments[0]
        for k in IndexFileKind.perSegment { out[k.fileExtension ?? "?"] = seg.file(k) }
        out["liv"] = try XCTUnwrap(seg.liveDocsFile)
        for f in out.values { XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + f), f) }
        return out
    }

    // MARK: checksums on

    func testFlippedByteInEachFileKindIsDetected() throws {
        let pristine = try pristineIndex()
        let kinds = try filesByKind(pristine)
        XCTAssertEqual(Set(kinds.keys), ["segments", "tdi", "doc", "pos", "nrm", "fdt", "col", "liv"])
        XCTAssertEqual(try Searcher(path: pristine).documentCount, 148)
        for (kind, name) in kinds.sorted(by: { $0.key < $1.key }) {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                let dir = try copy(pristine)
                var b = try bytes(dir + "/" + name)
                b[b.count / 2] ^= mask
                try write(dir + "/" + name, b)
                expectCorrupt(name, { try Searcher(path: dir) }, "\(kind) with byte \(b.count / 2) ^ \(mask)")
            }
        }
    }

    func testTruncatedFilesAreDetected() throws {
        let pristine = try pristineIndex()
        for (kind, name) in try filesByKind(pristine).sorted(by: { $0.key < $1.key }) {
            let original = try bytes(pristine + "/" + name)
            for (label, length) in [("half", original.count / 2), ("5 bytes", 5), ("empty", 0), ("minus footer", original.count - 8), ("minus 1", original.count - 1)] {
                for verify in [true, false] {
                    let dir = try copy(pristine)
                    try write(dir + "/" + name, Array(original.prefix(length)))
                    expectCorrupt(name, { try Searcher(path: dir, verifyChecksums: verify) }, "\(kind) truncated to \(label), verify \(verify)")
                }
            }
        }
    }

    func testMissingFileIsCorruptIndex() throws {
        let pristine = try pristineIndex()
        for (kind, name) in try filesByKind(pristine) where kind != "segments" {
            let dir = try copy(pristine)
            try FileManager.default.removeItem(atPath: dir + "/" + name)
            expectCorrupt(name, { try Searcher(path: dir) }, "\(kind) missing")
        }
    }

    func testWrongFileKindIsDetectedWithoutChecksums() throws {
        let pristine = try pristineIndex()
        let kinds = try filesByKind(pristine)
        let dir = try copy(pristine)
        // Put the norms file where the postings file belongs: the envelope's kind does not match.
        try FileManager.default.removeItem(atPath: dir + "/" + kinds["doc"]!)
        try FileManager.default.copyItem(atPath: dir + "/" + kinds["nrm"]!, toPath: dir + "/" + kinds["doc"]!)
        expectCorrupt(kinds["doc"]!, { try Searcher(path: dir, verifyChecksums: false) })
        // A damaged header magic or version is caught even without checksums.
        for offset in [0, 3, 9] {
            let d2 = try copy(pristine)
            var b = try bytes(d2 + "/" + kinds["tdi"]!)
            b[offset] ^= 0x20
            try write(d2 + "/" + kinds["tdi"]!, b)
            expectCorrupt(kinds["tdi"]!, { try Searcher(path: d2, verifyChecksums: false) }, "header byte \(offset)")
        }
    }

    func testWriterRefusesACorruptCommit() throws {
        let pristine = try pristineIndex()
        let kinds = try filesByKind(pristine)
        let dir = try copy(pristine)
        var b = try bytes(dir + "/" + kinds["segments"]!)
        b[b.count / 2] ^= 0x10
        try write(dir + "/" + kinds["segments"]!, b)
        expectCorrupt(kinds["segments"]!, { try IndexWriter(path: dir) })
        // The refused writer released its lock.
        let w = try IndexWriter(path: dir, create: true)
        w.close()
    }

    // MARK: checksums off: no crash

    /// Flips random bytes of the postings, dictionary and stored fields with checksum verification off;
    /// every search and document read must either work or throw a SearchIndexError.
    func testRandomByteFlipsWithoutChecksumsNeverCrash() throws {
        let dir = try pristineIndex()
        let kinds = try filesByKind(dir)
        let targets = ["doc", "pos", "tdi", "fdt"].map { kinds[$0]! }
        let originals = try targets.map { try bytes(dir + "/" + $0) }
        let queries = ["cocoa", "harvest police", "\"new york\"", "\"crude oil\"", "arr*", "+oil +crude", "bank -rates",
                       "title:ba*", "東京", "doc-7"]
        // SEARCHINDEX_FUZZ_ITERATIONS / SEARCHINDEX_FUZZ_SEED run a longer or different campaign by hand.
        let env = ProcessInfo.processInfo.environment
        let iterations = env["SEARCHINDEX_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 200
        let burst = env["SEARCHINDEX_FUZZ_BURST"].flatMap { Int($0) } ?? 1
        var rng = SeededRNG(seed: env["SEARCHINDEX_FUZZ_SEED"].flatMap { UInt64($0) } ?? 22)
        var outcomes = (clean: 0, thrown: 0)
        func attempt(_ what: String, _ body: () throws -> Void) {
            do { try body(); outcomes.clean += 1 }
            catch is SearchIndexError { outcomes.thrown += 1 }
            catch { XCTFail("\(what): a non-SearchIndexError was thrown: \(error)") }
        }
        for iteration in 0..<iterations {
            let t = iteration % targets.count
            let path = dir + "/" + targets[t]
            let offset = Int(rng.next() % UInt64(originals[t].count))
            let mask = UInt8(1 + rng.next() % 255)
            // Normally one byte; SEARCHINDEX_FUZZ_BURST=n overwrites a run of up to n random bytes instead.
            let run = burst <= 1 ? 1 : min(Int(1 + rng.next() % UInt64(burst)), originals[t].count - offset)
            let damaged = run == 1 ? [originals[t][offset] ^ mask] : (0..<run).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
            handle.seek(toFileOffset: UInt64(offset))
            handle.write(Data(damaged))
            handle.closeFile()
            let label = "\(targets[t]) byte \(offset) ^ \(mask) (run \(run))"
            attempt(label) {
                let s = try Searcher(path: dir, verifyChecksums: false)
                for q in queries {
                    attempt("\(label): \(q)") { _ = try s.search(q, options: SearchOptions(limit: 20)) }
                }
                var o = SearchOptions(limit: 5)
                o.bm25 = BM25(k1: 0.9, b: 0.4)
                attempt("\(label): explain") {
                    if let h = try s.search("cocoa harvest", options: o).hits.first {
                        _ = try s.explain(try Query.parse("cocoa harvest"), docID: h.docID, options: o)
                    }
                }
                for d in [0, 1, 2, 64, 127, 128, 129, 149] {
                    attempt("\(label): document \(d)") { _ = try s.document(d) }
                }
            }
            // Restore the byte.
            let restore = try XCTUnwrap(FileHandle(forWritingAtPath: path))
            restore.seek(toFileOffset: UInt64(offset))
            restore.write(Data(originals[t][offset ..< offset + run]))
            restore.closeFile()
        }
        // The loop really met damage (and the restored index is intact).
        XCTAssertGreaterThan(outcomes.thrown, iterations / 10)
        XCTAssertEqual(try Searcher(path: dir).documentCount, 148)
    }

    /// The stored-fields file of the pristine index: its name, bytes, and the file offsets of its id table
    /// and chunk index (read from the trailer).
    func storedFieldsFile(_ dir: String) throws -> (name: String, bytes: [UInt8], ids: Int, index: Int) {
        let name = try XCTUnwrap(try filesByKind(dir)["fdt"])
        let b = try bytes(dir + "/" + name)
        let end = b.count - FileEnvelope.footerSize
        func u64(at o: Int) -> Int { b[o ..< o + 8].reversed().reduce(0) { $0 << 8 | Int($1) } }
        return (name, b, FileEnvelope.headerSize + u64(at: end - 16), FileEnvelope.headerSize + u64(at: end - 8))
    }

    /// A stored-fields index whose first chunk claims to start after document 0 (a one-byte change).
    func testStoredFieldsChunkIndexStartingAfterDocZero() throws {
        let dir = try pristineIndex()
        let (name, original, _, index) = try storedFieldsFile(dir)
        var b = original
        XCTAssertLessThan(b[index], 0x80, "chunk count fits one byte")
        XCTAssertEqual(b[index + 1], 0, "first chunk's first doc")
        b[index + 1] = 1
        try write(dir + "/" + name, b)
        let s = try Searcher(path: dir, verifyChecksums: false)
        expectCorrupt(name, { try s.document(0) })
    }

    /// The id table's offsets out of order, or pointing past its bytes: a corrupt-index error naming the
    /// file, never a trap or a wrong id.
    func testDamagedIdTableIsCorruptNotATrap() throws {
        let dir = try pristineIndex()
        let (name, original, ids, _) = try storedFieldsFile(dir)
        XCTAssertEqual(try Searcher(path: dir).document(5).id, "doc-5")
        // Document 5's end offset: larger than the table (past the bytes), then below its start.
        for value: UInt32 in [0x7FFF_FFFF, 0] {
            var b = original
            let at = ids + 4 * 6
            for k in 0..<4 { b[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(k))) }
            try write(dir + "/" + name, b)
            let s = try Searcher(path: dir, verifyChecksums: false)
            expectCorrupt(name, { try s.document(5) })
            XCTAssertEqual(try s.document(7).id, "doc-7", "other documents read as before")
        }
        // The table's last offset disagreeing with its size: refused at open.
        var b = original
        b[ids + 4 * 150] ^= 1
        try write(dir + "/" + name, b)
        expectCorrupt(name, { try Searcher(path: dir, verifyChecksums: false) })
    }

    // MARK: crafted postings and dictionaries

    func cursor(_ doc: [UInt8], docFreq: Int, posOffset: Int = 0, errors: DecodeErrors) -> PostingsCursor {
        doc.withUnsafeBytes { raw in
            // Cursors keep pointers into the file; `doc` stays alive for the test (copied to a stable buffer).
            let stable = UnsafeMutableRawBufferPointer.allocate(byteCount: max(raw.count, 1), alignment: 8)
            stable.copyMemory(from: raw)
            addTeardownBlock { stable.deallocate() }
            let pos = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 8)
            pos.initializeMemory(as: UInt8.self, repeating: 0)
            addTeardownBlock { pos.deallocate() }
            return PostingsCursor(docFreq: docFreq, docFile: UnsafeRawBufferPointer(rebasing: stable[0..<raw.count]), docOffset: 0,
                                  posFile: UnsafeRawBufferPointer(pos), posOffset: posOffset, docCount: Int(Int32.max), inflater: Inflater(), errors: errors, fileName: "x.doc")
        }
    }

    /// One skip entry with uncompressed payloads (lengths shifted left, low bit 0 = not deflated).
    func skipEntry(_ w: inout ByteWriter, lastDelta: UInt64, docStored: Int, posStored: Int = 1) {
        w.vint(lastDelta); w.vint(1); w.u8(0); w.vint(docStored << 1); w.vint(posStored << 1)
    }

    func testSkipTableWithHugeDocDeltaIsCorruptNotATrap() {
        for (docFreq, deltas) in [(1, [UInt64.max]), (1, [UInt64(Int64.max)]), (129, [5, UInt64(Int64.max)]), (129, [5, UInt64.max - 3])] {
            var w = ByteWriter()
            for d in deltas { skipEntry(&w, lastDelta: d, docStored: 2) }
            let errors = DecodeErrors()
            let c = cursor(w.bytes + [0, 1, 0, 1], docFreq: docFreq, errors: errors)
            XCTAssertEqual(c.nextDoc(), noMoreDocs, "\(deltas)")
            guard case .corruptIndex(file: "x.doc", _)? = errors.first else { XCTFail("expected corruptIndex for \(deltas), got \(String(describing: errors.first))"); continue }
        }
    }

    func testHugePositionsOffsetIsCorruptNotATrap() {
        var w = ByteWriter()
        skipEntry(&w, lastDelta: 3, docStored: 2, posStored: 5)
        for posOffset in [Int.max - 2, Int.max, 1 << 62] {
            let errors = DecodeErrors()
            let c = cursor(w.bytes + [3, 1], docFreq: 1, posOffset: posOffset, errors: errors)
            XCTAssertEqual(c.nextDoc(), noMoreDocs)
            guard case .corruptIndex? = errors.first else { XCTFail("expected corruptIndex, got \(String(describing: errors.first))"); continue }
        }
    }

    /// A one-block `.tdi` of field-1 terms: (term byte, docFreq, doc value, positions value) as stored.
    func craftedDictionary(_ entries: [(UInt8, Int, Int, Int)]) throws -> TermDictionaryReader {
        let dir = temporaryDirectory(self)
        var block = ByteWriter()
        block.vint(entries.count)
        for (i, (t, df, d, q)) in entries.enumerated() {
            if i == 0 { block.vint(0); block.vint(2); block.bytes([1, t]) } else { block.vint(1); block.vint(1); block.bytes([t]) }
            block.vint(df); block.vint(0); block.vint(d); block.vint(q)
        }
        var index = ByteWriter()
        index.vint(1); index.vint(2); index.bytes([1, entries[0].0]); index.vint(0)
        var trailer = ByteWriter()
        trailer.u64(UInt64(block.count)); trailer.u64(UInt64(entries.count))
        let out = try OutputFile(path: dir + "/c.tdi", kind: .termDictionary)
        try out.write(block); try out.write(index); try out.write(trailer)
        try out.finish()
        return try TermDictionaryReader(file: MappedFile(path: dir + "/c.tdi", name: "c.tdi", kind: .termDictionary))
    }

    func testTermDictionaryOffsetsThatOverflowAreCorrupt() throws {
        let a: UInt8 = 0x61, b: UInt8 = 0x62
        // Doc offsets whose deltas sum past Int.max (as a damaged delta would make them).
        var r = try craftedDictionary([(a, 2, Int.max - 1, 0), (b, 2, 10, 0)])
        XCTAssertEqual(try r.lookup([1, a])?.docOffset, Int.max - 1)
        expectCorrupt("c.tdi", { try r.lookup([1, b]) })
        expectCorrupt("c.tdi", { var budget = 10; return try TermExpansion.prefixTerms(r, prefix: [1], budget: &budget) })
        // The same for positions offsets.
        r = try craftedDictionary([(a, 2, 0, Int.max - 1), (b, 3, 5, 10)])
        XCTAssertEqual(try r.lookup([1, a])?.posOffset, Int.max - 1)
        expectCorrupt("c.tdi", { try r.lookup([1, b]) })
        // An inline (single-document) doc id beyond the doc id range.
        r = try craftedDictionary([(a, 1, Int(Int32.max), 0)])
        expectCorrupt("c.tdi", { try r.lookup([1, a]) })
    }

    func testPhraseOverPositionsNearUInt32MaxDoesNotTrap() throws {
        let dir = temporaryDirectory(self)
        let docOut = try OutputFile(path: dir + "/p.doc", kind: .postings), posOut = try OutputFile(path: dir + "/p.pos", kind: .positions)
        let pw = makePostingsWriter(docOut: docOut, posOut: posOut)
        let norms: [UInt8] = [3]
        var offsets: [(Int, Int)] = []
        for positions: [UInt32] in [[7, UInt32.max - 1], [8, UInt32.max]] {
            offsets.append((pw.docOffset, pw.posOffset))
            try [UInt32(0)].withUnsafeBufferPointer { d in
                try [UInt32(positions.count)].withUnsafeBufferPointer { f in
                    try positions.withUnsafeBufferPointer { p in
                        try norms.withUnsafeBufferPointer { n in try pw.write(docs: d, freqs: f, positions: p, norms: n) }
                    }
                }
            }
        }
        try docOut.finish(); try posOut.finish()
        let doc = try MappedFile(path: dir + "/p.doc", name: "p.doc", kind: .postings)
        let pos = try MappedFile(path: dir + "/p.pos", name: "p.pos", kind: .positions)
        for (phraseOffsets, expected) in [([UInt32(0), 1], Int32(0)), ([UInt32(0), 5], noMoreDocs)] {
            let errors = DecodeErrors()
            let cursors = offsets.map {
                PostingsCursor(docFreq: 1, docFile: doc.body, docOffset: $0.0, posFile: pos.body, posOffset: $0.1,
                               docCount: Int(Int32.max), inflater: Inflater(), errors: errors, fileName: "p.doc")
            }
            let scorer = PhraseScorer(cursors: cursors, offsets: phraseOffsets, idf: 1, boost: 1, bm25: BM25(),
                                      cache: [Float](repeating: 1, count: 256), norms: nil, label: "t")
            XCTAssertEqual(scorer.nextDoc(), expected, "offsets \(phraseOffsets)")
            XCTAssertNil(errors.first)
        }
    }

    // MARK: no index

    func testNoIndex() throws {
        let empty = temporaryDirectory(self)
        XCTAssertEqual(expectSearchIndexError { try Searcher(path: empty) }, .noIndex(directory: empty))
        let missing = empty + "/does-not-exist"
        XCTAssertEqual(expectSearchIndexError { try Searcher(path: missing) }, .noIndex(directory: missing))
        // Only a temporary (uncommitted) manifest: still no index.
        try write(empty + "/segments_1.tmp", [1, 2, 3])
        XCTAssertEqual(expectSearchIndexError { try Searcher(path: empty) }, .noIndex(directory: empty))
    }
}
