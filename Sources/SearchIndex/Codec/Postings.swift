/// Postings: for each term, its documents, term frequencies and positions, in blocks of
/// ``PostingsFormat/blockSize`` documents compressed with zlib.
///
/// The byte layout of ``IndexFileKind/postings`` and ``IndexFileKind/positions`` is specified in
/// `Index/README.md` ("Postings and positions"), the one specification of the format. In short: a term's
/// dictionary entry gives `docFreq`, `docOffset` and `posOffset`; at `docOffset` a skip table (one raw entry per
/// block: last doc, max freq, min norm, where its payloads are) precedes the doc payloads; at `posOffset` the
/// positions payloads follow the same blocks.
///
/// A term in exactly one document (a third of all terms in news text) has no `.doc` entry at all: the term
/// dictionary holds its doc id, and its positions sit uncompressed at `posOffset` (see ``TermInfo``).
///
/// Every block except the last holds exactly 128 docs. The skip data (last doc, max freq, min norm) lets a
/// query skip a block, or bound its best BM25 score, without inflating it; positions are only inflated
/// for phrase queries. ``PostingsFormat/group`` consecutive blocks form a group, whose positions are deflated
/// together as one payload; ``PostingsFormat/docGroup`` consecutive blocks form a doc group, whose doc
/// payloads are deflated together as another.
enum PostingsFormat {
    static let blockSize = 128
    /// Doc payloads use deflate's fixed Huffman codes (see `Index/README.md` for the measurements).
    static let fixedDocs = true
    /// Blocks whose positions share one deflated payload (the last group of a term may hold fewer). zlib
    /// builds Huffman trees for every deflate block, whatever the strategy, and for a block of a few hundred
    /// bytes that is most of the cost: deflating a block's positions alone cost about 86,000 instructions,
    /// its docs about 77,000; see `Index/README.md`.
    static let group = 8
    /// Blocks whose doc payloads share one deflated payload: a divisor of ``group``, so a group's doc groups
    /// lie inside it. Smaller than ``group`` because doc blocks are read by every query, often one block of a
    /// group (a skip to a target doc): inflating a doc group costs in proportion to its blocks. On 1M
    /// synthetic docs (2 threads, Intel Xeon), against single blocks, doc groups of 4 made indexing about 10%
    /// faster and ranked queries about 10% slower; groups of 8, 13% and 35%; see `Index/README.md`.
    static let docGroup = 4
    /// The zlib level doc groups are deflated at, at most: deflate's fast matcher. On the full blocks of a
    /// 60k-document synthetic segment (zlib 1.2.13), groups at level 2 deflated in 0.23 s to 0.586 of the raw
    /// bytes, at level 6 in 0.36 s to 0.563 (single blocks at level 6, format version 4: 0.43 s, 0.599).
    static let docGroupLevel: Int32 = 2
    /// A term of at most one doc group whose doc bytes, or positions bytes, are fewer than this shares a
    /// pack with its neighbours in the dictionary (see ``PostingsWriter``).
    static let packLimit = 1024
    /// A pack is deflated once it holds this many bytes of either kind.
    static let packTarget = 2048
}

/// Appends the postings of one term at a time to the `.doc` and `.pos` files.
///
/// A segment's terms go through ``add(key:docs:freqs:positions:norms:)``, which packs small terms: a term of
/// at most one doc group whose doc bytes (or positions bytes) are under ``PostingsFormat/packLimit`` waits,
/// and the waiting terms' bytes of each kind are deflated together as one *pack* once they reach
/// ``PostingsFormat/packTarget`` (or a larger term comes, or the segment ends). Each member's skip table then
/// points back at its pack. So the dictionary entries come out in order but later: `add` returns the ones
/// now complete, ``finish()`` the rest.
final class PostingsWriter {
    let docOut: OutputFile
    let posOut: OutputFile
    let docDeflater: PayloadCompressor
    let posDeflater: PayloadCompressor
    private var skip = ByteWriter(capacity: 1024)
    private var docPayloads: [UInt8] = []
    private var posPayloads: [UInt8] = []
    private var scratch = ByteWriter(capacity: 4096)
    private var scratchPos = ByteWriter(capacity: 4096)
    private var group: [GroupBlock] = []

    /// One block's skip entry, held until its group is stored.
    private struct GroupBlock {
        var lastDelta: UInt32, maxFreq: UInt32, minNorm: UInt8
        /// Where the block's docs start in its doc group's inflated bytes, and its positions in its group's.
        var docWithin: Int, posWithin: Int
        /// For the first block of a doc group: the group's stored and inflated (0: raw) doc payload lengths.
        var docStored = 0, docRaw = 0
    }

    /// A term waiting for its pack to be written: a single-document term (its inline positions), or a
    /// member of the pack (its blocks, and for each kind its place in the pack, or its own raw bytes).
    private enum Waiting {
        case single(key: [UInt8], info: TermInfo, positions: [UInt8])
        case member(key: [UInt8], info: TermInfo, blocks: [GroupBlock], doc: Part, pos: Part)
    }
    /// A member's bytes of one kind: a slice of the pack, or its own payload (raw; stored at the pack's write).
    fileprivate enum Part {
        case packed(start: Int, length: Int)
        case own([UInt8])
    }
    private var waiting: [Waiting] = []
    private var docPack: [UInt8] = [], posPack: [UInt8] = []
    private var members = 0

    /// Doc groups are inflated on every query that reads them, so they use fixed Huffman codes (inflating
    /// them builds no decode tables: about 30% faster for a ~5% larger file) and deflate's fast matcher
    /// (``PostingsFormat/docGroupLevel``, or `level` if lower); positions, read only by phrases, are
    /// Huffman-coded with dynamic codes. Both go through a ``SizedDeflater``.
    static func forSegment(docOut: OutputFile, posOut: OutputFile, level: Int32) -> PostingsWriter {
        PostingsWriter(docOut: docOut, posOut: posOut,
                       docDeflater: SizedDeflater(level: min(level, PostingsFormat.docGroupLevel), fixedHuffman: PostingsFormat.fixedDocs),
                       posDeflater: SizedDeflater(level: level, huffmanOnly: true))
    }

    convenience init(docOut: OutputFile, posOut: OutputFile, deflater: Deflater) {
        self.init(docOut: docOut, posOut: posOut, docDeflater: deflater, posDeflater: deflater)
    }
    init(docOut: OutputFile, posOut: OutputFile, docDeflater: PayloadCompressor, posDeflater: PayloadCompressor) {
        self.docOut = docOut; self.posOut = posOut; self.docDeflater = docDeflater; self.posDeflater = posDeflater
    }

    /// Body-relative offsets of where the next term's postings will start.
    var docOffset: Int { docOut.position - FileEnvelope.headerSize }
    var posOffset: Int { posOut.position - FileEnvelope.headerSize }

