import Foundation
#if canImport(Glibc)
import Glibc
#endif
import XCTest
@testable import SearchIndex

/// Zero-filled anonymous memory reserved lazily (MAP_NORESERVE): norms for doc ids near Int32.max cost
/// only the pages that are touched.
final class LazyBytes {
    let base: UnsafeMutablePointer<UInt8>
    let count: Int
    init(count: Int) {
        let p = mmap(nil, count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        precondition(p != nil && p != MAP_FAILED, "mmap of \(count) bytes failed")
        base = p!.assumingMemoryBound(to: UInt8.self)
        self.count = count
    }
    deinit { munmap(base, count) }
    var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }
    subscript(i: Int) -> UInt8 {
        get { base[i] }
        set { base[i] = newValue }
    }
}

/// One term's postings as the writer takes them.
struct PostingList {
    var docs: [UInt32] = []
    var freqs: [UInt32] = []
    /// Every doc's positions, back to back.
    var positions: [UInt32] = []
    /// Index in `positions` of each doc's first position (docs.count + 1 entries).
    var posStart: [Int] = [0]

    mutating func add(_ doc: UInt32, _ pos: [UInt32]) {
        docs.append(doc); freqs.append(UInt32(pos.count)); positions.append(contentsOf: pos)
        posStart.append(positions.count)
    }
    var count: Int { docs.count }
    func positions(of i: Int) -> ArraySlice<UInt32> { positions[posStart[i] ..< posStart[i + 1]] }

    /// Index of the first doc >= target, or count.
    func lowerBound(_ target: Int64) -> Int {
        var lo = 0, hi = docs.count
        while lo < hi { let m = (lo + hi) / 2; if Int64(docs[m]) < target { lo = m + 1 } else { hi = m } }
        return lo
    }
}

/// Postings written to a `.doc`/`.pos` pair and mapped back, with each term's dictionary entry.
struct WrittenPostings {
    let doc: MappedFile
    let pos: MappedFile
    let infos: [TermInfo]

    /// A cursor over term `i`, built the way `SegmentReader.cursor` builds it (inline for single-document terms).
    func cursor(_ i: Int, docFreq: Int, errors: DecodeErrors = DecodeErrors()) -> PostingsCursor {
        let info = infos[i]
        precondition(info.docFreq == docFreq)
        if info.singletonDoc >= 0 {
            return PostingsCursor(singletonDoc: info.singletonDoc, freq: info.totalTermFreq, posFile: pos.body,
                                  posOffset: info.posOffset, inflater: Inflater(), errors: errors, fileName: pos.name)
        }
        return PostingsCursor(docFreq: docFreq, docFile: doc.body, docOffset: info.docOffset, posFile: pos.body,
                              posOffset: info.posOffset, docCount: Int(Int32.max), inflater: Inflater(), errors: errors, fileName: doc.name)
    }
}

final class CodecTests: XCTestCase {
    lazy var dir = temporaryDirectory(self)
    var fileCounter = 0

    /// Writes each list as a segment flush does (`writeTerm`), or with `blocksOnly` always in the block format.
    /// With `packed`, terms go through `add` and `finish` instead, so small terms share packs.
    func writePostings(_ lists: [PostingList], norms: LazyBytes, level: Int32 = 6, blocksOnly: Bool = false,
                       packed: Bool = false) throws -> WrittenPostings {
        fileCounter += 1
        let docName = "t\(fileCounter).doc", posName = "t\(fileCounter).pos"
        let docOut = try OutputFile(path: dir + "/" + docName, kind: .postings)
        let posOut = try OutputFile(path: dir + "/" + posName, kind: .positions)
        let w = makePostingsWriter(docOut: docOut, posOut: posOut, level: level)
        var infos: [TermInfo] = []
        if packed {
            // As a segment flush writes: entries come back in order, later while their pack fills.
            var keys: [[UInt8]] = []
            for (k, l) in lists.enumerated() {
                let done = try l.docs.withUnsafeBufferPointer { d in
                    try l.freqs.withUnsafeBufferPointer { f in
                        try l.positions.withUnsafeBufferPointer { p in
                            try w.add(key: Self.key(k), docs: d, freqs: f, positions: p, norms: norms.buffer)
                        }
                    }
                }
                for e in done { keys.append(e.key); infos.append(e.info) }
            }
            for e in try w.finish() { keys.append(e.key); infos.append(e.info) }
            XCTAssertEqual(keys, lists.indices.map(Self.key), "every term's entry, once, in order")
            for (l, info) in zip(lists, infos) {
                XCTAssertEqual(info.docFreq, l.count)
                XCTAssertEqual(info.totalTermFreq, l.positions.count)
                XCTAssertEqual(info.singletonDoc, l.count == 1 ? Int32(l.docs[0]) : -1)
            }
        }
        for l in lists where !packed {
            let before = TermInfo(docFreq: l.count, totalTermFreq: l.positions.count, docOffset: w.docOffset, posOffset: w.posOffset)
            let info = try l.docs.withUnsafeBufferPointer { d in
                try l.freqs.withUnsafeBufferPointer { f in
                    try l.positions.withUnsafeBufferPointer { p in
                        if blocksOnly { try w.write(docs: d, freqs: f, positions: p, norms: norms.buffer); return before }
                        return try w.writeTerm(key: [UInt8(1)], docs: d, freqs: f, positions: p, norms: norms.buffer)
                    }
                }
            }
            XCTAssertEqual(info.docFreq, l.count)
            XCTAssertEqual(info.totalTermFreq, l.positions.count)
            XCTAssertEqual(info.posOffset, before.posOffset)
            if l.count == 1 && !blocksOnly {
                XCTAssertEqual(info.singletonDoc, Int32(l.docs[0]), "a single-document term is inline")
                XCTAssertEqual(w.docOffset, before.docOffset, "and writes nothing to .doc")
            } else {
                XCTAssertEqual(info.singletonDoc, -1)
                XCTAssertEqual(info.docOffset, before.docOffset)
            }
            infos.append(info)
        }
        try docOut.finish(); try posOut.finish()
        return WrittenPostings(doc: try MappedFile(path: dir + "/" + docName, name: docName, kind: .postings),
                               pos: try MappedFile(path: dir + "/" + posName, name: posName, kind: .positions),
                               infos: infos)
    }

