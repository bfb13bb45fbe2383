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
    /// Everything `add` reads and writes for one term, in one 32-byte record (one cache miss per token here,
    /// where an array per field cost one each): the last document it occurred in (-1: none yet), its
    /// frequency there, its last position, and per stream (`0`: documents and frequencies; `1`: positions)
    /// where the next byte goes, where the current slice's data ends (its next-slice pointer follows) and the
    /// slice's size level.
    private struct Term {
        var lastDoc: Int32 = -1
        var freq: UInt32 = 0
        var lastPos: UInt32 = 0
        var tail: (UInt32, UInt32) = (0, 0)
        var limit: (UInt32, UInt32) = (0, 0)
        var level: (UInt8, UInt8) = (0, 0)
    }
    private var terms: [Term] = []
    /// Per term, the first slice of its two streams (read only at the flush).
    private var docHead: [UInt32] = []
    private var posHead: [UInt32] = []

    static let sliceSizes: [Int] = [16, 32, 64, 128, 256, 512, 1024, 2048]
    /// Bytes per term outside the arena (the arrays above).
    static let bytesPerTerm = MemoryLayout<Term>.stride + 8

    /// Bytes held.
    var bytesUsed: Int { used + terms.count * Self.bytesPerTerm }
    /// Terms seen.
    var termCount: Int { terms.count }

    /// Records an occurrence of term `t` (a ``TermsHash`` id: new ids come in order) in document `doc` at
    /// `position`. Documents come in increasing order, and positions increase within a document.
    @inline(__always) mutating func add(term t: Int, doc: Int32, position: UInt32) {
        if t == terms.count { newTerm() }
        var x = terms[t]
        if x.lastDoc != doc {
            if x.lastDoc >= 0 { writeVInt(&x, 0, x.freq) }
            writeVInt(&x, 0, UInt32(bitPattern: doc &- max(x.lastDoc, 0)))
            x.lastDoc = doc; x.freq = 0; x.lastPos = 0
        }
        writeVInt(&x, 1, position &- x.lastPos)
        x.lastPos = position
        x.freq &+= 1
        terms[t] = x
    }

    private mutating func newTerm() {
        var x = Term()
        let d = allocate(Self.sliceSizes[0]), p = allocate(Self.sliceSizes[0])
        x.tail = (UInt32(d), UInt32(p))
        x.limit = (UInt32(d + Self.sliceSizes[0] - 4), UInt32(p + Self.sliceSizes[0] - 4))
        terms.append(x); docHead.append(UInt32(d)); posHead.append(UInt32(p))
    }

    /// Bytes of `bytes` handed out to slices; the rest is zeroed room to grow into.
    private var used = 0

    private mutating func allocate(_ size: Int) -> Int {
        let start = used
        if start + size > bytes.count {
            // Grow in large steps (doubling), not a slice at a time.
            bytes.append(contentsOf: repeatElement(0, count: max(bytes.count, 1 << 16, size)))
        }
        used += size
        return start
    }

    /// Appends `v` as a varint to stream `s` (0 or 1) of the term whose record is `x`.
    @inline(__always) private mutating func writeVInt(_ x: inout Term, _ s: Int, _ v: UInt32) {
        var v = v
        var at = Int(s == 0 ? x.tail.0 : x.tail.1)
        let limit = Int(s == 0 ? x.limit.0 : x.limit.1)
        if at + 5 <= limit {
            // Room for any varint in this slice: no slice checks per byte.
            bytes.withUnsafeMutableBufferPointer { b in
                while v >= 0x80 { b[at] = UInt8(truncatingIfNeeded: v) | 0x80; v >>= 7; at += 1 }
                b[at] = UInt8(v); at += 1
            }
        } else {
            while true {
                if at == (s == 0 ? Int(x.limit.0) : Int(x.limit.1)) { at = nextSlice(&x, s) }
                let last = v < 0x80
                bytes[at] = last ? UInt8(v) : UInt8(truncatingIfNeeded: v) | 0x80
                at += 1
                if last { break }
                v >>= 7
            }
        }
        if s == 0 { x.tail.0 = UInt32(at) } else { x.tail.1 = UInt32(at) }
    }

    /// Starts the next slice of stream `s` of the term whose record is `x`, links it from the full one, and
    /// returns its start.
    private mutating func nextSlice(_ x: inout Term, _ s: Int) -> Int {
        let lv = min(Int(s == 0 ? x.level.0 : x.level.1) + 1, Self.sliceSizes.count - 1)
        let size = Self.sliceSizes[lv]
        let start = allocate(size)
        let p = Int(s == 0 ? x.limit.0 : x.limit.1)
        for k in 0..<4 { bytes[p + k] = UInt8(truncatingIfNeeded: start >> (8 * k)) }
        if s == 0 { x.level.0 = UInt8(lv); x.limit.0 = UInt32(start + size - 4) }
        else { x.level.1 = UInt8(lv); x.limit.1 = UInt32(start + size - 4) }
        return start
    }

    /// Term `t`'s postings, decoded into `docs`, `freqs` and (absolute) `positions`, which are emptied first.
    func postings(of t: Int, docs: inout [UInt32], freqs: inout [UInt32], positions: inout [UInt32]) {
        docs.removeAll(keepingCapacity: true); freqs.removeAll(keepingCapacity: true); positions.removeAll(keepingCapacity: true)
        bytes.withUnsafeBufferPointer { a in
            let x = terms[t]
            var r = Reader(at: Int(docHead[t]), end: Int(x.tail.0))
            var doc: UInt32 = 0
            while !r.atEnd {
                doc &+= r.vint(a)
                docs.append(doc)
                freqs.append(r.atEnd ? x.freq : r.vint(a))
            }
            var p = Reader(at: Int(posHead[t]), end: Int(x.tail.1))
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