    /// Appends `payload` to `dest`, deflated if that is smaller; returns (stored, raw) lengths for the skip entry.
    private func store(_ payload: [UInt8], into dest: inout [UInt8], _ deflater: PayloadCompressor) -> (Int, Int) {
        if payload.count >= 24 {
            let before = dest.count
            let n = deflater.compress(payload, into: &dest)
            if n > 0 && n < payload.count { return (n, payload.count) }
            dest.removeSubrange(before...)
        }
        dest.append(contentsOf: payload)
        return (payload.count, 0)
    }

    /// The end-to-end hash of everything written so far (see ``PostingsHash``).
    private(set) var contentHash = PostingsHash()

    private func hashTerm<K: Collection>(_ key: K, docs: UnsafeBufferPointer<UInt32>, freqs: UnsafeBufferPointer<UInt32>,
                                         positions: UnsafeBufferPointer<UInt32>) where K.Element == UInt8 {
        // (On a local: a class property would pay a dynamic exclusivity check per position.)
        var hash = contentHash
        hash.term(key)
        var k = 0
        for i in 0..<docs.count {
            hash.doc(docs[i], freq: freqs[i])
            for _ in 0..<Int(freqs[i]) { hash.position(positions[k]); k += 1 }
        }
        contentHash = hash
    }

    /// A single-document term's positions as stored inline: `freq` deltas.
    private static func inlinePositions(_ positions: UnsafeBufferPointer<UInt32>) -> [UInt8] {
        var out = ByteWriter(capacity: positions.count * 2)
        var pp: UInt32 = 0
        for p in positions { out.vint(p - pp); pp = p }
        return out.bytes
    }

    /// Adds one term of a segment (keys in increasing order) and returns the dictionary entries now complete,
    /// in key order: this term's, or none while it (or a term before it) waits for its pack, or several.
    func add<K: Collection>(key: K, docs: UnsafeBufferPointer<UInt32>, freqs: UnsafeBufferPointer<UInt32>,
                            positions: UnsafeBufferPointer<UInt32>, norms: UnsafeBufferPointer<UInt8>) throws -> [(key: [UInt8], info: TermInfo)] where K.Element == UInt8 {
        hashTerm(key, docs: docs, freqs: freqs, positions: positions)
        var info = TermInfo(docFreq: docs.count, totalTermFreq: positions.count, docOffset: 0, posOffset: 0)
        if docs.count == 1 {
            info.singletonDoc = Int32(docs[0])
            if waiting.isEmpty {
                info.docOffset = docOffset; info.posOffset = posOffset
                try posOut.write(Self.inlinePositions(positions))
                return [(Array(key), info)]
            }
            waiting.append(.single(key: Array(key), info: info, positions: Self.inlinePositions(positions)))
            return []
        }
        if docs.count <= PostingsFormat.docGroup * PostingsFormat.blockSize {
            var blocks: [GroupBlock] = []
            var d = ByteWriter(), p = ByteWriter()
            encodeBlocks(docs: docs, freqs: freqs, positions: positions, norms: norms, into: &blocks, docs: &d, positions: &p)
            let packDoc = d.count < PostingsFormat.packLimit, packPos = p.count < PostingsFormat.packLimit
            if packDoc || packPos {
                let doc: Part = packDoc ? .packed(start: docPack.count, length: d.count) : .own(d.bytes)
                let pos: Part = packPos ? .packed(start: posPack.count, length: p.count) : .own(p.bytes)
                if packDoc { docPack.append(contentsOf: d.bytes) }
                if packPos { posPack.append(contentsOf: p.bytes) }
                waiting.append(.member(key: Array(key), info: info, blocks: blocks, doc: doc, pos: pos))
                members += 1
                if docPack.count >= PostingsFormat.packTarget || posPack.count >= PostingsFormat.packTarget { return try writePack() }
                return []
            }
        }
        var done = try writePack()
        info.docOffset = docOffset; info.posOffset = posOffset
        try write(docs: docs, freqs: freqs, positions: positions, norms: norms)
        done.append((Array(key), info))
        return done
    }

    /// Writes the waiting terms (their pack, then each term's skip table and own payloads) and returns their
    /// dictionary entries in order.
    func finish() throws -> [(key: [UInt8], info: TermInfo)] { try writePack() }

    /// Appends the block `range` of a term: to `out` its doc deltas (the first from `previous`) and then its
    /// frequencies, to `pout` each doc's position deltas (from `posStart`, which moves past them); returns the
    /// block's largest frequency and smallest norm byte. Each kind is written in one pass into raw memory.
    @inline(__always)
    private static func encodeBlock(docs: UnsafeBufferPointer<UInt32>, freqs: UnsafeBufferPointer<UInt32>,
                                    positions: UnsafeBufferPointer<UInt32>, norms: UnsafeBufferPointer<UInt8>,
                                    _ range: Range<Int>, posStart: inout Int, previous: UInt32,
                                    docs out: inout ByteWriter, positions pout: inout ByteWriter) -> (maxFreq: UInt32, minNorm: UInt8) {
        var maxFreq: UInt32 = 0, minNorm: UInt8 = 255, total = 0
        out.appendRaw(maxCount: 10 * range.count) { p in
            var at = 0, prev = previous
            for i in range {
                ByteWriter.putVInt(docs[i] &- prev, p, &at); prev = docs[i]
                let nb = norms[Int(docs[i])]
                if nb < minNorm { minNorm = nb }
            }
            for i in range {
                let f = freqs[i]
                ByteWriter.putVInt(f, p, &at)
                if f > maxFreq { maxFreq = f }
                total += Int(f)
            }
            return at
        }
        let first = posStart
        pout.appendRaw(maxCount: 5 * total) { p in
            var at = 0, k = first
            for i in range {
                var pp: UInt32 = 0
                for _ in 0..<Int(freqs[i]) { ByteWriter.putVInt(positions[k] &- pp, p, &at); pp = positions[k]; k += 1 }
            }
            return at
        }
        posStart += total
        return (maxFreq, minNorm)
    }

    /// Encodes the blocks of a term of at most one doc group: their skip fields, doc bytes and positions bytes.
    private func encodeBlocks(docs: UnsafeBufferPointer<UInt32>, freqs: UnsafeBufferPointer<UInt32>, positions: UnsafeBufferPointer<UInt32>,
                              norms: UnsafeBufferPointer<UInt8>, into blocks: inout [GroupBlock], docs out: inout ByteWriter,
                              positions pout: inout ByteWriter) {
        let n = docs.count
        var start = 0, posStart = 0
        var prevLast: UInt32 = 0
        while start < n {
            let end = min(n, start + PostingsFormat.blockSize)
            let docWithin = out.count, posWithin = pout.count
            let (maxFreq, minNorm) = Self.encodeBlock(docs: docs, freqs: freqs, positions: positions, norms: norms,
                                                      start..<end, posStart: &posStart, previous: prevLast, docs: &out, positions: &pout)
            let last = docs[end - 1]
            blocks.append(GroupBlock(lastDelta: last - prevLast, maxFreq: maxFreq, minNorm: minNorm, docWithin: docWithin, posWithin: posWithin))
            prevLast = last
            start = end
        }
    }