    /// Term `k`'s key: increasing with `k`, as a dictionary's are.
    static func key(_ k: Int) -> [UInt8] { [UInt8(k >> 16 & 0xff), UInt8(k >> 8 & 0xff), UInt8(k & 0xff)] }

    /// Checks the skip data, a full nextDoc() walk, and random advance() walks against `l`.
    func verify(_ l: PostingList, _ w: WrittenPostings, _ i: Int, norms: LazyBytes, rng: inout SeededRNG,
                positionsEvery: Int = 1, advanceWalks: Int = 3, probesPerWalk: Int = 200,
                file: StaticString = #filePath, line: UInt = #line) {
        let n = l.count
        // Skip data per block.
        do {
            let errors = DecodeErrors()
            let c = w.cursor(i, docFreq: n, errors: errors)
            let blocks = (n + PostingsFormat.blockSize - 1) / PostingsFormat.blockSize
            XCTAssertEqual(c.blockCount, blocks, "block count", file: file, line: line)
            var last: [Int32] = [], maxFreq: [UInt32] = [], minNorm: [UInt8] = []
            for b in 0..<blocks {
                let r = (b * PostingsFormat.blockSize) ..< min(n, (b + 1) * PostingsFormat.blockSize)
                last.append(Int32(l.docs[r.upperBound - 1]))
                maxFreq.append(l.freqs[r].max()!)
                minNorm.append(r.map { norms[Int(l.docs[$0])] }.min()!)
            }
            XCTAssertEqual(c.blockLast, last, "blockLast", file: file, line: line)
            XCTAssertEqual(c.blockMaxFreq, maxFreq, "blockMaxFreq", file: file, line: line)
            if w.infos[i].singletonDoc >= 0 {
                // An inline term has no stored skip data; its norm bound must still be a lower bound.
                XCTAssertEqual(c.blockMinNorm.count, 1, file: file, line: line)
                XCTAssertLessThanOrEqual(c.blockMinNorm.first ?? 255, minNorm[0], "blockMinNorm bound", file: file, line: line)
            } else {
                XCTAssertEqual(c.blockMinNorm, minNorm, "blockMinNorm", file: file, line: line)
            }
            XCTAssertNil(errors.first, file: file, line: line)
        }
        // Sequential walk.
        do {
            let errors = DecodeErrors()
            let c = w.cursor(i, docFreq: n, errors: errors)
            XCTAssertEqual(c.docFreq, n, file: file, line: line)
            for k in 0..<n {
                let d = c.nextDoc()
                guard d == Int32(l.docs[k]) else {
                    XCTFail("nextDoc #\(k): got \(d), expected \(l.docs[k]) (error: \(String(describing: errors.first)))", file: file, line: line); return
                }
                guard c.freq == l.freqs[k] else { XCTFail("freq of doc #\(k): got \(c.freq), expected \(l.freqs[k])", file: file, line: line); return }
                if k % positionsEvery == 0 {
                    guard c.positions().elementsEqual(l.positions(of: k)) else {
                        XCTFail("positions of doc #\(k) (\(d)) differ", file: file, line: line); return
                    }
                }
            }
            XCTAssertEqual(c.nextDoc(), noMoreDocs, "after the last doc", file: file, line: line)
            XCTAssertEqual(c.nextDoc(), noMoreDocs, file: file, line: line)
            XCTAssertEqual(c.advance(0), noMoreDocs, file: file, line: line)
            XCTAssertNil(errors.first, file: file, line: line)
        }
        // Random walks mixing advance() (to docs, between docs, far ahead, backwards) and nextDoc().
        for _ in 0..<advanceWalks {
            let errors = DecodeErrors()
            let c = w.cursor(i, docFreq: n, errors: errors)
            var cur = -1   // index of the current doc
            for _ in 0..<probesPerWalk {
                let curDoc: Int64 = cur < 0 ? -1 : Int64(l.docs[cur])
                let expected: Int
                let got: Int32
                switch rng.next() % 6 {
                case 0:   // nextDoc
                    expected = cur + 1
                    got = c.nextDoc()
                case 1:   // a target at or behind the current doc does not move the cursor
                    guard cur >= 0 else { continue }
                    let back = Int64.random(in: 0...min(curDoc, 1000), using: &rng)
                    got = c.advance(Int32(curDoc - back))
                    expected = cur
                case 2:   // exactly onto a later doc
                    let j = Int.random(in: (cur + 1)...min(n, cur + 1 + Int.random(in: 0...300, using: &rng)), using: &rng)
                    let target: Int64 = j < n ? Int64(l.docs[j]) : Int64(l.docs[n - 1]) + 1
                    got = c.advance(Int32(min(target, Int64(noMoreDocs))))
                    expected = l.lowerBound(target)
                default:  // a gap ahead: small, medium, or huge
                    let gaps: [Int64] = [1, 2, 100, 5_000, 1 << 20, 1 << 28]
                    let g = Int64.random(in: 1...gaps[Int(rng.next() % UInt64(gaps.count))], using: &rng)
                    let target = min(curDoc + g, Int64(noMoreDocs))
                    got = c.advance(Int32(target))
                    expected = l.lowerBound(target)
                }
                if expected >= n {
                    guard got == noMoreDocs else { XCTFail("expected exhaustion, got \(got)", file: file, line: line); return }
                    break
                }
                guard got == Int32(l.docs[expected]), c.doc == got else {
                    XCTFail("walk: got \(got), expected doc #\(expected) = \(l.docs[expected]) (from #\(cur); error: \(String(describing: errors.first)))", file: file, line: line); return
                }
                cur = expected
                guard c.freq == l.freqs[cur] else { XCTFail("walk: freq of doc #\(cur)", file: file, line: line); return }
                if rng.next() % UInt64(positionsEvery) == 0 {
                    guard c.positions().elementsEqual(l.positions(of: cur)) else { XCTFail("walk: positions of doc #\(cur)", file: file, line: line); return }
                }
            }
            XCTAssertNil(errors.first, file: file, line: line)
        }
    }

