import Foundation
import XCTest
@testable import SearchIndex

/// Multi-segment ranking, snapshots, replacement and deletion, the write lock and commit visibility.
final class SegmentTests: XCTestCase {
    func liveIDs(_ path: String) throws -> [String] {
        let s = try Searcher(path: path)
        var out: [String] = []
        for seg in s.segments.indices {
            let base = s.bases[seg]
            for d in 0..<s.segments[seg].meta.docCount where !s.segments[seg].isDeleted(Int32(d)) {
                out.append(try s.document(base + d).id)
            }
        }
        return out.sorted()
    }

    func count(_ s: Searcher, _ q: String) throws -> Int { try s.search(q, options: SearchOptions(limit: 1000)).totalHits }

    // MARK: multi-segment == single segment

    /// Asserts that `b` ranks like the reference `a` (same documents, same order, scores within 1e-5). Documents
    /// whose scores tie within float rounding (summation order can differ by layout) may come in either order.
    func assertSameRanking(_ a: SearchResults, _ b: SearchResults, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.totalHits, b.totalHits, label, file: file, line: line)
        XCTAssertEqual(a.hits.count, b.hits.count, label, file: file, line: line)
        guard a.hits.count == b.hits.count else { return }
        var i = 0
        while i < a.hits.count {
            var j = i + 1
            while j < a.hits.count && a.hits[j - 1].score - a.hits[j].score <= 1e-5 { j += 1 }
            let ga = ids(SearchResults(hits: Array(a.hits[i..<j]), totalHits: 0))
            let gb = ids(SearchResults(hits: Array(b.hits[i..<j]), totalHits: 0))
            if j - i == 1 { XCTAssertEqual(ga, gb, "\(label): rank \(i)", file: file, line: line) }
            else { XCTAssertEqual(Set(ga), Set(gb), "\(label): tie group at rank \(i)", file: file, line: line) }
            i = j
        }
        let scoreA = Dictionary(uniqueKeysWithValues: a.hits.map { ($0.document!.id, $0.score) })
        for h in b.hits {
            XCTAssertEqual(Double(h.score), Double(scoreA[h.document!.id] ?? -1), accuracy: 1e-5, "\(label): score of \(h.document!.id)", file: file, line: line)
        }
    }

    func testMultiSegmentRanksLikeSingleSegment() throws {
        let docs = generatedDocs(300, seed: 11)
        let one = temporaryDirectory(self), many = temporaryDirectory(self), merged = temporaryDirectory(self)
        var noMerge = IndexWriterConfig(); noMerge.mergeFactor = 0
        var mergeBy3 = IndexWriterConfig(); mergeBy3.mergeFactor = 3
        try buildIndex(one, docs, config: noMerge)
        try buildIndex(many, docs, perSegment: 37, config: noMerge)
        try buildIndex(merged, docs, perSegment: 37, config: mergeBy3)   // nine flushed segments merged at commit
        let s1 = try Searcher(path: one), sN = try Searcher(path: many), sM = try Searcher(path: merged)
        XCTAssertEqual(s1.segments.count, 1)
        XCTAssertEqual(sN.segments.count, 9, "300 docs flushed every 37")
        XCTAssertLessThanOrEqual(sM.segments.count, 3)   // (2 per tier, 3 at once)
        for s in [s1, sN, sM] { XCTAssertEqual(s.documentCount, 300) }
        let queries = [
            "cocoa", "harvest", "zürich", "東京", "сбор", "running", "title:oil", "body:bank",
            "cocoa prices", "+cocoa +bahia", "cocoa -harvest", "oil AND crude", "(gold OR silver) AND london",
            "\"new york\"", "\"crude oil\"", "body:\"cocoa cocoa\"", "arr*", "title:ba*", "tangier police arrest ship",
            "\"new york\" OR arr*", "+trade -talks market", "the",
        ]
        for (bm25, combination) in [(BM25(), SearchOptions().fieldCombination), (BM25(k1: 0.9, b: 0.4), FieldCombination.sum)] {
            for q in queries {
                var o = SearchOptions(limit: 1000)
                o.bm25 = bm25
                o.fieldCombination = combination
                let a = try s1.search(q, options: o)
                XCTAssertGreaterThan(a.totalHits, 0, "query \(q) should match something")
                XCTAssertEqual(a.totalHits, a.hits.count, q)
                let b = try sN.search(q, options: o)
                assertSameRanking(a, b, "\(q), 9 segments")
                // Same layout order, so even the document numbers agree.
                XCTAssertEqual(a.hits.map(\.docID).sorted(), b.hits.map(\.docID).sorted(), q)
                assertSameRanking(a, try sM.search(q, options: o), "\(q), merged")
                // With a small limit (where the searcher may skip documents that cannot make the top 10), every
                // layout returns the top 10 of the full ranking; totalHits may then be only a lower bound.
                var top = o; top.limit = 10
                for (name, s) in [("one", s1), ("nine", sN), ("merged", sM)] {
                    let t = try s.search(q, options: top)
                    XCTAssertEqual(t.hits.count, min(10, a.hits.count), "\(q), \(name)")
                    for (k, h) in t.hits.enumerated() {
                        XCTAssertEqual(Double(h.score), Double(a.hits[k].score), accuracy: 1e-5, "\(q), \(name): top-10 rank \(k)")
                    }
                    XCTAssertLessThanOrEqual(t.totalHits, a.totalHits, q)
                    XCTAssertGreaterThanOrEqual(t.totalHits, t.hits.count, q)
                }
            }
        }
        // Stored fields come back identical from every layout.
        for d in stride(from: 0, to: 300, by: 7) {
            XCTAssertEqual(try s1.document(d), try sN.document(d))
            XCTAssertEqual(try s1.document(d).id, "doc-\(d)")
        }
        let all = try (0..<300).map { try sM.document($0) }
        XCTAssertEqual(Set(all.map(\.id)), Set(docs.map(\.id)))
    }

    // MARK: commits and snapshots

    func testReopenAfterCommitSeesNewDocuments() throws {
        let dir = temporaryDirectory(self)
        let w = try IndexWriter(path: dir)
        try w.addDocument(makeDoc("1", title: "first cocoa", body: "alpha"))
        try w.commit()
        let s1 = try Searcher(path: dir)
        XCTAssertEqual(s1.documentCount, 1)
        try w.addDocument(makeDoc("2", title: "second cocoa", body: "beta"))
        try w.commit()
        XCTAssertEqual(s1.documentCount, 1, "an open searcher does not see later commits")
        XCTAssertEqual(try count(s1, "cocoa"), 1)
        let s2 = try Searcher(path: dir)
        XCTAssertEqual(s2.documentCount, 2)
        XCTAssertEqual(try count(s2, "cocoa"), 2)
        XCTAssertEqual(try count(s2, "beta"), 1)
        XCTAssertEqual(s2.manifest.generation, s1.manifest.generation + 1)
        w.close()
    }

    func testSnapshotSurvivesCommitThatDeletesItsFiles() throws {
        let dir = temporaryDirectory(self)
        let docs = generatedDocs(120, seed: 12)
        let w = try IndexWriter(path: dir)
        for (i, d) in docs.enumerated() { try w.addDocument(d); if i == 59 { try w.flush() } }
        try w.commit()
        let old = try Searcher(path: dir)
        let oldFiles = Set(old.manifest.referencedFiles)
        let queries = ["cocoa", "\"new york\"", "arr*", "+oil +crude", "bank -rates"]
        let before = try queries.map { try old.search($0, options: SearchOptions(limit: 50)) }
        XCTAssertEqual(old.documentCount, 120)

        // Replace everything and commit: every file of the old generation is removed.
        try w.deleteAll()
        try w.addDocument(makeDoc("fresh", title: "fresh start", body: "nothing in common"))
        try w.commit()
        let remaining = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        XCTAssertTrue(oldFiles.isDisjoint(with: remaining), "old files still present: \(oldFiles.intersection(remaining))")

        XCTAssertEqual(old.documentCount, 120)
        for (q, r) in zip(queries, before) {
            let again = try old.search(q, options: SearchOptions(limit: 50))
            XCTAssertEqual(again.totalHits, r.totalHits, q)
            XCTAssertEqual(ids(again), ids(r), q)
            XCTAssertEqual(again.hits.map(\.score), r.hits.map(\.score), q)
        }
        XCTAssertEqual(try old.document(119)["n"], "119")
        let now = try Searcher(path: dir)
        XCTAssertEqual(now.documentCount, 1)
        XCTAssertEqual(try count(now, "cocoa"), 0)
        XCTAssertEqual(ids(try now.search("fresh")), ["fresh"])
        w.close()
    }

    // MARK: replace and delete

    func testReplaceByIDInTheBuffer() throws {
        let dir = temporaryDirectory(self)
        let w = try IndexWriter(path: dir)
        try w.addDocument(makeDoc("x", title: "version one", body: "apple"))
        try w.addDocument(makeDoc("y", title: "other", body: "pear"))
        try w.addDocument(makeDoc("x", title: "version two", body: "banana"))
        try w.commit()
        let s = try Searcher(path: dir)
        XCTAssertEqual(s.documentCount, 2)
        XCTAssertEqual(try count(s, "apple"), 0)
        XCTAssertEqual(ids(try s.search("banana")), ["x"])
        XCTAssertEqual(try count(s, "version"), 1)
        XCTAssertEqual(try liveIDs(dir), ["x", "y"])
        w.close()
    }

    func testReplaceByIDAcrossFlushesAndCommits() throws {
        let dir = temporaryDirectory(self)
        let w = try IndexWriter(path: dir)
        try w.addDocument(makeDoc("x", title: "v1", body: "apple"))
        try w.addDocument(makeDoc("keep", title: "k", body: "kiwi"))
        try w.flush()
        try w.addDocument(makeDoc("x", title: "v2", body: "banana"))   // replaces a flushed, uncommitted doc
        try w.commit()
        var s = try Searcher(path: dir)
        XCTAssertEqual(s.documentCount, 2)
        XCTAssertEqual(try count(s, "apple"), 0)
        XCTAssertEqual(try count(s, "banana"), 1)

        try w.addDocument(makeDoc("x", title: "v3", body: "cherry"))   // replaces a committed doc
        try w.commit()
        try w.addDocument(makeDoc("x", title: "v4", body: "durian"))   // and again, in another segment
        try w.addDocument(makeDoc("x", title: "v5", body: "elderberry"))   // and in the buffer
        try w.commit()
        s = try Searcher(path: dir)
        XCTAssertEqual(s.documentCount, 2)
        for gone in ["apple", "banana", "cherry", "durian"] { XCTAssertEqual(try count(s, gone), 0, gone) }
        XCTAssertEqual(ids(try s.search("elderberry")), ["x"])
        XCTAssertEqual(try s.search("elderberry").hits.first?.document?["title"], "v5")
        XCTAssertEqual(try liveIDs(dir), ["keep", "x"])
        w.close()

        // A new writer (a new session) replaces it again.
        let w2 = try IndexWriter(path: dir)
        try w2.addDocument(makeDoc("x", title: "v6", body: "fig"))
        try w2.commit()
        w2.close()
        s = try Searcher(path: dir)
        XCTAssertEqual(s.documentCount, 2)
        XCTAssertEqual(try count(s, "elderberry"), 0)
        XCTAssertEqual(try liveIDs(dir), ["keep", "x"])
    }

    /// Oracle: random adds (replacing by id), deletes, flushes and commits, with bulk re-adds of every id (so
    /// that a segment's deletions are applied by a walk over its id terms) and single updates (a dictionary
    /// lookup per id). The live ids and each id's latest version match a model.
    func testReplaceAndDeleteMatchAModel() throws {
        for threads in [1, 2] { try replaceAndDeleteMatchAModel(threads: threads) }
        // The same with the pending ids keyed by their bytes (the path taken when two share a hash).
        for threads in [1, 2] { try replaceAndDeleteMatchAModel(threads: threads, hashed: false) }
    }

    func replaceAndDeleteMatchAModel(threads: Int, hashed: Bool = true) throws {
        var rng = SeededRNG(seed: 41 + UInt64(threads))
        let dir = temporaryDirectory(self)
        var config = IndexWriterConfig()
        config.threads = threads
        let w = try IndexWriter(path: dir, config: config)
        w.hashedPendingIDs = hashed
        var model: [String: Int] = [:]   // id -> version
        var version = 0
        let allIDs = (0..<300).map { i in i % 7 == 0 ? "é-\(i)" : "id\(i)" }
        func add(_ id: String) throws {
            version += 1; model[id] = version
            try w.addDocument(makeDoc(id, title: "t", body: "common v\(version)"))
        }
        for round in 0..<12 {
            switch rng.next() % 4 {
            case 0:   // bulk: every id again (or a large share)
                for id in allIDs where rng.next() % 5 != 0 { try add(id) }
            case 1:   // a few updates
                for _ in 0..<3 { try add(allIDs[Int(rng.next() % UInt64(allIDs.count))]) }
            case 2:   // deletes
                for _ in 0..<5 {
                    let id = allIDs[Int(rng.next() % UInt64(allIDs.count))]
                    try w.deleteDocument(id: id); model[id] = nil
                }
            default:
                for id in allIDs.prefix(Int(rng.next() % 60)) { try add(id) }
            }
            if rng.next() % 2 == 0 { try w.flush() }
            if rng.next() % 3 == 0 || round == 11 { try w.commit() }
        }
        w.close()
        XCTAssertEqual(try liveIDs(dir), model.keys.sorted())
        let s = try Searcher(path: dir)
        XCTAssertEqual(s.documentCount, model.count)
        for (id, v) in model {
            XCTAssertEqual(ids(try s.search("v\(v)")), [id], "id \(id) version \(v), \(threads) threads")
        }
    }

    func testDeleteDocument() throws {
        let dir = temporaryDirectory(self)
        let w = try IndexWriter(path: dir)
        for i in 0..<10 { try w.addDocument(makeDoc("d\(i)", title: "title \(i)", body: "common word\(i)")) }
        try w.commit()
        try w.deleteDocument(id: "d3")
        try w.deleteDocument(id: "no-such-id")
        try w.addDocument(makeDoc("b1", title: "buffered", body: "common"))
        try w.deleteDocument(id: "b1")   // deleted while still buffered
        try w.commit()
        var s = try Searcher(path: dir)
        XCTAssertEqual(s.documentCount, 9)
        XCTAssertEqual(try count(s, "common"), 9)
        XCTAssertEqual(try count(s, "word3"), 0)
        XCTAssertEqual(try count(s, "buffered"), 0)
        XCTAssertFalse(try liveIDs(dir).contains("d3"))

        // Delete more from the same segment (a new deletions generation), then everything.
        try w.deleteDocument(id: "d0")
        try w.deleteDocument(id: "d9")
        try w.commit()
        s = try Searcher(path: dir)
        XCTAssertEqual(s.documentCount, 7)
        XCTAssertEqual(try liveIDs(dir), ["d1", "d2", "d4", "d5", "d6", "d7", "d8"])
        for i in [1, 2, 4, 5, 6, 7, 8] { try w.deleteDocument(id: "d\(i)") }
        try w.commit()
        s = try Searcher(path: dir)
        XCTAssertEqual(s.documentCount, 0)
        XCTAssertEqual(s.manifest.segments.count, 0, "a fully deleted segment is dropped")
        XCTAssertEqual(try count(s, "common"), 0)
        w.close()
    }

    func testDeleteAllThenCommit() throws {
        let dir = temporaryDirectory(self)
        let w = try IndexWriter(path: dir)
        for i in 0..<20 { try w.addDocument(makeDoc("d\(i)", title: "t", body: "old stuff")) }
        try w.commit()
        try w.addDocument(makeDoc("pending", title: "t", body: "old pending"))
        try w.deleteAll()
        XCTAssertEqual(w.bufferedDocuments, 0)
        try w.commit()
        var s = try Searcher(path: dir)
        XCTAssertEqual(s.documentCount, 0)
        XCTAssertEqual(try count(s, "old"), 0)
        try w.addDocument(makeDoc("n", title: "t", body: "new stuff"))
        try w.commit()
        s = try Searcher(path: dir)
        XCTAssertEqual(s.documentCount, 1)
        XCTAssertEqual(try count(s, "old"), 0)
        XCTAssertEqual(ids(try s.search("new")), ["n"])
        w.close()
        // Only the live commit's files (and the lock file) remain.
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        XCTAssertEqual(files.subtracting(["write.lock"]), s.manifest.referencedFiles)
    }

    // MARK: lock and visibility

    func testSecondWriterGetsLockHeld() throws {
        let dir = temporaryDirectory(self)
        let w = try IndexWriter(path: dir)
        let e = expectSearchIndexError { try IndexWriter(path: dir) }
        if let e {
            guard case let .lockHeld(directory, holder) = e else { return XCTFail("expected lockHeld, got \(e)") }
            XCTAssertEqual(directory, dir)
            XCTAssertTrue(holder.contains("pid \(getpid())"), holder)
        }
        try w.addDocument(makeDoc("1", title: "a", body: "b"))
        try w.commit()
        w.close()
        let w2 = try IndexWriter(path: dir)   // the lock is free again
        try w2.addDocument(makeDoc("2", title: "c", body: "d"))
        try w2.commit()
        XCTAssertEqual(try Searcher(path: dir).documentCount, 2)
        w2.close()
    }

    func testWriterUnusableAfterClose() throws {
        let dir = temporaryDirectory(self)
        let w = try IndexWriter(path: dir)
        w.close()
        w.close()   // idempotent
        for (name, op) in [("add", { try w.addDocument(makeDoc("1", title: "a", body: "b")) }),
                           ("delete", { try w.deleteDocument(id: "1") }),
                           ("commit", { try w.commit() })] as [(String, () throws -> Void)] {
            XCTAssertEqual(expectSearchIndexError(op, name), .writerClosed, name)
        }
    }

    func testUncommittedDocumentsAreInvisibleAndLostOnClose() throws {
        let dir = temporaryDirectory(self)
        let w = try IndexWriter(path: dir)
        try w.addDocument(makeDoc("c", title: "committed", body: "x"))
        try w.commit()
        try w.addDocument(makeDoc("u1", title: "uncommitted", body: "x"))
        try w.flush()   // written to a segment, but not committed
        try w.addDocument(makeDoc("u2", title: "uncommitted", body: "x"))
        try w.deleteDocument(id: "c")
        XCTAssertEqual(w.bufferedDocuments, 1)
        var s = try Searcher(path: dir)
        XCTAssertEqual(s.documentCount, 1)
        XCTAssertEqual(try count(s, "uncommitted"), 0)
        XCTAssertEqual(try count(s, "committed"), 1)
        w.close()
        s = try Searcher(path: dir)
        XCTAssertEqual(s.documentCount, 1)
        XCTAssertEqual(try count(s, "uncommitted"), 0)
        XCTAssertEqual(try count(s, "committed"), 1, "the uncommitted delete is lost too")
        // The flushed, uncommitted segment's files were removed.
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        XCTAssertEqual(files.subtracting(["write.lock"]), s.manifest.referencedFiles)
        // A new writer does not resurrect them.
        let w2 = try IndexWriter(path: dir)
        try w2.commit()
        w2.close()
        XCTAssertEqual(try count(try Searcher(path: dir), "uncommitted"), 0)
    }

    func testUncommittedFirstIndexIsNoIndex() throws {
        let dir = temporaryDirectory(self)
        let w = try IndexWriter(path: dir)
        try w.addDocument(makeDoc("1", title: "a", body: "b"))
        try w.flush()
        let e = expectSearchIndexError { try Searcher(path: dir) }
        XCTAssertEqual(e, .noIndex(directory: dir))
        w.close()
    }

    func testEmptyCommit() throws {
        let dir = temporaryDirectory(self)
        let w = try IndexWriter(path: dir)
        try w.commit(userData: ["k": "v"])
        w.close()
        let s = try Searcher(path: dir)
        XCTAssertEqual(s.documentCount, 0)
        XCTAssertEqual(s.manifest.userData, ["k": "v"])
        let r = try s.search("anything at all")
        XCTAssertEqual(r.totalHits, 0)
        XCTAssertTrue(r.hits.isEmpty)
        XCTAssertEqual(try s.search("\"a phrase\" OR pre*").totalHits, 0)
        XCTAssertNotNil(expectSearchIndexError { try s.document(0) })
    }

    /// Ids come from the stored-fields id table; chunks where no document stores a field are written empty
    /// and read without inflating. Documents with and without stored fields, in every chunk shape (all
    /// empty, mixed, all stored), read back exactly, before and after a merge, and `check` agrees.
    func testStoredFieldsWithEmptyAndMixedChunks() throws {
        let dir = temporaryDirectory(self)
        let w = try IndexWriter(path: dir)
        var expected: [String: [(String, String)]] = [:]
        var rng = SeededRNG(seed: 5)
        for batch in 0..<2 {
            for i in 0..<150 {
                let id = "d\(batch)-\(i)-" + String(repeating: "é", count: Int(rng.next() % 4))
                var d = Document(id: id)
                d.addText("body", "word\(i % 7) common", stored: false)
                var fields: [(String, String)] = []
                // Docs 40..<100 store fields (some of them), the rest none: chunk 0 and chunk 4 are empty.
                if (40..<100).contains(i) && rng.next() % 3 != 0 {
                    d.addStored("title", "title \(i)"); fields.append(("title", "title \(i)"))
                    if i % 5 == 0 { d.addStored("note", String(repeating: "n", count: i)); fields.append(("note", String(repeating: "n", count: i))) }
                }
                expected[id] = fields
                try w.addDocument(d)
            }
            try w.commit()
        }
        func verify(_ s: Searcher) throws {
            XCTAssertEqual(s.documentCount, 300)
            var seen = Set<String>()
            for d in 0..<s.documentCount {
                let doc = try s.document(d)
                let want = try XCTUnwrap(expected[doc.id], doc.id)
                XCTAssertEqual(doc.fields.map(\.name), want.map(\.0), doc.id)
                XCTAssertEqual(doc.fields.map(\.value), want.map(\.1), doc.id)
                seen.insert(doc.id)
            }
            XCTAssertEqual(seen.count, 300)
            let hits = try s.search("word3", options: SearchOptions(limit: 100)).hits
            XCTAssertEqual(hits.count, 42)
            for h in hits { XCTAssertTrue(try XCTUnwrap(h.document).id.contains("-")) }
        }
        try verify(try Searcher(path: dir))
        XCTAssertNoThrow(try checkIndex(path: dir))
        try w.forceMerge()
        w.close()
        XCTAssertEqual(try Searcher(path: dir).manifest.segments.count, 1)
        try verify(try Searcher(path: dir))
        XCTAssertNoThrow(try checkIndex(path: dir))
    }

    /// `indexStats` splits the postings bytes into payloads and the rest, counting a payload shared by
    /// several blocks or terms (a group, a pack) once: checked against the distinct payloads of every term's
    /// skip table.
    func testStatsCountEachPayloadOnce() throws {
        let dir = temporaryDirectory(self)
        _ = try buildIndex(dir, generatedDocs(3000, seed: 41), perSegment: 1000)
        let st = try indexStats(path: dir)
        let (_, segs) = try openLatestCommit(IndexDirectory(path: dir), verify: true)
        var doc = [0, 0], pos = [0, 0], packed = 0   // [deflated, raw]
        for seg in segs {
            var docPayloads = Set<[Int]>(), posPayloads = Set<[Int]>()
            for b in 0..<seg.dict.blockCount {
                try seg.dict.scanBlock(b) { _, info in
                    guard info.singletonDoc < 0 else { return true }
                    guard let t = try? SkipTable.read(docFreq: info.docFreq, docFile: seg.docFile.body, docOffset: info.docOffset,
                                                      posFile: seg.posFile.body, posOffset: info.posOffset,
                                                      docCount: seg.meta.docCount, fileName: seg.docFile.name) else {
                        XCTFail("skip table at \(info.docOffset)"); return false
                    }
                    for e in t.entries {
                        docPayloads.insert([e.docStart, e.docStored, e.docRaw])
                        posPayloads.insert([e.posStart, e.posStored, e.posRaw])
                        if e.docPacked { packed += 1 }
                    }
                    return true
                }
            }
            for p in docPayloads { doc[p[2] > 0 ? 0 : 1] += p[1] }
            for p in posPayloads { pos[p[2] > 0 ? 0 : 1] += p[1] }
        }
        XCTAssertGreaterThan(packed, 0, "the corpus has packed terms")
        XCTAssertEqual([st.postings.deflatedBytes, st.postings.rawPayloadBytes], doc)
        XCTAssertEqual([st.positions.deflatedBytes, st.positions.rawPayloadBytes], pos)
        XCTAssertGreaterThan(st.postings.otherBytes, 0, "skip tables and envelopes")
        XCTAssertGreaterThan(st.allPostings.deflatedShare, 0.5)
    }
}