    /// Writes the waiting terms: the doc pack and the positions pack (each: its stored length << 1, | 1 when
    /// deflated, its inflated length if deflated, its bytes), then each term in order. A pack of one member
    /// is not worth the indirection: that member is written with its own payloads.
    private func writePack() throws -> [(key: [UInt8], info: TermInfo)] {
        guard !waiting.isEmpty else { return [] }
        defer { waiting.removeAll(keepingCapacity: true); docPack.removeAll(keepingCapacity: true); posPack.removeAll(keepingCapacity: true); members = 0 }
        if members == 1 {
            waiting = waiting.map {
                guard case let .member(key, info, blocks, doc, pos) = $0 else { return $0 }
                return .member(key: key, info: info, blocks: blocks, doc: doc.unpacked(docPack), pos: pos.unpacked(posPack))
            }
        }
        func writeHeaderAndPayload(_ pack: [UInt8], _ out: OutputFile, _ deflater: PayloadCompressor) throws -> Int {
            guard !pack.isEmpty else { return -1 }
            let at = out.position - FileEnvelope.headerSize
            var payload: [UInt8] = []
            let (stored, raw) = store(pack, into: &payload, deflater)
            var h = ByteWriter()
            h.vint(stored << 1 | (raw > 0 ? 1 : 0)); if raw > 0 { h.vint(raw) }
            try out.write(h); try out.write(payload)
            return at
        }
        let docPackAt = members > 1 ? try writeHeaderAndPayload(docPack, docOut, docDeflater) : -1
        let posPackAt = members > 1 ? try writeHeaderAndPayload(posPack, posOut, posDeflater) : -1
        var done: [(key: [UInt8], info: TermInfo)] = []
        done.reserveCapacity(waiting.count)
        for w in waiting {
            switch w {
            case let .single(key, info, positions):
                var i = info
                i.docOffset = docOffset; i.posOffset = posOffset
                try posOut.write(positions)
                done.append((key, i))
            case let .member(key, info, blocks, doc, pos):
                var i = info
                i.docOffset = docOffset; i.posOffset = posOffset
                try writeMember(blocks, doc: doc, pos: pos, docPackAt: docPackAt, posPackAt: posPackAt, info: i)
                done.append((key, i))
            }
        }
        return done
    }

    /// Writes one waiting term at the current offsets (`info`'s): its skip table, whose first entry points
    /// back at its pack (`back << 1 | 1`, then where its bytes start in the pack's inflated bytes and how
    /// many they are) or gives its own payload's lengths (`stored << 2 | deflated << 1`, inflated length),
    /// then its own payloads.
    private func writeMember(_ blocks: [GroupBlock], doc: Part, pos: Part, docPackAt: Int, posPackAt: Int, info: TermInfo) throws {
        /// One kind's field of the first skip entry; an own payload is appended to `payload`.
        func field(_ part: Part, offset: Int, packAt: Int, _ deflater: PayloadCompressor, _ payload: inout [UInt8]) -> ByteWriter {
            var f = ByteWriter()
            switch part {
            case let .packed(start, length):
                f.vint((offset - packAt) << 1 | 1); f.vint(start); f.vint(length)
            case let .own(bytes):
                let (st, raw) = store(bytes, into: &payload, deflater)
                f.vint((st << 1 | (raw > 0 ? 1 : 0)) << 1); if raw > 0 { f.vint(raw) }
            }
            return f
        }
        var docPayload: [UInt8] = [], posPayload: [UInt8] = []
        let docField = field(doc, offset: info.docOffset, packAt: docPackAt, docDeflater, &docPayload)
        let posField = field(pos, offset: info.posOffset, packAt: posPackAt, posDeflater, &posPayload)
        var t = ByteWriter(capacity: 16 * blocks.count)
        for (k, e) in blocks.enumerated() {
            t.vint(e.lastDelta); t.vint(e.maxFreq); t.u8(e.minNorm)
            if k == 0 { t.bytes(docField.bytes); t.bytes(posField.bytes) } else { t.vint(e.docWithin); t.vint(e.posWithin) }
        }
        try docOut.write(t); try docOut.write(docPayload)
        try posOut.write(posPayload)
    }

    /// Writes one term's postings at once, after any waiting terms (which the caller then cannot see: for
    /// tests and tools that write terms one by one), and returns its dictionary entry: inline (no `.doc`
    /// bytes) for a single-document term, else blocks via ``write(docs:freqs:positions:norms:)``.
    func writeTerm<K: Collection>(key: K, docs: UnsafeBufferPointer<UInt32>, freqs: UnsafeBufferPointer<UInt32>,
                                  positions: UnsafeBufferPointer<UInt32>, norms: UnsafeBufferPointer<UInt8>) throws -> TermInfo where K.Element == UInt8 {
        guard waiting.isEmpty else { throw SearchIndexError.invalidArgument("writeTerm with packed terms waiting") }
        hashTerm(key, docs: docs, freqs: freqs, positions: positions)
        var info = TermInfo(docFreq: docs.count, totalTermFreq: positions.count, docOffset: docOffset, posOffset: posOffset)
        if docs.count == 1 {
            info.singletonDoc = Int32(docs[0])
            try posOut.write(Self.inlinePositions(positions))
        } else {
            try write(docs: docs, freqs: freqs, positions: positions, norms: norms)
        }
        return info
    }