    /// A random list: `n` docs from `start` with gaps in 1...maxGap, freqs in 1...maxFreq, positions with gaps in 1...maxPosGap.
    func randomList(_ rng: inout SeededRNG, n: Int, start: UInt32 = 0, maxGap: UInt32, maxFreq: Int, maxPosGap: UInt32) -> PostingList {
        var l = PostingList()
        var d = start
        for k in 0..<n {
            if k > 0 { d += UInt32.random(in: 1...maxGap, using: &rng) }
            let f = rng.next() % 4 == 0 ? Int.random(in: 1...maxFreq, using: &rng) : Int.random(in: 1...min(maxFreq, 3), using: &rng)
            var pos: [UInt32] = [], p = UInt32.random(in: 0...20, using: &rng)
            for _ in 0..<f { pos.append(p); p += UInt32.random(in: 1...maxPosGap, using: &rng) }
            l.add(d, pos)
        }
        return l
    }

    func randomNorms(_ lists: [PostingList], _ rng: inout SeededRNG, capacity: Int? = nil) -> LazyBytes {
        let maxDoc = lists.flatMap { $0.docs.last.map { [Int($0)] } ?? [] }.max() ?? 0
        let norms = LazyBytes(count: capacity ?? (maxDoc + 1))
        for l in lists { for d in l.docs { norms[Int(d)] = UInt8.random(in: 0...255, using: &rng) } }
        return norms
    }

    // MARK: postings

    func testSingleDocLists() throws {
        var rng = SeededRNG(seed: 1)
        var a = PostingList(); a.add(0, [0])
        var b = PostingList(); b.add(41, [2, 7, 9])
        var c = PostingList(); c.add(1000, [UInt32.max - 1])
        var d = PostingList(); d.add(7, (0..<100_000).map { UInt32($0 * 3) })
        let lists = [a, b, c, d]
        let norms = randomNorms(lists, &rng)
        let w = try writePostings(lists, norms: norms)
        for (i, l) in lists.enumerated() { verify(l, w, i, norms: norms, rng: &rng) }
        XCTAssertEqual(w.doc.body.count, 0, "single-document terms write no .doc bytes")
        // The block format holds a one-document list too.
        let wb = try writePostings(lists, norms: norms, blocksOnly: true)
        for (i, l) in lists.enumerated() { verify(l, wb, i, norms: norms, rng: &rng) }
    }

    func testEmptyPostingsCursorIsExhausted() throws {
        let norms = LazyBytes(count: 16)
        let w = try writePostings([PostingList()], norms: norms)
        XCTAssertEqual(w.doc.body.count, 0, "no postings, no bytes")
        let errors = DecodeErrors()
        let c = w.cursor(0, docFreq: 0, errors: errors)
        XCTAssertEqual(c.blockCount, 0)
        XCTAssertEqual(c.nextDoc(), noMoreDocs)
        XCTAssertEqual(c.advance(3), noMoreDocs)
        XCTAssertNil(errors.first)
    }

    func testBlockBoundaries() throws {
        var rng = SeededRNG(seed: 2)
        let group = PostingsFormat.blockSize * PostingsFormat.group
        let docGroup = PostingsFormat.blockSize * PostingsFormat.docGroup
        let sizes = [127, 128, 129, 255, 256, 257, 384, docGroup - 1, docGroup, docGroup + 1, docGroup + 129,
                     group - 1, group, group + 1, group + 128, 2 * group + 1]
        let lists = sizes.map { randomList(&rng, n: $0, start: UInt32.random(in: 0...3, using: &rng), maxGap: 9, maxFreq: 6, maxPosGap: 5) }
        let norms = randomNorms(lists, &rng)
        let w = try writePostings(lists, norms: norms)
        for (i, l) in lists.enumerated() {
            verify(l, w, i, norms: norms, rng: &rng, advanceWalks: 6)
        }
        // Dense ids 0..<128 and 0..<129: the second list has a one-doc last block.
        var d128 = PostingList(), d129 = PostingList()
        for d in 0..<128 { d128.add(UInt32(d), [UInt32(d % 7)]) }
        for d in 0..<129 { d129.add(UInt32(d), [0, 1]) }
        let w2 = try writePostings([d128, d129], norms: norms)
        XCTAssertGreaterThan(w2.doc.body.count, 0)
        verify(d128, w2, 0, norms: norms, rng: &rng)
        verify(d129, w2, 1, norms: norms, rng: &rng)
        XCTAssertEqual(w2.cursor(1, docFreq: 129).blockLast, [127, 128])
    }

    func testMillionDocs() throws {
        var rng = SeededRNG(seed: 3)
        var l = PostingList()
        l.docs.reserveCapacity(1_000_000); l.freqs.reserveCapacity(1_000_000)
        l.positions.reserveCapacity(1_100_000); l.posStart.reserveCapacity(1_000_001)
        var d: UInt32 = 0
        for k in 0..<1_000_000 {
            if k > 0 { d += rng.next() % 4 == 0 ? UInt32(1 + rng.next() % 5) : 1 }
            if rng.next() % 50 == 0 {
                let f = Int(2 + rng.next() % 5)
                l.add(d, (0..<f).map { UInt32($0 * 3 + 1) })
            } else {
                l.add(d, [UInt32(rng.next() % 300)])
            }
        }
        let norms = randomNorms([l], &rng)
        let w = try writePostings([l], norms: norms)
        verify(l, w, 0, norms: norms, rng: &rng, positionsEvery: 16, advanceWalks: 4, probesPerWalk: 1500)
    }

    func testHugeDocIDGaps() throws {
        var rng = SeededRNG(seed: 4)
        let top = UInt32(Int32.max) - 2
        var a = PostingList(); a.add(0, [1]); a.add(top, [0, 4])
        var b = PostingList(); b.add(top, [3])
        var c = PostingList(); c.add(5, [0]); c.add(top, [1]); c.add(top + 1, [2, 9, 100])   // top + 1 == Int32.max - 1, the largest doc id
        var e = PostingList()
        var spread = Set<UInt32>()
        while spread.count < 299 { spread.insert(UInt32.random(in: 0 ..< top, using: &rng)) }
        for x in spread.sorted() { e.add(x, [UInt32(x % 1000), UInt32(x % 1000) + 1 + x % 17]) }
        e.add(top, [7])
        let lists = [a, b, c, e]
        let norms = randomNorms(lists, &rng, capacity: Int(Int32.max))
        let w = try writePostings(lists, norms: norms)
        for (i, l) in lists.enumerated() { verify(l, w, i, norms: norms, rng: &rng, advanceWalks: 8) }
        // Direct jumps to the top of the id space.
        let cur = w.cursor(2, docFreq: c.count)
        XCTAssertEqual(cur.advance(6), Int32(top))
        XCTAssertEqual(cur.advance(Int32(top) + 1), Int32(top) + 1)
        XCTAssertEqual(Array(cur.positions()), [2, 9, 100])
        XCTAssertEqual(cur.nextDoc(), noMoreDocs)
    }

