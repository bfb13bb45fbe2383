import Foundation
import CHints

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
    /// The arena: `used` bytes handed out to slices, of `byteCapacity` allocated (nil until the first term).
    /// Raw memory, not an array: `add` runs once per token, and an array's uniqueness check and bounds
    /// checks cost there. The owner calls ``deallocate()``.
    private var bytes: UnsafeMutablePointer<UInt8>? = nil
    private(set) var byteCapacity = 0
    private var used = 0
    /// Everything `add` reads and writes for one term, in one 32-byte record (one cache miss per token here,
    /// where an array per field cost one each): the last document it occurred in (-1: none yet), its
    /// frequency there, its last position, and per stream (`doc…`: documents and frequencies; `pos…`:
    /// positions) where the next byte goes, where the current slice's data ends (its next-slice pointer
    /// follows) and the slice's size level. `add` updates it in place: copying it to the stack and back
    /// cost a store-forwarding stall per token (the copy is read with 16-byte loads just after its fields
    /// were written with 4-byte stores), about a quarter of `add`'s time at 1M documents (perf).
    private struct Term {
        var lastDoc: Int32 = -1
        var freq: UInt32 = 0
        var lastPos: UInt32 = 0
        var docTail: UInt32 = 0, posTail: UInt32 = 0
        var docLimit: UInt32 = 0, posLimit: UInt32 = 0
        var docLevel: UInt8 = 0, posLevel: UInt8 = 0
    }
    private var records: UnsafeMutablePointer<Term>? = nil
    private(set) var recordCapacity = 0
    /// The records' memory as raw bytes, as it was allocated and as a pool holds it.
    private var recordBytes: UnsafeMutablePointer<UInt8>? {
        records.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: UInt8.self) }
    }
    /// Terms seen.
    private(set) var termCount = 0
    /// Per term, the first slice of its two streams (read only at the flush).
    private var docHead: [UInt32] = []
    private var posHead: [UInt32] = []

    static let sliceSizes: [Int] = [16, 32, 64, 128, 256, 512, 1024, 2048]
    /// Bytes per term outside the arena (the records and the heads).
    static let bytesPerTerm = MemoryLayout<Term>.stride + 8

    /// Bytes held.
    var bytesUsed: Int { used + termCount * Self.bytesPerTerm }

    /// Where the arena's bytes and records come from and go back to, if anywhere (see ``ArenaPool``).
    var pool: ArenaPool? = nil
    /// The bytes the arena will probably need (its buffer's flush size; 0: unknown). Its first allocations
    /// are this large (the bytes, and records for as many terms as could fit), so that it does not grow by
    /// doubling: each doubling copied the arena into memory the system then had to clear, page by page.
    /// Pages never touched cost nothing, so a small buffer holds little of it.
    var reserve = 0

    /// Frees the arena (or gives it back to its pool) and the records (the arena must not be used afterwards).
    mutating func deallocate() {
        if let bytes { if let pool { pool.give(bytes, capacity: byteCapacity) } else { bytes.deallocate() } }
        if let recordBytes {
            if let pool { pool.give(recordBytes, capacity: recordCapacity * MemoryLayout<Term>.stride, .records) } else { recordBytes.deallocate() }
        }
        bytes = nil; records = nil; byteCapacity = 0; recordCapacity = 0; used = 0; termCount = 0
        docHead = []; posHead = []
    }

    /// Records an occurrence of term `t` (a ``TermsHash`` id: new ids come in order) in document `doc` at
    /// `position`. Documents come in increasing order, and positions increase within a document.
    @inline(__always) mutating func add(term t: Int, doc: Int32, position: UInt32) {
        if t >= termCount { newTerm(t) }
        let x = records.unsafelyUnwrapped + t
        if x.pointee.lastDoc != doc {
            if x.pointee.lastDoc >= 0 { writeVInt(x, doc: true, x.pointee.freq) }
            writeVInt(x, doc: true, UInt32(bitPattern: doc &- max(x.pointee.lastDoc, 0)))
            x.pointee.lastDoc = doc; x.pointee.freq = 0; x.pointee.lastPos = 0
        }
        writeVInt(x, doc: false, position &- x.pointee.lastPos)
        x.pointee.lastPos = position
        x.pointee.freq &+= 1
    }

    /// Hints that term `t`'s record will soon be updated (an ``add(term:doc:position:)`` a few tokens ahead).
    @inline(__always) func prefetch(term t: Int) {
        if t < termCount { si_prefetch(records.unsafelyUnwrapped + t) }
    }

    /// Adds the record of term `t`, which must be the next id.
    private mutating func newTerm(_ t: Int) {
        precondition(t == termCount, "PostingsArena: term ids must come in order")
        if termCount == recordCapacity {
            let stride = MemoryLayout<Term>.stride
            var capacity = max(1024, recordCapacity * 2, records == nil ? reserve / Self.bytesPerTerm : 0)
            var reused: UnsafeMutablePointer<UInt8>? = nil
            if records == nil, let (pooled, bytes) = pool?.take(.records) {
                if bytes / stride >= capacity { reused = pooled; capacity = bytes / stride } else { pooled.deallocate() }
            }
            let block = reused ?? .allocate(capacity: capacity * stride)
            let grown = UnsafeMutableRawPointer(block).bindMemory(to: Term.self, capacity: capacity)
            if let records { grown.moveInitialize(from: records, count: termCount) }
            recordBytes?.deallocate()
            records = grown; recordCapacity = capacity
            if docHead.capacity < capacity { docHead.reserveCapacity(capacity); posHead.reserveCapacity(capacity) }
        }
        let d = allocate(Self.sliceSizes[0]), p = allocate(Self.sliceSizes[0])
        var x = Term()
        x.docTail = UInt32(d); x.posTail = UInt32(p)
        x.docLimit = UInt32(d + Self.sliceSizes[0] - 4); x.posLimit = UInt32(p + Self.sliceSizes[0] - 4)
        (records.unsafelyUnwrapped + termCount).initialize(to: x)
        termCount += 1
        docHead.append(UInt32(d)); posHead.append(UInt32(p))
    }

    /// Hands out `size` bytes of the arena; returns their offset.
    private mutating func allocate(_ size: Int) -> Int {
        let start = used
        if start + size > byteCapacity {
            if bytes == nil, let (pooled, capacity) = pool?.take() {
                // (Every arena given back holds at least 64 KiB, and a slice at most 2 KiB.)
                if capacity >= max(start + size, reserve) {
                    bytes = pooled; byteCapacity = capacity
                    used += size
                    return start
                }
                pooled.deallocate()
            }
            // Grow in large steps (doubling), not a slice at a time.
            let capacity = max(byteCapacity * 2, 1 << 16, start + size, bytes == nil ? reserve : 0)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            if let bytes { grown.update(from: bytes, count: used); bytes.deallocate() }
            bytes = grown; byteCapacity = capacity
        }
        used += size
        return start
    }

    /// Appends `v` as a varint to the document stream (`doc`) or the positions stream of the term whose
    /// record is at `x`.
    @inline(__always) private mutating func writeVInt(_ x: UnsafeMutablePointer<Term>, doc: Bool, _ v: UInt32) {
        var v = v
        var at = Int(doc ? x.pointee.docTail : x.pointee.posTail)
        if at + 5 <= Int(doc ? x.pointee.docLimit : x.pointee.posLimit) {
            // Room for any varint in this slice: no slice checks per byte.
            ByteWriter.putVInt(v, bytes.unsafelyUnwrapped, &at)
        } else {
            while true {
                if at == Int(doc ? x.pointee.docLimit : x.pointee.posLimit) { at = nextSlice(x, doc: doc) }
                let last = v < 0x80
                bytes.unsafelyUnwrapped[at] = last ? UInt8(v) : UInt8(truncatingIfNeeded: v) | 0x80
                at += 1
                if last { break }
                v >>= 7
            }
        }
        if doc { x.pointee.docTail = UInt32(at) } else { x.pointee.posTail = UInt32(at) }
    }

    /// Starts the next slice of the document or positions stream of the term whose record is at `x`, links
    /// it from the full one, and returns its start.
    private mutating func nextSlice(_ x: UnsafeMutablePointer<Term>, doc: Bool) -> Int {
        let lv = min(Int(doc ? x.pointee.docLevel : x.pointee.posLevel) + 1, Self.sliceSizes.count - 1)
        let size = Self.sliceSizes[lv]
        let start = allocate(size)
        let p = Int(doc ? x.pointee.docLimit : x.pointee.posLimit)
        for k in 0..<4 { bytes.unsafelyUnwrapped[p + k] = UInt8(truncatingIfNeeded: start >> (8 * k)) }
        if doc { x.pointee.docLevel = UInt8(lv); x.pointee.docLimit = UInt32(start + size - 4) }
        else { x.pointee.posLevel = UInt8(lv); x.pointee.posLimit = UInt32(start + size - 4) }
        return start
    }

    /// Term `t`'s postings, decoded into `scratch`: its documents, their frequencies and the (absolute)
    /// positions of each document in turn. The buffers returned are `scratch`'s and hold until its next use.
    func postings(of t: Int, into scratch: inout PostingsScratch)
        -> (docs: UnsafeBufferPointer<UInt32>, freqs: UnsafeBufferPointer<UInt32>, positions: UnsafeBufferPointer<UInt32>) {
        let x = records.unsafelyUnwrapped[t]
        let docStart = Int(docHead[t]), docEnd = Int(x.docTail), posStart = Int(posHead[t]), posEnd = Int(x.posTail)
        let a = UnsafeBufferPointer(start: bytes, count: used)
        // Every varint takes a byte at least: the streams' lengths bound the counts.
        scratch.reserve(docs: Self.streamLength(a, from: docStart, to: docEnd) + 1,
                        positions: Self.streamLength(a, from: posStart, to: posEnd))
        let d = scratch.docs, f = scratch.freqs, p = scratch.positions
        // Documents: (delta, frequency) pairs; the last document's frequency is still in the term's record.
        var n = 0, doc: UInt32 = 0, isFreq = false
        var v: UInt32 = 0, shift: UInt32 = 0
        Self.forEachSegment(a, from: docStart, to: docEnd) { seg in
            for byte in seg {
                v |= UInt32(byte & 0x7F) << shift
                if byte >= 0x80 { shift += 7; continue }
                if isFreq { f[n] = v; n += 1 } else { doc &+= v; d[n] = doc }
                isFreq.toggle(); v = 0; shift = 0
            }
        }
        if isFreq { f[n] = x.freq; n += 1 }
        // Positions: each document's `freq` deltas, the first absolute.
        var k = 0, i = 0, left = n > 0 ? f[0] : 0, pos: UInt32 = 0
        v = 0; shift = 0
        Self.forEachSegment(a, from: posStart, to: posEnd) { seg in
            for byte in seg {
                v |= UInt32(byte & 0x7F) << shift
                if byte >= 0x80 { shift += 7; continue }
                if left == 0 {
                    i += 1; pos = 0
                    guard i < n else { return }   // (cannot happen: the streams are written together)
                    left = f[i]
                }
                pos &+= v; p[k] = pos; k += 1; left -= 1
                v = 0; shift = 0
            }
        }
        return (UnsafeBufferPointer(start: d, count: n), UnsafeBufferPointer(start: f, count: n),
                UnsafeBufferPointer(start: p, count: k))
    }

    /// Calls `body` with each contiguous run of a stream's bytes, from its first slice at `start` to `end`
    /// (where its next byte would go), following the slices' next pointers.
    @inline(__always)
    private static func forEachSegment(_ a: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int,
                                       _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var at = start, level = 0, limit = start + sliceSizes[0] - 4
        while true {
            if end >= at && end <= limit {   // the stream ends in this slice
                body(UnsafeBufferPointer(rebasing: a[at..<end])); return
            }
            body(UnsafeBufferPointer(rebasing: a[at..<limit]))
            var next = 0
            for k in 0..<4 { next |= Int(a[limit + k]) << (8 * k) }
            level = min(level + 1, sliceSizes.count - 1)
            at = next; limit = next + sliceSizes[level] - 4
        }
    }

    /// The number of bytes in a stream (see ``forEachSegment(_:from:to:_:)``).
    private static func streamLength(_ a: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        var n = 0
        forEachSegment(a, from: start, to: end) { n += $0.count }
        return n
    }
}