    /// Writes one term's postings in block format, each doc group and positions group its own payload.
    /// `positions` holds, for each doc in order, its `freq` positions.
    func write(docs: UnsafeBufferPointer<UInt32>, freqs: UnsafeBufferPointer<UInt32>,
               positions: UnsafeBufferPointer<UInt32>, norms: UnsafeBufferPointer<UInt8>) throws {
        guard waiting.isEmpty else { throw SearchIndexError.invalidArgument("postings written with packed terms waiting") }
        // The scratch buffers are borrowed as locals for the loops below: each access to a class property
        // costs a dynamic exclusivity check (measured: a quarter of a flush's instructions).
        var skip = ByteWriter(), scratch = ByteWriter(), scratchPos = ByteWriter()
        var docPayloads: [UInt8] = [], posPayloads: [UInt8] = [], group: [GroupBlock] = []
        swap(&skip, &self.skip); swap(&scratch, &self.scratch); swap(&scratchPos, &self.scratchPos)
        swap(&docPayloads, &self.docPayloads); swap(&posPayloads, &self.posPayloads); swap(&group, &self.group)
        defer {
            swap(&skip, &self.skip); swap(&scratch, &self.scratch); swap(&scratchPos, &self.scratchPos)
            swap(&docPayloads, &self.docPayloads); swap(&posPayloads, &self.posPayloads); swap(&group, &self.group)
        }
        skip.removeAll(); docPayloads.removeAll(keepingCapacity: true); posPayloads.removeAll(keepingCapacity: true)
        let n = docs.count
        var start = 0, posStart = 0
        var prevLast: UInt32 = 0
        while start < n {
            // One group: up to `group` blocks, their docs appended to one payload, their positions to another.
            group.removeAll(keepingCapacity: true); scratchPos.removeAll()
            while start < n && group.count < PostingsFormat.group {
                if group.count % PostingsFormat.docGroup == 0 { scratch.removeAll() }
                let end = min(n, start + PostingsFormat.blockSize)
                let docWithin = scratch.count, posWithin = scratchPos.count
                let (maxFreq, minNorm) = Self.encodeBlock(docs: docs, freqs: freqs, positions: positions, norms: norms, start..<end,
                                                          posStart: &posStart, previous: prevLast,
                                                          docs: &scratch, positions: &scratchPos)
                let last = docs[end - 1]
                group.append(GroupBlock(lastDelta: last - prevLast, maxFreq: maxFreq, minNorm: minNorm,
                                        docWithin: docWithin, posWithin: posWithin))
                prevLast = last
                start = end
                if group.count % PostingsFormat.docGroup == 0 || start >= n {   // a doc group ends
                    let first = (group.count - 1) / PostingsFormat.docGroup * PostingsFormat.docGroup
                    (group[first].docStored, group[first].docRaw) = store(scratch.bytes, into: &docPayloads, docDeflater)
                }
            }
            let (ps, pr) = store(scratchPos.bytes, into: &posPayloads, posDeflater)
            for (k, e) in group.enumerated() {
                skip.vint(e.lastDelta)
                skip.vint(e.maxFreq)
                skip.u8(e.minNorm)
                if k % PostingsFormat.docGroup == 0 {
                    skip.vint((e.docStored << 1 | (e.docRaw > 0 ? 1 : 0)) << 1); if e.docRaw > 0 { skip.vint(e.docRaw) }
                } else { skip.vint(e.docWithin) }
                if k == 0 { skip.vint((ps << 1 | (pr > 0 ? 1 : 0)) << 1); if pr > 0 { skip.vint(pr) } } else { skip.vint(e.posWithin) }
            }
        }
        try docOut.write(skip.bytes)
        try docOut.write(docPayloads)
        try posOut.write(posPayloads)
    }
}

fileprivate extension PostingsWriter.Part {
    /// This part as its own payload (for a pack of one member, whose pack is `pack`).
    func unpacked(_ pack: [UInt8]) -> PostingsWriter.Part {
        guard case let .packed(start, length) = self else { return self }
        return .own(Array(pack[start ..< start + length]))
    }
}

/// An end-to-end hash of a segment's inverted content: every term key, and for each of its documents the
/// doc id, frequency and positions, in dictionary order. The writer computes it from the values it encodes
/// (before varints and deflate) and the commit records it per segment; `check` recomputes it from what the
/// files decode to. Damage that still decodes (a deflate stream that inflates to other bytes of the right
/// length, a file whose CRC was computed over bad bytes) changes it. FNV-1a over 64-bit words: each step is
/// a bijection of the state, so one changed value always changes the result.
struct PostingsHash: Equatable {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325
    @inline(__always) mutating func mix(_ x: UInt64) { value = (value ^ x) &* 0x0000_0100_0000_01B3 }
    mutating func term<K: Collection>(_ key: K) where K.Element == UInt8 {
        mix(UInt64(key.count) | 1 << 63)
        for b in key { mix(UInt64(b)) }
    }
    @inline(__always) mutating func doc(_ d: UInt32, freq: UInt32) { mix(UInt64(d) << 32 | UInt64(freq)) }
    @inline(__always) mutating func position(_ p: UInt32) { mix(UInt64(p)) }
}

/// Sentinel doc id meaning "exhausted".
let noMoreDocs: Int32 = Int32.max

/// One block's skip entry, decoded: its score bound's inputs and where its payloads are.
struct SkipEntry {
    var maxFreq: UInt32
    var minNorm: UInt8
    /// The block's group's doc payload: offset in `.doc`, stored length, inflated length (0: stored raw).
    var docStart: Int, docStored: Int, docRaw: Int
    /// The block's group's positions payload: offset in `.pos`, stored length, inflated length (0: stored raw).
    var posStart: Int, posStored: Int, posRaw: Int
    /// The block's docs within its group's inflated (or raw) doc bytes: `docWithin ..< docEnd`.
    var docWithin: Int = 0, docEnd: Int = 0
    /// The block's positions within its group's inflated (or raw) positions bytes: `posWithin ..< posEnd`.
    var posWithin: Int = 0, posEnd: Int = 0
    /// Whether the doc group (or the positions group) is the term's slice of a pack shared with other terms.
    var docPacked = false, posPacked = false
}

/// A doc group's or positions group's payload as the skip table reads it: where it starts, its stored and
/// inflated (0: raw) lengths, and where the current block's bytes start in its inflated bytes. A packed
/// term's group is its slice `memberStart ..< memberEnd` of a pack shared with neighbouring terms.
private struct GroupFields {
    var start = 0, stored = 0, raw = 0, within = 0
    var packed = false, memberStart = 0, memberEnd = 0
    var end: Int { packed ? memberEnd : raw == 0 ? stored : raw }

    /// Reads one block's fields for this kind of group. At a group's first block: the payload's lengths (a
    /// stored length fits in its file; an inflated one is at most deflate's ratio, 1032:1), its payload
    /// starting at `next`, which moves past it; or, for a packed term (only at its first block), the
    /// distance back from `termStart` to its pack's header in `file`, and its slice of the pack. At another
    /// block: where its bytes start, after the previous block's; that is also where the previous block's
    /// end, and is returned.
    mutating func read(first: Bool, block: Int, _ r: inout ByteReader, file: UnsafeRawBufferPointer, termStart: Int,
                       next: inout Int, what: String) throws -> Int? {
        let fileCount = file.count
        if first {
            let x = try r.count(limit: fileCount * 4 + 3)
            if x & 1 == 0 {
                let l = x >> 1
                raw = l & 1 == 1 ? try r.count(limit: (l >> 1) * 1032 + 64) : 0
                start = next; stored = l >> 1; within = 0; packed = false; memberStart = 0
                next += stored
                return nil
            }
            let back = x >> 1
            guard block == 0, back > 0, back <= termStart else { throw r.fail("\(what) pack \(back) bytes back out of range") }
            var h = ByteReader(file, offset: termStart - back, file: r.file)
            let l = try h.count(limit: back * 2 + 1)
            raw = l & 1 == 1 ? try h.count(limit: (l >> 1) * 1032 + 64) : 0
            stored = l >> 1; start = h.offset; packed = true
            guard start + stored <= termStart else { throw r.fail("\(what) pack at \(termStart - back) overlaps its term") }
            let size = raw == 0 ? stored : raw
            within = try r.count(limit: size)
            let length = try r.count(limit: size - within)
            guard length > 0 else { throw r.fail("empty \(what) slice of a pack") }
            memberStart = within; memberEnd = within + length
            return nil
        }
        // (A packed term's blocks are placed relative to its slice.)
        let base = packed ? memberStart : 0
        let w = try r.count(limit: end - base) + base
        guard w > within, w < end else { throw r.fail("\(what) start \(w) out of order or range") }
        within = w
        return w
    }
}