    func testMaximumFrequencies() throws {
        var rng = SeededRNG(seed: 5)
        var l = PostingList()
        for d in 0..<200 {
            switch d {
            case 5:   // 100,000 positions spread over the whole UInt32 range
                var s = Set<UInt32>([0, UInt32.max - 1])
                while s.count < 100_000 { s.insert(UInt32.random(in: 0 ... UInt32.max - 1, using: &rng)) }
                l.add(UInt32(d), s.sorted())
            case 150:  // 100,000 dense positions
                l.add(UInt32(d), (0..<100_000).map { UInt32($0) })
            case 151:
                l.add(UInt32(d), (0..<70_000).map { UInt32($0) * 61_000 })
            default:
                l.add(UInt32(d), [UInt32(d)])
            }
        }
        let norms = randomNorms([l], &rng)
        let w = try writePostings([l], norms: norms)
        verify(l, w, 0, norms: norms, rng: &rng)
        XCTAssertEqual(w.cursor(0, docFreq: l.count).blockMaxFreq, [100_000, 100_000])
    }

    func testRandomShapes() throws {
        var rng = SeededRNG(seed: 6)
        var lists: [PostingList] = []
        for _ in 0..<50 {
            let n: Int
            switch rng.next() % 7 {
            case 0: n = 1
            case 1: n = Int.random(in: 2...127, using: &rng)
            case 2: n = 128
            case 3: n = 129
            case 4: n = Int.random(in: 130...600, using: &rng)
            default: n = Int.random(in: 600...5000, using: &rng)
            }
            let maxGap: UInt32 = [1, 8, 1000, n > 600 ? 20_000 : 200_000][Int(rng.next() % 4)]
            let maxFreq = [1, 4, 40, 2000][Int(rng.next() % 4)]
            let maxPosGap: UInt32 = [1, 10, 100_000][Int(rng.next() % 3)]
            lists.append(randomList(&rng, n: n, start: UInt32.random(in: 0...1000, using: &rng), maxGap: maxGap, maxFreq: maxFreq, maxPosGap: maxPosGap))
        }
        let norms = randomNorms(lists, &rng)
        // All 50 terms back to back in one file pair, as a segment writes them.
        let w = try writePostings(lists, norms: norms)
        for (i, l) in lists.enumerated() {
            verify(l, w, i, norms: norms, rng: &rng, positionsEvery: l.count > 2000 ? 3 : 1, advanceWalks: 2, probesPerWalk: 150)
        }
    }

    /// The positions of `group` consecutive blocks share one payload: one per group in `.pos`,
    /// deflated when that shrinks it, each block's positions a slice of it that reads back exactly.
    func testPositionsAreDeflatedInGroupsOfBlocks() throws {
        var rng = SeededRNG(seed: 17)
        let g = PostingsFormat.group, b = PostingsFormat.blockSize
        let sizes = [2, b, b * g - 1, b * g, b * g + 1, b * g * 2 + 5, 5000]
        let lists = sizes.map { randomList(&rng, n: $0, start: 0, maxGap: 5, maxFreq: 12, maxPosGap: 2) }
        let norms = randomNorms(lists, &rng)
        let w = try writePostings(lists, norms: norms)
        var groupBytes = 0
        for (i, l) in lists.enumerated() {
            verify(l, w, i, norms: norms, rng: &rng, advanceWalks: 2, probesPerWalk: 50)
            let t = try SkipTable.read(docFreq: l.count, docFile: w.doc.body, docOffset: w.infos[i].docOffset, posFile: w.pos.body,
                                       posOffset: w.infos[i].posOffset, docCount: Int(Int32.max), fileName: "t")
            let blocks = (l.count + b - 1) / b
            XCTAssertEqual(Set(t.entries.map(\.posStart)).count, (blocks + g - 1) / g, "one payload per group, n = \(l.count)")
            for (k, e) in t.entries.enumerated() {
                XCTAssertEqual(e.posWithin == 0, k % g == 0)
                XCTAssertLessThan(e.posWithin, e.posEnd)
                if k % g == 0 {
                    groupBytes += e.posStored
                    if l.count - k * b >= b { XCTAssertGreaterThan(e.posRaw, 0, "small repetitive gaps deflate, n = \(l.count)") }
                    if k > 0 { XCTAssertEqual(t.entries[k - 1].posEnd, t.entries[k - 1].posRaw > 0 ? t.entries[k - 1].posRaw : t.entries[k - 1].posStored) }
                } else {
                    XCTAssertEqual(e.posStart, t.entries[k - 1].posStart)
                    XCTAssertEqual(t.entries[k - 1].posEnd, e.posWithin)
                }
            }
        }
        XCTAssertEqual(groupBytes, w.pos.body.count, "the groups are all of .pos")
    }

