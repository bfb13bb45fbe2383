/// The in-memory postings of a ``SegmentBuffer``: for every term, a stream of (doc delta, frequency) varints
/// and a stream of position deltas, each a chain of slices in one byte arena, as in Lucene's ByteBlockPool.
///
/// A stream starts with a 16-byte slice; each next slice is twice as large, up to 2 KiB. The last 4 bytes of
/// a slice hold the arena offset of the next one (written when the slice fills up). A posting is written
/// when its document ends, so that its frequency is known: the doc delta when the term first occurs in a
/// document, the frequency when it occurs in a later one (or, for the last document, from `freq` at the
/// flush). A token costs about 1–2 bytes here, against 8 for a (term, position) log, and the flush needs no
/// sort: each term's postings are already in document and position order.
struct PostingsArena {
    private var bytes: [UInt8] = []
    /// Per stream (2 per term: `2t` documents and frequencies, `2t + 1` positions): its first slice, where the
    /// next byte goes, where the current slice's data ends (its next-slice pointer follows), its slice size
    /// level.
    private var head: [UInt32] = []
    private var tail: [UInt32] = []
    private var limit: [UInt32] = []
    private var level: [UInt8] = []
    /// Per term: the last document it occurred in (-1: none yet), its frequency there, its last position.
    private var lastDoc: [Int32] = []
    private var freq: [UInt32] = []
    private var lastPos: [UInt32] = []

    static let sliceSizes: [Int] = [16, 32, 64, 128, 256, 512, 1024, 2048]
    /// Bytes per term outside the arena (the arrays above).
    static let bytesPerTerm = 2 * (4 + 4 + 4 + 1) + 4 + 4 + 4

    /// Bytes held.
    var bytesUsed: Int { bytes.count + lastDoc.count * Self.bytesPerTerm }
    /// Terms seen.
    var termCount: Int { lastDoc.count }

    /// Records an occurrence of term `t` (a ``TermsHash`` id: new ids come in order) in document `doc` at
    /// `position`. Documents come in increasing order, and positions increase within a document.
    @inline(__always) mutating func add(term t: Int, doc: Int32, position: UInt32) {
        if t == lastDoc.count { newTerm() }
        let last = lastDoc[t]
        if last != doc {
            if last >= 0 { writeVInt(2 * t, freq[t]) }
            writeVInt(2 * t, UInt32(bitPattern: doc &- max(last, 0)))
            lastDoc[t] = doc; freq[t] = 0; lastPos[t] = 0
        }
        writeVInt(2 * t + 1, position &- lastPos[t])
        lastPos[t] = position
        freq[t] &+= 1
    }

    private mutating func newTerm() {
        lastDoc.append(-1); freq.append(0); lastPos.append(0)
        for _ in 0..<2 {
            let start = allocate(Self.sliceSizes[0])
            head.append(UInt32(start)); tail.append(UInt32(start))
            limit.append(UInt32(start + Self.sliceSizes[0] - 4)); level.append(0)
        }
    }

    private mutating func allocate(_ size: Int) -> Int {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: size))
        return start
    }

    @inline(__always) private mutating func writeVInt(_ s: Int, _ v: UInt32) {
        var v = v
        while v >= 0x80 { writeByte(s, UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
        writeByte(s, UInt8(v))
    }

    @inline(__always) private mutating func writeByte(_ s: Int, _ b: UInt8) {
        var at = Int(tail[s])
        if at == Int(limit[s]) { at = nextSlice(s) }
        bytes[at] = b
        tail[s] = UInt32(at + 1)
    }

    /// Starts the next slice of stream `s`, links it from the full one, and returns its start.
    private mutating func nextSlice(_ s: Int) -> Int {
        let lv = min(Int(level[s]) + 1, Self.sliceSizes.count - 1)
        let size = Self.sliceSizes[lv]
        let start = allocate(size)
        let p = Int(limit[s])
        for k in 0..<4 { bytes[p + k] = UInt8(truncatingIfNeeded: start >> (8 * k)) }
        level[s] = UInt8(lv); limit[s] = UInt32(start + size - 4)
        return start
    }

    /// Term `t`'s postings, decoded into `docs`, `freqs` and (absolute) `positions`, which are emptied first.
    func postings(of t: Int, docs: inout [UInt32], freqs: inout [UInt32], positions: inout [UInt32]) {
        docs.removeAll(keepingCapacity: true); freqs.removeAll(keepingCapacity: true); positions.removeAll(keepingCapacity: true)
        bytes.withUnsafeBufferPointer { a in
            var r = Reader(at: Int(head[2 * t]), end: Int(tail[2 * t]))
            var doc: UInt32 = 0
            while !r.atEnd {
                doc &+= r.vint(a)
                docs.append(doc)
                freqs.append(r.atEnd ? freq[t] : r.vint(a))
            }
            var p = Reader(at: Int(head[2 * t + 1]), end: Int(tail[2 * t + 1]))
            for f in freqs {
                var pos: UInt32 = 0
                for _ in 0..<f { pos &+= p.vint(a); positions.append(pos) }
            }
        }
    }

    /// Reads one stream, following its slices.
    private struct Reader {
        var at: Int
        let end: Int
        var limit: Int
        var level = 0

        init(at: Int, end: Int) {
            self.at = at; self.end = end; limit = at + PostingsArena.sliceSizes[0] - 4
        }

        var atEnd: Bool { at == end }

        @inline(__always) mutating func byte(_ a: UnsafeBufferPointer<UInt8>) -> UInt8 {
            if at == limit {
                var next = 0
                for k in 0..<4 { next |= Int(a[limit + k]) << (8 * k) }
                level = min(level + 1, PostingsArena.sliceSizes.count - 1)
                at = next; limit = next + PostingsArena.sliceSizes[level] - 4
            }
            defer { at += 1 }
            return a[at]
        }

        @inline(__always) mutating func vint(_ a: UnsafeBufferPointer<UInt8>) -> UInt32 {
            var v: UInt32 = 0, shift: UInt32 = 0
            while true {
                let b = byte(a)
                v |= UInt32(b & 0x7f) << shift
                if b < 0x80 { return v }
                shift += 7
            }
        }
    }
}