/// The decoded skip table of one term: one entry per block. Immutable once read. Two allocations per term:
/// the blocks' last doc ids (scanned by `advance`) and everything else per block.
struct SkipTable {
    var blockLast: [Int32] = []
    var entries: [SkipEntry] = []
    /// Where the term's skip table is in `.doc` (a packed doc group's cache key: a pack's start is shared).
    var docOffset = 0

    static func read(docFreq: Int, docFile: UnsafeRawBufferPointer, docOffset: Int,
                     posFile: UnsafeRawBufferPointer, posOffset: Int, docCount: Int, fileName: String) throws -> SkipTable {
        let n = (docFreq + PostingsFormat.blockSize - 1) / PostingsFormat.blockSize
        var t = SkipTable()
        var r = ByteReader(docFile, offset: docOffset, file: fileName)
        guard docFreq <= docCount else { throw r.fail("docFreq \(docFreq) exceeds the segment's \(docCount) documents") }
        guard posOffset >= 0, posOffset <= posFile.count else {
            throw SearchIndexError.corruptIndex(file: fileName, reason: "positions offset \(posOffset) out of range")
        }
        t.blockLast.reserveCapacity(n); t.entries.reserveCapacity(n)
        var last: Int64 = -1
        // Doc payload offsets are first relative (running sums of stored lengths); the doc payloads start
        // where the table ends. `o` and `p` are where the next doc and positions groups start.
        var o = 0, p = posOffset
        var dg = GroupFields(), pg = GroupFields()
        for i in 0..<n {
            let delta = try r.vint()
            // Block ends increase strictly and stay inside the segment: every doc id decoded from a block lies
            // between the previous block's end and this one's, so it can index norms and live bits safely.
            guard delta <= UInt64(docCount), delta > 0 || i == 0 else { throw r.fail("block end out of order or range") }
            last = (i == 0 ? 0 : last) + Int64(delta)
            guard last < Int64(docCount) else { throw r.fail("doc id \(last) out of range (\(docCount) documents)") }
            t.blockLast.append(Int32(last))
            let mf = try r.vint()
            guard mf > 0, mf <= UInt64(UInt32.max) else { throw r.fail("block max freq \(mf) out of range") }
            let minNorm = try r.u8()
            if let end = try dg.read(first: i % PostingsFormat.docGroup == 0, block: i, &r, file: docFile, termStart: docOffset, next: &o, what: "doc") {
                t.entries[i - 1].docEnd = end
            }
            if let end = try pg.read(first: i % PostingsFormat.group == 0, block: i, &r, file: posFile, termStart: posOffset, next: &p, what: "positions") {
                t.entries[i - 1].posEnd = end
            }
            t.entries.append(SkipEntry(maxFreq: UInt32(mf), minNorm: minNorm,
                                       docStart: dg.start, docStored: dg.stored, docRaw: dg.raw,
                                       posStart: pg.start, posStored: pg.stored, posRaw: pg.raw,
                                       docWithin: dg.within, docEnd: dg.end, posWithin: pg.within, posEnd: pg.end,
                                       docPacked: dg.packed, posPacked: pg.packed))
            // (Each length fits its file, so the sums cannot overflow before this check.)
            guard r.offset + o <= docFile.count, p <= posFile.count else {
                throw SearchIndexError.corruptIndex(file: fileName, reason: "postings at offset \(docOffset) run past the end of the file")
            }
        }
        let base = r.offset
        guard base + o <= docFile.count else {
            throw SearchIndexError.corruptIndex(file: fileName, reason: "postings at offset \(docOffset) run past the end of the file")
        }
        for i in 0..<n where !t.entries[i].docPacked { t.entries[i].docStart += base }
        t.docOffset = docOffset
        return t
    }
}

/// Iterates one term's postings in one segment, inflating only the blocks it lands on.
///
/// Not thread-safe. Decode errors do not throw on the hot path: the cursor ends (`doc == noMoreDocs`)
/// and records the error in its ``DecodeErrors``, which the searcher rethrows after the query.
/// The mutable state lives behind pointers (`state`, `docs`, `freqs`, `raw`), so the hot loops pay no
/// dynamic exclusivity checks on class properties.
final class PostingsCursor {
    let docFreq: Int
    private let docFile: UnsafeRawBufferPointer
    private let posFile: UnsafeRawBufferPointer
    private let inflater: Inflater
    private let errors: DecodeErrors
    private let fileName: String
    /// The searcher's decoded-block cache, if any (full blocks only).
    private let cache: PostingsBlockCache?
    let skip: SkipTable
    /// For a single-document term stored in the dictionary: its doc id; else -1.
    private let inlineDoc: Int32

    private struct State {
        var doc: Int32 = -1
        var idx = 0
        var count = 0
        var block = -1
        var decodedBlock = -1
        var posDecodedBlock = -1
        /// Block index `shallowBlock` last returned (it only moves forward).
        var shallow = 0
        var rawCapacity = 0
        var raw: UnsafeMutableRawPointer? = nil
        /// The doc group `docGroup` holds (inflated into `raw`, or in the file): its offset in `.doc` (-1:
        /// none). The blocks of a group share one payload.
        var docGroupStart = -1
        var docGroup = UnsafeRawBufferPointer(start: nil, count: 0)
        /// The decoded block's positions (`posCapacity` of them allocated) and, per doc, where its positions
        /// start there (`blockSize + 1` entries); allocated on first use: only phrase queries, proximity,
        /// merges and `check` read positions.
        var pos: UnsafeMutablePointer<UInt32>? = nil
        var posCapacity = 0
        var posOffsets: UnsafeMutablePointer<Int>? = nil
        /// The block's positions payload as varints (in the file, or inflated into `posRaw`), decoded a
        /// document at a time: `posByte` is where the positions of document `posNext` start; document
        /// `posNext - 1` is the one decoded last (a cursor only moves forward, so no earlier one is asked again).
        var posSource = UnsafeRawBufferPointer(start: nil, count: 0)
        var posByte = 0
        var posNext = 0
        var posRaw: UnsafeMutableRawPointer? = nil
        var posRawCapacity = 0
        /// The positions group `posGroup` holds: its offset in `.pos` (-1: none). The blocks of a group share
        /// one inflated payload.
        var posGroupStart = -1
        var posGroup = UnsafeRawBufferPointer(start: nil, count: 0)
    }
    private let state: UnsafeMutablePointer<State>
    private let docs: UnsafeMutablePointer<Int32>
    private let freqs: UnsafeMutablePointer<UInt32>