    /// The doc payloads of `docGroup` consecutive blocks share one payload in `.doc`, deflated when that
    /// shrinks it, each block's docs a slice of it that ends where the next block's start.
    func testDocsAreDeflatedInGroupsOfBlocks() throws {
        var rng = SeededRNG(seed: 19)
        let g = PostingsFormat.docGroup, b = PostingsFormat.blockSize
        XCTAssertEqual(PostingsFormat.group % g, 0, "doc groups lie inside positions groups")
        let sizes = [2, b, b * g - 1, b * g, b * g + 1, b * g * 2 + 5, 5000]
        let lists = sizes.map { randomList(&rng, n: $0, start: 0, maxGap: 5, maxFreq: 12, maxPosGap: 2) }
        let norms = randomNorms(lists, &rng)
        let w = try writePostings(lists, norms: norms)
        for (i, l) in lists.enumerated() {
            verify(l, w, i, norms: norms, rng: &rng, advanceWalks: 2, probesPerWalk: 50)
            let t = try SkipTable.read(docFreq: l.count, docFile: w.doc.body, docOffset: w.infos[i].docOffset, posFile: w.pos.body,
                                       posOffset: w.infos[i].posOffset, docCount: Int(Int32.max), fileName: "t")
            let blocks = (l.count + b - 1) / b
            XCTAssertEqual(Set(t.entries.map(\.docStart)).count, (blocks + g - 1) / g, "one payload per doc group, n = \(l.count)")
            for (k, e) in t.entries.enumerated() {
                XCTAssertEqual(e.docWithin == 0, k % g == 0)
                XCTAssertLessThan(e.docWithin, e.docEnd)
                if k % g == 0 {
                    if l.count - k * b >= b { XCTAssertGreaterThan(e.docRaw, 0, "small gaps deflate, n = \(l.count)") }
                    if k > 0 { XCTAssertEqual(t.entries[k - 1].docEnd, t.entries[k - 1].docRaw > 0 ? t.entries[k - 1].docRaw : t.entries[k - 1].docStored) }
                } else {
                    XCTAssertEqual(e.docStart, t.entries[k - 1].docStart)
                    XCTAssertEqual(t.entries[k - 1].docEnd, e.docWithin)
                }
            }
        }
    }

    func testCompressionLevelsReadTheSame() throws {
        var rng = SeededRNG(seed: 7)
        let lists = (0..<4).map { _ in randomList(&rng, n: 700, maxGap: 3, maxFreq: 10, maxPosGap: 4) }
        let norms = randomNorms(lists, &rng)
        var sizes: [Int] = []
        for level: Int32 in [0, 1, 9] {
            let w = try writePostings(lists, norms: norms, level: level)
            sizes.append(w.doc.size)
            for (i, l) in lists.enumerated() { verify(l, w, i, norms: norms, rng: &rng, advanceWalks: 1) }
        }
        XCTAssertGreaterThan(sizes[0], sizes[2], "level 9 compresses the doc payloads, level 0 cannot")
    }

    /// Small terms share packs: written through `add`/`finish` among singletons and large terms, every term
    /// reads back exactly; packed members' first doc groups point at one shared payload; the content hash is
    /// the unpacked writer's, and the files are smaller.
    func testSmallTermsSharePacks() throws {
        var rng = SeededRNG(seed: 23)
        let b = PostingsFormat.blockSize, g = PostingsFormat.docGroup
        var lists: [PostingList] = []
        for k in 0..<400 {
            let n: Int
            switch k % 10 {
            case 0, 1, 2: n = 1                                        // singletons (inline), inside and between packs
            case 3, 4, 5, 6: n = Int.random(in: 2...12, using: &rng)     // packed
            case 7: n = Int.random(in: 40...b + 20, using: &rng)         // packed or own, by size
            case 8: n = k % 40 == 8 ? b * g + Int.random(in: 1...300, using: &rng) : Int.random(in: 2...5, using: &rng)  // over one group: never packed
            default: n = Int.random(in: 2...b * g, using: &rng)
            }
            lists.append(randomList(&rng, n: n, start: UInt32.random(in: 0...50, using: &rng), maxGap: 40, maxFreq: 6, maxPosGap: 9))
        }
        let norms = randomNorms(lists, &rng)
        let w = try writePostings(lists, norms: norms, packed: true)
        let plain = try writePostings(lists, norms: norms)
        XCTAssertLessThan(w.doc.size + w.pos.size, plain.doc.size + plain.pos.size, "packs deflate better than small payloads alone")
        var packedDocs = 0, packedPos = 0
        var packStarts = Set<Int>()
        for (i, l) in lists.enumerated() {
            verify(l, w, i, norms: norms, rng: &rng, advanceWalks: 1, probesPerWalk: 40)
            guard l.count > 1 else { continue }
            let t = try SkipTable.read(docFreq: l.count, docFile: w.doc.body, docOffset: w.infos[i].docOffset, posFile: w.pos.body,
                                       posOffset: w.infos[i].posOffset, docCount: Int(Int32.max), fileName: "t")
            if l.count > b * g { XCTAssertFalse(t.entries[0].docPacked || t.entries[0].posPacked, "a term over one doc group has its own payloads") }
            if t.entries[0].docPacked {
                packedDocs += 1; packStarts.insert(t.entries[0].docStart)
                XCTAssertTrue(t.entries.allSatisfy { $0.docPacked && $0.docStart == t.entries[0].docStart })
            }
            if t.entries[0].posPacked { packedPos += 1 }
        }
        XCTAssertGreaterThan(packedDocs, 100, "small terms are packed")
        XCTAssertGreaterThan(packedPos, 100)
        XCTAssertLessThan(packStarts.count * 3, packedDocs, "packs have several members")
        // The same postings hash either way (the commit records it; `check` recomputes it from the files).
        let h1 = try hashOf(lists, norms: norms, packed: true), h2 = try hashOf(lists, norms: norms, packed: false)
        XCTAssertEqual(h1, h2)
    }

    private func hashOf(_ lists: [PostingList], norms: LazyBytes, packed: Bool) throws -> PostingsHash {
        fileCounter += 1
        let docOut = try OutputFile(path: dir + "/h\(fileCounter).doc", kind: .postings)
        let posOut = try OutputFile(path: dir + "/h\(fileCounter).pos", kind: .positions)
        let w = makePostingsWriter(docOut: docOut, posOut: posOut, level: 6)
        for (k, l) in lists.enumerated() {
            try l.docs.withUnsafeBufferPointer { d in
                try l.freqs.withUnsafeBufferPointer { f in
                    try l.positions.withUnsafeBufferPointer { p in
                        if packed { _ = try w.add(key: Self.key(k), docs: d, freqs: f, positions: p, norms: norms.buffer) }
                        else { _ = try w.writeTerm(key: Self.key(k), docs: d, freqs: f, positions: p, norms: norms.buffer) }
                    }
                }
            }
        }
        _ = try w.finish()
        try docOut.finish(); try posOut.finish()
        return w.contentHash
    }