/// Growable buffers that ``PostingsArena/postings(of:into:)`` decodes one term into, reused from term to term
/// of a flush; `deallocate()` frees them.
struct PostingsScratch {
    private(set) var docs = UnsafeMutablePointer<UInt32>.allocate(capacity: 1024)
    private(set) var freqs = UnsafeMutablePointer<UInt32>.allocate(capacity: 1024)
    private(set) var positions = UnsafeMutablePointer<UInt32>.allocate(capacity: 1024)
    private var docCapacity = 1024, positionCapacity = 1024

    /// Makes room for `docs` documents and `positions` positions (the contents are not kept).
    mutating func reserve(docs n: Int, positions m: Int) {
        if n > docCapacity {
            docCapacity = max(n, docCapacity * 2)
            docs.deallocate(); freqs.deallocate()
            docs = .allocate(capacity: docCapacity); freqs = .allocate(capacity: docCapacity)
        }
        if m > positionCapacity {
            positionCapacity = max(m, positionCapacity * 2)
            positions.deallocate()
            positions = .allocate(capacity: positionCapacity)
        }
    }

    func deallocate() { docs.deallocate(); freqs.deallocate(); positions.deallocate() }
}

/// Arena memory passed from a written buffer to a new one: its bytes and its term records. Memory that
/// large is mapped fresh for every allocation and freed back to the system, and on these virtual machines a
/// fresh page is expensive: at 1M documents with 2 threads, zeroing new pages and copying at each doubling
/// was about 3% of the build's CPU samples (`perf`, `clear_page_erms` under `PostingsArena.nextSlice`). The
/// pool keeps up to `limit` blocks of each ``Kind`` given back, and a new arena starts in the largest, whose
/// pages are already mapped. ``drain()`` frees them: the writer drains its pool at each commit, so between
/// commits it holds at most the arenas of buffers written since (one a thread).
final class ArenaPool: @unchecked Sendable {
    /// What a pooled block of memory holds: an arena's bytes, or its term records.
    enum Kind { case bytes, records }
    private let lock = NSLock()
    private var free: [Kind: [(bytes: UnsafeMutablePointer<UInt8>, capacity: Int)]] = [:]
    let limit: Int