    private static func allocate() -> (UnsafeMutablePointer<State>, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<UInt32>) {
        let s = UnsafeMutablePointer<State>.allocate(capacity: 1); s.initialize(to: State())
        let d = UnsafeMutablePointer<Int32>.allocate(capacity: PostingsFormat.blockSize); d.initialize(repeating: 0, count: PostingsFormat.blockSize)
        let f = UnsafeMutablePointer<UInt32>.allocate(capacity: PostingsFormat.blockSize); f.initialize(repeating: 0, count: PostingsFormat.blockSize)
        return (s, d, f)
    }

    init(docFreq: Int, docFile: UnsafeRawBufferPointer, docOffset: Int, posFile: UnsafeRawBufferPointer,
         posOffset: Int, docCount: Int, inflater: Inflater, errors: DecodeErrors, fileName: String,
         cache: PostingsBlockCache? = nil) {
        self.docFreq = docFreq; self.docFile = docFile; self.posFile = posFile
        self.inflater = inflater; self.errors = errors; self.fileName = fileName; self.cache = cache
        inlineDoc = -1
        (state, docs, freqs) = Self.allocate()
        do {
            skip = try SkipTable.read(docFreq: docFreq, docFile: docFile, docOffset: docOffset,
                                      posFile: posFile, posOffset: posOffset, docCount: docCount, fileName: fileName)
        } catch {
            errors.record(error); skip = SkipTable(); state.pointee.doc = noMoreDocs
        }
    }

    /// A cursor over a single-document term stored inline in the dictionary.
    init(singletonDoc: Int32, freq: Int, posFile: UnsafeRawBufferPointer, posOffset: Int,
         inflater: Inflater, errors: DecodeErrors, fileName: String) {
        docFreq = 1; docFile = UnsafeRawBufferPointer(start: nil, count: 0); self.posFile = posFile
        self.inflater = inflater; self.errors = errors; self.fileName = fileName; cache = nil
        inlineDoc = singletonDoc
        (state, docs, freqs) = Self.allocate()
        // Positions: `freq` vints at posOffset, uncompressed.
        var r = ByteReader(posFile, offset: max(0, posOffset), file: fileName)
        var ok = posOffset >= 0 && freq > 0 && freq <= posFile.count
        var p: UInt64 = 0
        for k in 0..<freq where ok {
            if let d = try? r.vint(), d > 0 || k == 0, d <= UInt64(UInt32.max) - p { p += d } else { ok = false }
        }
        var t = SkipTable()
        t.blockLast = [singletonDoc]
        t.entries = [SkipEntry(maxFreq: UInt32(truncatingIfNeeded: freq), minNorm: 0, docStart: 0, docStored: 0, docRaw: 0,
                               posStart: max(0, posOffset), posStored: r.offset - max(0, posOffset), posRaw: 0,
                               posWithin: 0, posEnd: r.offset - max(0, posOffset))]
        skip = t
        if !ok { fail("bad inline positions at offset \(posOffset)") }
    }

    deinit {
        state.pointee.raw?.deallocate()
        state.pointee.pos?.deallocate(); state.pointee.posOffsets?.deallocate(); state.pointee.posRaw?.deallocate()
        state.deinitialize(count: 1); state.deallocate()
        docs.deallocate(); freqs.deallocate()
    }

    /// The current document, or `noMoreDocs`.
    var doc: Int32 { state.pointee.doc }
    var blockCount: Int { skip.blockLast.count }
    var blockLast: [Int32] { skip.blockLast }
    var blockMaxFreq: [UInt32] { skip.entries.map(\.maxFreq) }
    var blockMinNorm: [UInt8] { skip.entries.map(\.minNorm) }
    var block: Int { state.pointee.block }

    /// Ends the cursor (used for corrupt entries).
    func exhausted() -> PostingsCursor { state.pointee.doc = noMoreDocs; return self }

    private func fail(_ reason: String) {
        errors.record(SearchIndexError.corruptIndex(file: fileName, reason: reason))
        state.pointee.doc = noMoreDocs; state.pointee.idx = state.pointee.count
    }

    /// A scratch buffer of at least `n` bytes for inflating.
    private func rawBuffer(_ n: Int) -> UnsafeMutableRawPointer {
        if state.pointee.rawCapacity < n || state.pointee.raw == nil {
            state.pointee.raw?.deallocate()
            let c = max(n, 1024)
            state.pointee.raw = UnsafeMutableRawPointer.allocate(byteCount: c, alignment: 8)
            state.pointee.rawCapacity = c
        }
        return state.pointee.raw!
    }

    /// Decodes block `b`'s docs and freqs, inflating its group unless that is the group inflated last.
    private func decodeBlock(_ b: Int) {
        if inlineDoc >= 0 {
            docs[0] = inlineDoc; freqs[0] = skip.entries[0].maxFreq
            state.pointee.count = 1; state.pointee.idx = 0; state.pointee.decodedBlock = 0
            return
        }
        let n = b == skip.blockLast.count - 1 ? docFreq - b * PostingsFormat.blockSize : PostingsFormat.blockSize
        let e = skip.entries[b]
        let stored = UnsafeRawBufferPointer(rebasing: docFile[e.docStart ..< e.docStart + e.docStored])
        // A full block may be in the searcher's cache, keyed by where its group's bytes are mapped (for a packed
        // term, whose pack other terms share, where its skip table is) and its place in the group, below 8 (the
        // top bit keeps doc keys apart from positions keys, plain addresses).
        let keyAt = e.docPacked ? docFile.baseAddress.map { $0 + skip.docOffset } : stored.baseAddress
        let cacheKey = cache != nil && n == PostingsFormat.blockSize
            ? UInt(bitPattern: keyAt) << 3 | UInt(b % PostingsFormat.docGroup) | 1 << (UInt.bitWidth - 1) : 0
        let cacheBase = b == 0 ? 0 : skip.blockLast[b - 1]
        if cacheKey != 0, let cache, cache.lookup(cacheKey, base: cacheBase, docs: docs, freqs: freqs) {
            state.pointee.count = n; state.pointee.idx = 0; state.pointee.decodedBlock = b
            return
        }
        if state.pointee.docGroupStart != e.docStart {
            state.pointee.docGroupStart = -1
            if e.docRaw == 0 { state.pointee.docGroup = stored } else {
                let buf = rawBuffer(e.docRaw + Inflater.outputSlack)
                guard inflater.decompress(stored, into: UnsafeMutableRawBufferPointer(start: buf, count: e.docRaw + Inflater.outputSlack), expected: e.docRaw) else {
                    fail("bad postings group of block \(b) at offset \(e.docStart)"); return
                }
                state.pointee.docGroup = UnsafeRawBufferPointer(start: buf, count: e.docRaw)
            }
            state.pointee.docGroupStart = e.docStart
        }
        guard decodeDocs(UnsafeRawBufferPointer(rebasing: state.pointee.docGroup[e.docWithin ..< e.docEnd]), n: n, b: b) else {
            fail("bad postings block \(b) at offset \(e.docStart)"); return
        }
        if cacheKey != 0, let cache { cache.insert(cacheKey, base: cacheBase, docs: docs, freqs: freqs) }
        state.pointee.count = n; state.pointee.idx = 0; state.pointee.decodedBlock = b
    }