    /// A packed term's back reference, or its slice of the pack, out of range is a typed error.
    func testCorruptPackReferencesThrow() throws {
        var rng = SeededRNG(seed: 29)
        let lists = (0..<12).map { _ in randomList(&rng, n: 3, maxGap: 4, maxFreq: 2, maxPosGap: 3) }
        let norms = randomNorms(lists, &rng)
        let w = try writePostings(lists, norms: norms, packed: true)
        let body = Array(w.doc.body)
        let i = 5, at = w.infos[i].docOffset
        // The first skip entry: last delta, max freq, min norm, then the doc field.
        var r = ByteReader(w.doc.body, offset: at, file: "t")
        _ = try r.vint(); _ = try r.vint(); _ = try r.u8()
        let fieldAt = r.offset
        let x = try r.vint()
        XCTAssertEqual(x & 1, 1, "term \(i) is packed")
        let back = Int(x >> 1)
        let start = try r.vint(), length = try r.vint()
        let rest = Array(body[r.offset...])
        func damaged(_ fields: [Int]) -> [UInt8] {
            var bw = ByteWriter()
            for f in fields { bw.vint(f) }
            return Array(body[..<fieldAt]) + bw.bytes + rest
        }
        XCTAssertNoThrow(try read(damaged([back << 1 | 1, Int(start), Int(length)]), at: at, i: i, w: w), "the undamaged bytes read")
        let cases: [(String, [Int])] = [
            ("no distance back", [1, Int(start), Int(length)]),
            ("back past the file's start", [(at + 1) << 1 | 1, Int(start), Int(length)]),
            ("back into the middle of the pack", [(back - 2) << 1 | 1, Int(start), Int(length)]),
            ("slice past the pack's end", [back << 1 | 1, 1 << 20, Int(length)]),
            ("slice too long", [back << 1 | 1, Int(start), 1 << 20]),
            ("empty slice", [back << 1 | 1, Int(start), 0]),
        ]
        for (what, fields) in cases {
            let bytes = damaged(fields)
            expectCorrupt("t", { try read(bytes, at: at, i: i, w: w) }, what)
        }
    }

    private func read(_ bytes: [UInt8], at: Int, i: Int, w: WrittenPostings) throws {
        try bytes.withUnsafeBytes { doc in
            let t = try SkipTable.read(docFreq: w.infos[i].docFreq, docFile: doc, docOffset: at, posFile: w.pos.body,
                                       posOffset: w.infos[i].posOffset, docCount: Int(Int32.max), fileName: "t")
            XCTAssertTrue(t.entries[0].docPacked)
            // Inflate the pack and decode the slice, as a cursor does.
            let errors = DecodeErrors()
            let c = PostingsCursor(docFreq: w.infos[i].docFreq, docFile: doc, docOffset: at, posFile: w.pos.body,
                                   posOffset: w.infos[i].posOffset, docCount: Int(Int32.max), inflater: Inflater(),
                                   errors: errors, fileName: "t")
            var n = 0
            while c.nextDoc() != noMoreDocs { n += 1 }
            try errors.check()
            guard n == w.infos[i].docFreq else { throw SearchIndexError.corruptIndex(file: "t", reason: "read \(n) docs") }
        }
    }

    // MARK: term dictionary