    init(limit: Int) { self.limit = limit }
    /// Blocks of `kind` held.
    func count(_ kind: Kind = .bytes) -> Int { lock.withLock { free[kind]?.count ?? 0 } }
    /// Arenas held.
    var count: Int { count(.bytes) }
    deinit { drain() }

    /// The largest block of `kind` held, if any, and its capacity in bytes.
    func take(_ kind: Kind = .bytes) -> (UnsafeMutablePointer<UInt8>, Int)? {
        lock.withLock {
            guard let list = free[kind], let i = list.indices.max(by: { list[$0].capacity < list[$1].capacity }) else { return nil }
            let a = free[kind, default: []].remove(at: i)
            return (a.bytes, a.capacity)
        }
    }

    /// Keeps `bytes` for the next arena, or frees it (or a smaller one) when `limit` of its kind are held.
    func give(_ bytes: UnsafeMutablePointer<UInt8>, capacity: Int, _ kind: Kind = .bytes) {
        let drop: UnsafeMutablePointer<UInt8>? = lock.withLock {
            var list = free[kind, default: []]
            list.append((bytes, capacity))
            defer { free[kind] = list }
            guard list.count > limit, let i = list.indices.min(by: { list[$0].capacity < list[$1].capacity }) else { return nil }
            return list.remove(at: i).bytes
        }
        drop?.deallocate()
    }

    /// Frees every block held.
    func drain() {
        let all = lock.withLock { defer { free = [:] }; return free.values.flatMap { $0 } }
        for a in all { a.bytes.deallocate() }
    }
}