    private func decodeDocs(_ p: UnsafeRawBufferPointer, n: Int, b: Int) -> Bool {
        guard n > 0, let base = p.baseAddress else { return false }
        var off = 0
        let end = p.count
        // Doc ids increase strictly (only block 0's first doc may have delta 0); with the block's last doc
        // checked at the end, every id is inside the segment. The deltas are summed as they are decoded, eight
        // one-byte deltas per 64-bit load where there are; minima rather than flags keep the loops branch-free.
        var prev: Int64 = b == 0 ? 0 : Int64(skip.blockLast[b - 1])
        var minDelta = UInt32.max
        var i = 0
        if b == 0 {   // block 0's first delta may be 0: taken out of the minimum
            guard let d = decodeVInt32(p, &off) else { return false }
            prev += Int64(d); docs[0] = Int32(truncatingIfNeeded: prev); i = 1
        }
        while i < n {
            if n - i >= 8 && end - off >= 8 {
                let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: off, as: UInt64.self))
                if w & 0x8080_8080_8080_8080 == 0 {
                    var ww = w
                    for k in 0..<8 {
                        let d = UInt32(truncatingIfNeeded: ww) & 0xFF
                        minDelta = min(minDelta, d)
                        prev += Int64(d)
                        docs[i + k] = Int32(truncatingIfNeeded: prev)
                        ww >>= 8
                    }
                    i += 8; off += 8
                    continue
                }
            }
            guard let d = decodeVInt32(p, &off) else { return false }
            minDelta = min(minDelta, d)
            prev += Int64(d)
            docs[i] = Int32(truncatingIfNeeded: prev)
            i += 1
        }
        guard decodeVInts32(p, &off, count: n, into: freqs), off == end else { return false }
        var minFreq = UInt32.max
        for k in 0..<n { minFreq = min(minFreq, freqs[k]) }
        return minDelta > 0 && minFreq > 0 && prev == Int64(skip.blockLast[b])
    }

    /// Moves to the next document.
    @inline(__always) func nextDoc() -> Int32 {
        let s = state
        if s.pointee.doc == noMoreDocs { return noMoreDocs }
        s.pointee.idx += 1
        if s.pointee.idx >= s.pointee.count || s.pointee.decodedBlock != s.pointee.block {
            let nb = s.pointee.block + 1
            if nb >= skip.blockLast.count { s.pointee.doc = noMoreDocs; return noMoreDocs }
            s.pointee.block = nb
            decodeBlock(nb)
            if s.pointee.doc == noMoreDocs { return noMoreDocs }
        }
        let d = docs[s.pointee.idx]
        s.pointee.doc = d
        return d
    }

    /// Sets bit `d - base` in `bits` for the current document and every next one below `end`, and stops on
    /// the first document at or past `end` (the new current one). Returns whether it set any bit. The bulk
    /// form of `nextDoc` for unions that need no scores: one tight loop over each decoded block.
    func setBits(from base: Int32, below end: Int32, into bits: UnsafeMutablePointer<UInt64>) -> Bool {
        let s = state
        var any = false
        while true {
            let d = s.pointee.doc
            if d >= end || d == noMoreDocs { return any }
            if s.pointee.decodedBlock != s.pointee.block {   // positioned by skip data only: step normally
                let o = Int(d - base)
                bits[o >> 6] |= 1 << UInt64(o & 63)
                any = true
                _ = nextDoc()
                continue
            }
            // The rest of the decoded block, in one loop.
            var i = s.pointee.idx
            let c = s.pointee.count
            var x = d
            while true {
                let o = Int(x - base)
                bits[o >> 6] |= 1 << UInt64(o & 63)
                any = true
                i += 1
                if i >= c { break }
                x = docs[i]
                if x >= end { s.pointee.idx = i; s.pointee.doc = x; return true }
            }
            s.pointee.idx = c - 1
            s.pointee.doc = docs[c - 1]
            if nextDoc() == noMoreDocs { return any }
        }
    }

    /// For the current document and every next one up to `last` (inclusive): adds its BM25 term score,
    /// `weight * f * k1p1 / (f + normCache[norm])` (``TermScorer``'s formula, evaluated in the same order), to
    /// `scores[d - base]` and sets bit `d - base` in `bits`; stops on the first document past `last`. One
    /// tight loop over each decoded block, like ``setBits(from:below:into:)``.
    func accumulate(from base: Int32, through last: Int32, scores: UnsafeMutablePointer<Float>, bits: UnsafeMutablePointer<UInt64>,
                    weight: Float, k1p1: Float, normCache: UnsafePointer<Float>, norms: UnsafePointer<UInt8>?) {
        let s = state
        while true {
            let d = s.pointee.doc
            if d > last { return }   // (noMoreDocs too)
            if d < base { _ = advance(base); continue }   // (not yet positioned)
            if s.pointee.decodedBlock != s.pointee.block {   // positioned by skip data only: step normally
                let f = Float(freqs[s.pointee.idx])
                let o = Int(d - base)
                scores[o] += weight * f * k1p1 / (f + normCache[norms.map { Int($0[Int(d)]) } ?? 0])
                bits[o >> 6] |= 1 << UInt64(o & 63)
                _ = nextDoc()
                continue
            }
            var i = s.pointee.idx
            let c = s.pointee.count
            while i < c {
                let x = docs[i]
                if x > last { s.pointee.idx = i; s.pointee.doc = x; return }
                let f = Float(freqs[i])
                let o = Int(x - base)
                scores[o] += weight * f * k1p1 / (f + normCache[norms.map { Int($0[Int(x)]) } ?? 0])
                bits[o >> 6] |= 1 << UInt64(o & 63)
                i += 1
            }
            s.pointee.idx = c - 1
            s.pointee.doc = docs[c - 1]
            if nextDoc() == noMoreDocs { return }
        }
    }

    /// Moves to the first document >= `target`, skipping whole blocks by their last doc id.
    func advance(_ target: Int32) -> Int32 {
        let s = state
        if s.pointee.doc >= target { return s.pointee.doc }
        let last = skip.blockLast
        if s.pointee.block < 0 || s.pointee.decodedBlock != s.pointee.block || last[s.pointee.block] < target {
            var b = max(s.pointee.block, 0)
            while b < last.count && last[b] < target { b += 1 }
            if b >= last.count { s.pointee.doc = noMoreDocs; return noMoreDocs }
            s.pointee.block = b
            decodeBlock(b)
            if s.pointee.doc == noMoreDocs { return noMoreDocs }
        }
        var i = s.pointee.idx
        let c = s.pointee.count
        while i < c && docs[i] < target { i += 1 }
        s.pointee.idx = i
        let d = docs[i]   // the block's last doc is >= target, so i < count
        s.pointee.doc = d
        return d
    }

    /// Moves the block pointer (without inflating) to the block that may contain `target`;
    /// returns that block's index, or nil when past the end.
    func shallowBlock(for target: Int32) -> Int? {
        var b = max(state.pointee.block, state.pointee.shallow, 0)
        while b < skip.blockLast.count && skip.blockLast[b] < target { b += 1 }
        state.pointee.shallow = b
        return b < skip.blockLast.count ? b : nil
    }

    var freq: UInt32 { freqs[state.pointee.idx] }

    /// Positions of the current document. The block's positions payload is inflated (when deflated) on the
    /// first call in the block, and decoded a document at a time: the documents before this one that were not
    /// asked for are passed over by counting varint ends, without decoding them. The buffer belongs to the
    /// cursor: it holds until the cursor moves to another block or is freed, so read it before moving on.
    /// (Pointers, not arrays: reading class-held arrays paid a dynamic exclusivity check and reference
    /// counting per call, 30% of a phrase query's instructions.)
    func positions() -> UnsafeBufferPointer<UInt32> {
        let s = state
        let none = UnsafeBufferPointer<UInt32>(start: nil, count: 0)
        let b = s.pointee.decodedBlock
        guard b >= 0 else { return none }
        if s.pointee.posDecodedBlock != b {
            let offsets: UnsafeMutablePointer<Int>
            if let o = s.pointee.posOffsets { offsets = o } else {
                offsets = .allocate(capacity: PostingsFormat.blockSize + 1)
                offsets.initialize(repeating: 0, count: PostingsFormat.blockSize + 1)
                s.pointee.posOffsets = offsets
            }
            var total = 0
            offsets[0] = 0
            for i in 0..<s.pointee.count { total += Int(freqs[i]); offsets[i + 1] = total }
            let e = skip.entries[b]
            // Every position takes at least one byte: more positions than bytes is damage, not a reason to
            // allocate a huge buffer.
            guard total <= e.posEnd - e.posWithin else {
                errors.record(SearchIndexError.corruptIndex(file: fileName, reason: "block \(b) claims \(total) positions in \(e.posEnd - e.posWithin) bytes"))
                return none
            }
            if s.pointee.posCapacity < total || s.pointee.pos == nil {
                s.pointee.pos?.deallocate()
                let c = max(total, 256)
                s.pointee.pos = .allocate(capacity: c)
                s.pointee.posCapacity = c
            }
            if s.pointee.posGroupStart != e.posStart {   // the group is not the one inflated last
                s.pointee.posGroupStart = -1
                let stored = UnsafeRawBufferPointer(rebasing: posFile[e.posStart ..< e.posStart + e.posStored])
                let rawLen = e.posRaw
                if rawLen == 0 { s.pointee.posGroup = stored }
                else {
                    let need = rawLen + Inflater.outputSlack
                    if s.pointee.posRawCapacity < need || s.pointee.posRaw == nil {
                        s.pointee.posRaw?.deallocate()
                        let c = max(need, 1024)
                        s.pointee.posRaw = .allocate(byteCount: c, alignment: 8)
                        s.pointee.posRawCapacity = c
                    }
                    // Deflated positions may be in the searcher's cache, inflated, keyed by where they are mapped.
                    let key = UInt(bitPattern: stored.baseAddress)
                    guard let buf = s.pointee.posRaw else { return none }
                    if !(cache?.lookupBytes(key, into: buf, count: rawLen) ?? false) {
                        guard inflater.decompress(stored, into: UnsafeMutableRawBufferPointer(start: buf, count: need), expected: rawLen) else {
                            s.pointee.posDecodedBlock = -1
                            errors.record(SearchIndexError.corruptIndex(file: fileName, reason: "bad positions group of block \(b) at offset \(e.posStart)"))
                            return none
                        }
                        cache?.insertBytes(key, from: buf, count: rawLen)
                    }
                    s.pointee.posGroup = UnsafeRawBufferPointer(start: buf, count: rawLen)
                }
                s.pointee.posGroupStart = e.posStart
            }
            s.pointee.posSource = UnsafeRawBufferPointer(rebasing: s.pointee.posGroup[e.posWithin ..< e.posEnd])
            s.pointee.posByte = 0; s.pointee.posNext = 0
            s.pointee.posDecodedBlock = b
        }
        guard let offsets = s.pointee.posOffsets, let pos = s.pointee.pos else { return none }
        let i = s.pointee.idx
        if i + 1 != s.pointee.posNext {   // not the document decoded last
            if i < s.pointee.posNext { s.pointee.posByte = 0; s.pointee.posNext = 0 }   // (defensive: from the start)
            let src = s.pointee.posSource
            var at = s.pointee.posByte
            // Pass over the positions of the documents between, then decode this one's.
            guard skipVInts(src, &at, count: offsets[i] - offsets[s.pointee.posNext]),
                  decodeDocPositions(src, &at, into: pos + offsets[i], count: offsets[i + 1] - offsets[i]),
                  i + 1 < s.pointee.count || at == src.count else {
                s.pointee.posDecodedBlock = -1
                errors.record(SearchIndexError.corruptIndex(file: fileName, reason: "bad positions block \(b) at offset \(skip.entries[b].posStart)"))
                return none
            }
            s.pointee.posByte = at; s.pointee.posNext = i + 1
        }
        return UnsafeBufferPointer(start: pos + offsets[i], count: offsets[i + 1] - offsets[i])
    }

    /// Decodes one document's `count` position deltas at `at` into running sums: positions increase strictly
    /// (only the first delta may be 0) and fit 32 bits.
    private func decodeDocPositions(_ p: UnsafeRawBufferPointer, _ at: inout Int, into out: UnsafeMutablePointer<UInt32>, count: Int) -> Bool {
        var prev: UInt32 = 0
        for j in 0..<count {
            guard let d = decodeVInt32(p, &at), d > 0 || j == 0 else { return false }
            let (next, overflow) = prev.addingReportingOverflow(d)
            guard !overflow else { return false }
            prev = next
            out[j] = prev
        }
        return true
    }
}