    func testTermDictionaryRoundTrip() throws {
        var rng = SeededRNG(seed: 8)
        var keySet = Set<[UInt8]>()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzéü".utf8)
        while keySet.count < 1000 {
            let field = UInt8.random(in: 0...3, using: &rng)
            let len = Int.random(in: 1...12, using: &rng)
            keySet.insert([field] + (0..<len).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
        }
        let keys = keySet.sorted { $0.lexicographicallyPrecedes($1) }
        var infos: [TermInfo] = []
        var doc = 0, pos = 0
        for _ in keys {
            // A third are single-document terms, whose doc id the dictionary holds inline.
            let df = rng.next() % 3 == 0 ? 1 : Int.random(in: 2...5000, using: &rng)
            var info = TermInfo(docFreq: df, totalTermFreq: df + Int.random(in: 0...9000, using: &rng), docOffset: doc, posOffset: pos)
            if df == 1 { info.singletonDoc = Int32.random(in: 0...Int32.max - 1, using: &rng) }
            else { doc += Int.random(in: 1...100_000, using: &rng) }
            infos.append(info)
            pos += Int.random(in: 0...1_000_000, using: &rng)
        }
        let out = try OutputFile(path: dir + "/t.tdi", kind: .termDictionary)
        let tw = TermDictionaryWriter(out: out)
        for (k, info) in zip(keys, infos) { try tw.add(key: k, info: info) }
        XCTAssertEqual(tw.termCount, keys.count)
        try tw.finish()
        let r = try TermDictionaryReader(file: MappedFile(path: dir + "/t.tdi", name: "t.tdi", kind: .termDictionary))
        XCTAssertEqual(r.termCount, keys.count)
        XCTAssertEqual(r.blockCount, (keys.count + TermDictionaryFormat.blockSize - 1) / TermDictionaryFormat.blockSize)
        func same(_ a: TermInfo?, _ b: TermInfo) -> Bool {
            guard let a else { return false }
            guard a.docFreq == b.docFreq, a.totalTermFreq == b.totalTermFreq, a.posOffset == b.posOffset, a.singletonDoc == b.singletonDoc else { return false }
            return b.docFreq == 1 || a.docOffset == b.docOffset   // an inline term has no .doc offset
        }
        for (k, info) in zip(keys, infos) {
            XCTAssertTrue(same(try r.lookup(k), info), "lookup of \(k)")
        }
        // Missing keys: before all, after all, between keys, prefixes and extensions of keys.
        var missing: [[UInt8]] = [[], [0], [255], [255, 255], Array(keys[0].dropLast()), keys.last! + [0x7a]]
        for _ in 0..<500 {
            let k = keys[Int(rng.next() % UInt64(keys.count))]
            missing.append(k + [UInt8(ascii: "q")]); missing.append(Array(k.prefix(k.count - 1)))
            var m = k; m[m.count - 1] ^= 0x01; missing.append(m)
        }
        for m in missing where !keySet.contains(m) { XCTAssertNil(try r.lookup(m), "\(m) is not in the dictionary") }
        // Prefix enumeration equals filtering the sorted keys.
        for p in [[UInt8](arrayLiteral: 1), [2, UInt8(ascii: "a")], [0, UInt8(ascii: "z"), UInt8(ascii: "z")], [3], [4], [1, 0xC3]] {
            let expected = keys.filter { $0.starts(with: p) }
            var budget = Int.max
            let got = try TermExpansion.prefixTerms(r, prefix: p, budget: &budget)
            XCTAssertEqual(got.map(\.key), expected, "prefix \(p)")
            for (k, df) in got { XCTAssertEqual(df, infos[keys.firstIndex(of: k)!].docFreq, "prefix entry \(k)") }
            if expected.count > 2 {
                var small = 2
                XCTAssertThrowsError(try TermExpansion.prefixTerms(r, prefix: p, budget: &small), "budget of 2 for \(expected.count) terms")
            }
        }
    }

    func testEmptyTermDictionary() throws {
        let out = try OutputFile(path: dir + "/e.tdi", kind: .termDictionary)
        let tw = TermDictionaryWriter(out: out)
        try tw.finish()
        let r = try TermDictionaryReader(file: MappedFile(path: dir + "/e.tdi", name: "e.tdi", kind: .termDictionary))
        XCTAssertEqual(r.termCount, 0)
        XCTAssertNil(try r.lookup([1, 0x61]))
        var budget = 10
        XCTAssertTrue(try TermExpansion.prefixTerms(r, prefix: [1], budget: &budget).isEmpty)
    }

    // MARK: varints and fixed-width integers

    func testVarintRoundTrip() throws {
        var rng = SeededRNG(seed: 9)
        var values: [UInt64] = [0, 1, 127, 128, 255, 256, 16_383, 16_384, UInt64(UInt32.max), UInt64(UInt32.max) + 1,
                                UInt64(Int64.max), UInt64.max - 1, UInt64.max]
        for _ in 0..<2000 { values.append(rng.next() >> (rng.next() % 64)) }
        var w = ByteWriter()
        for v in values { w.vint(v) }
        w.vint(Int(42)); w.vint(UInt32.max)
        try w.bytes.withUnsafeBytes { raw in
            var r = ByteReader(raw, file: "v")
            for v in values { XCTAssertEqual(try r.vint(), v) }
            XCTAssertEqual(try r.count(), 42)
            XCTAssertEqual(try r.vint(), UInt64(UInt32.max))
            XCTAssertTrue(r.atEnd)
        }
        func encoded(_ v: UInt64) -> [UInt8] { var w = ByteWriter(); w.vint(v); return w.bytes }
        XCTAssertEqual(encoded(0), [0])
        XCTAssertEqual(encoded(127), [0x7F])
        XCTAssertEqual(encoded(128), [0x80, 0x01])
        XCTAssertEqual(encoded(300), [0xAC, 0x02])
        XCTAssertEqual(encoded(UInt64.max).count, 10)
        XCTAssertEqual(encoded(UInt64.max), Array(repeating: 0xFF, count: 9) + [0x01])
    }

    /// The bulk decoder (eight one-byte varints per 64-bit load) against the one-at-a-time decoder, on runs
    /// mixing one-byte and longer values at every alignment, and on truncated input.
    func testBulkVarintDecodeMatchesScalar() {
        var rng = SeededRNG(seed: 31)
        for trial in 0..<400 {
            let n = Int(rng.next() % 300)
            let longShare = [0, 2, 10, 50, 100][trial % 5]
            let values: [UInt32] = (0..<n).map { _ in
                rng.next() % 100 < UInt64(longShare) ? UInt32(truncatingIfNeeded: rng.next() >> (rng.next() % 57)) : UInt32(rng.next() % 128)
            }
            var w = ByteWriter()
            let lead = Int(rng.next() % 9)
            for _ in 0..<lead { w.u8(0xEE) }
            for v in values { w.vint(v) }
            let cut = trial % 7 == 6 && w.count > lead ? Int(rng.next() % UInt64(w.count - lead)) : 0
            let bytes = Array(w.bytes.dropLast(cut))
            bytes.withUnsafeBytes { raw in
                var o1 = lead, o2 = lead
                var scalar: [UInt32] = []
                var scalarOK = true
                for _ in 0..<n { if let v = decodeVInt32(raw, &o1) { scalar.append(v) } else { scalarOK = false; break } }
                let out = UnsafeMutablePointer<UInt32>.allocate(capacity: max(n, 1))
                defer { out.deallocate() }
                let ok = decodeVInts32(raw, &o2, count: n, into: out)
                XCTAssertEqual(ok, scalarOK, "trial \(trial)")
                if ok {
                    XCTAssertEqual(Array(UnsafeBufferPointer(start: out, count: n)), values, "trial \(trial)")
                    XCTAssertEqual(o2, o1, "trial \(trial)")
                }
                if cut == 0 { XCTAssertTrue(ok, "trial \(trial)") }
            }
        }
    }

    func testTruncatedAndOverlongVarintsThrow() throws {
        let cases: [[UInt8]] = [
            [],                                           // nothing
            [0x80],                                       // continuation, then end
            [0xAC],                                       // first byte of 300
            Array(repeating: 0xFF, count: 9),             // UInt64.max without its last byte
            Array(repeating: 0x80, count: 11) + [0x01],   // longer than 10 bytes
            Array(repeating: 0xFF, count: 10) + [0x01],   // 10th byte still has the continuation bit
        ]
        for bytes in cases {
            bytes.withUnsafeBytes { raw in
                var r = ByteReader(raw, file: "trunc.bin")
                expectCorrupt("trunc.bin", { try r.vint() }, "\(bytes)")
            }
        }
        // count(limit:) rejects values above the limit.
        var w = ByteWriter(); w.vint(1000)
        try w.bytes.withUnsafeBytes { raw in
            var r = ByteReader(raw, file: "lim")
            expectCorrupt("lim", { try r.count(limit: 999) })
            var r2 = ByteReader(raw, file: "lim")
            XCTAssertEqual(try r2.count(limit: 1000), 1000)
        }
    }

    func testFixedWidthStringsSlicesAndBounds() throws {
        var w = ByteWriter()
        w.u8(7); w.u32(0x0102_0304); w.u64(0x1122_3344_5566_7788); w.string("Zürich 東京"); w.string("")
        XCTAssertEqual(Array(w.bytes[1..<5]), [4, 3, 2, 1], "little-endian")
        try w.bytes.withUnsafeBytes { raw in
            var r = ByteReader(raw, file: "f")
            XCTAssertEqual(try r.u8(), 7)
            XCTAssertEqual(try r.u32(), 0x0102_0304)
            XCTAssertEqual(try r.u64(), 0x1122_3344_5566_7788)
            XCTAssertEqual(try r.string(), "Zürich 東京")
            XCTAssertEqual(try r.string(), "")
            XCTAssertTrue(r.atEnd)
            expectCorrupt("f", { try r.u8() })
            try r.seek(raw.count - 3)
            expectCorrupt("f", { try r.u32() })
            expectCorrupt("f", { try r.u64() })
            expectCorrupt("f", { try r.slice(4) })
            XCTAssertEqual(try r.slice(3).count, 3)
            expectCorrupt("f", { try r.seek(raw.count + 1) })
            expectCorrupt("f", { try r.seek(-1) })
            try r.seek(0)
            expectCorrupt("f", { try r.slice(-1) })
        }
        // A string whose length runs past the end.
        var s = ByteWriter(); s.vint(50); s.bytes([0x61, 0x62])
        s.bytes.withUnsafeBytes { raw in
            var r = ByteReader(raw, file: "s")
            expectCorrupt("s", { try r.string() })
        }
    }

    // MARK: norms

    func testNormCodec() {
        for l in 0..<24 { XCTAssertEqual(NormCodec.decode(NormCodec.encode(l)), l, "lengths below 24 are exact") }
        var lengths = Array(0..<200_000)
        var x = 200_000.0
        while x < Double(Int32.max) { lengths.append(Int(x)); lengths.append(Int(x) + 1); x *= 1.013 }
        lengths.append(Int(Int32.max) - 1); lengths.append(Int(Int32.max))
        var prevByte: UInt8 = 0
        for l in lengths {
            let b = NormCodec.encode(l)
            if b < prevByte { XCTFail("encode is not monotonic at \(l)"); break }
            prevByte = b
            let d = NormCodec.decode(b)
            if d > l || Double(d) < Double(l) * 0.875 { XCTFail("decode(encode(\(l))) = \(d) is not within 12.5% below"); break }
        }
        // Every byte is used, decode is strictly increasing, and each byte stands for the lower end of its bucket.
        for b in 0...255 {
            let d = NormCodec.decode(UInt8(b))
            XCTAssertEqual(NormCodec.encode(d), UInt8(b))
            if b > 0 { XCTAssertGreaterThan(d, NormCodec.decode(UInt8(b - 1))) }
            XCTAssertEqual(NormCodec.table[b], Float(d))
        }
        XCTAssertEqual(NormCodec.encode(-5), 0)
        XCTAssertEqual(NormCodec.encode(Int.max), NormCodec.encode(Int(Int32.max)))
        XCTAssertEqual(NormCodec.encode(Int(Int32.max)), 255)
    }

    // MARK: zlib

    func testDeflateInflateRoundTrip() {
        var rng = SeededRNG(seed: 10)
        let deflater = Deflater(), inflater = Inflater()
        var inputs: [[UInt8]] = [[42], Array("hello hello hello hello hello hello".utf8)]
        inputs.append((0..<10_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) })            // incompressible
        inputs.append((0..<200_000).map { UInt8(truncatingIfNeeded: $0 % 7 + ($0 / 1000) % 3) })  // compressible
        for _ in 0..<20 { inputs.append((0..<Int(rng.next() % 5000)).map { _ in UInt8(rng.next() % 4) }) }
        var out: [UInt8] = []
        for input in inputs {
            var dest: [UInt8] = [9, 9, 9]
            let n = deflater.compress(input, into: &dest)
            XCTAssertGreaterThan(n, 0)
            XCTAssertEqual(dest.count, 3 + n, "compress appends")
            XCTAssertEqual(Array(dest.prefix(3)), [9, 9, 9])
            let compressed = Array(dest.dropFirst(3))
            let ok = compressed.withUnsafeBytes { inflater.decompress($0, outputCount: input.count, into: &out) }
            XCTAssertTrue(ok)
            XCTAssertEqual(Array(out.prefix(input.count)), input)
            if input.count > 1 {
                // A wrong expected length fails.
                XCTAssertFalse(compressed.withUnsafeBytes { inflater.decompress($0, outputCount: input.count - 1, into: &out) })
                XCTAssertFalse(compressed.withUnsafeBytes { inflater.decompress($0, outputCount: input.count + 1, into: &out) })
                // A truncated stream fails.
                XCTAssertFalse(compressed.prefix(compressed.count / 2).withUnsafeBytes { inflater.decompress(UnsafeRawBufferPointer($0), outputCount: input.count, into: &out) })
            }
        }
        XCTAssertLessThan(deflater.compress(inputs[3], into: &out), inputs[3].count / 10)
    }

    func testInflateGarbageFails() {
        let inflater = Inflater()
        var out: [UInt8] = []
        // 0xFF…: final block with the reserved block type 11.
        let garbage = [UInt8](repeating: 0xFF, count: 64)
        XCTAssertFalse(garbage.withUnsafeBytes { inflater.decompress($0, outputCount: 100, into: &out) })
        // A stored block whose LEN and NLEN do not match.
        let badStored: [UInt8] = [0x01, 0x05, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5]
        XCTAssertFalse(badStored.withUnsafeBytes { inflater.decompress($0, outputCount: 5, into: &out) })
        // An empty input cannot produce bytes.
        XCTAssertFalse([UInt8]().withUnsafeBytes { inflater.decompress($0, outputCount: 10, into: &out) })
        // The inflater still works after failures.
        var dest: [UInt8] = []
        _ = Deflater().compress(Array("still fine".utf8), into: &dest)
        XCTAssertTrue(dest.withUnsafeBytes { inflater.decompress($0, outputCount: 10, into: &out) })
        XCTAssertEqual(Array(out.prefix(10)), Array("still fine".utf8))
    }

    func testCRCMatchesKnownValue() {
        // The standard CRC-32 check value.
        XCTAssertEqual(Array("123456789".utf8).withUnsafeBytes { crc32Of($0) }, 0xCBF4_3926)
    }
}
