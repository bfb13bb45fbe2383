/// The writer's in-memory term dictionary for the documents buffered since the last flush.
///
/// Terms live in one byte arena, keyed as `[field number][term bytes]`, found through an open-addressing
/// hash table, so looking up a token allocates nothing once its term has been seen. The occurrences
/// themselves are kept by ``SegmentBuffer`` in a ``PostingsArena``, by term id.

struct TermsHash {
    private(set) var arena: [UInt8] = []
    private(set) var keyStart: [Int32] = []
    private(set) var keyLength: [UInt16] = []
    /// One 16-byte slot per entry, holding everything a lookup compares before the key bytes, so a token
    /// costs one cache miss here and one in `arena` (separate arrays of hashes, starts and lengths cost a miss
    /// each). `tag` is the hash's upper 48 bits and the key length; 0 marks an empty slot (a key has at least
    /// its field byte).
    private struct Slot {
        var tag: UInt64 = 0
        var id: Int32 = -1
        var start: Int32 = 0
    }
    private var slots: [Slot]
    private var mask: Int
    /// Rough bytes used, for the RAM budget.
    private(set) var bytesUsed = 0

    var count: Int { keyStart.count }

    init() { slots = [Slot](repeating: Slot(), count: 1 << 12); mask = (1 << 12) - 1; bytesUsed = slots.count * 16 }
    /// An empty value that allocates nothing, to swap with while the real one is borrowed (it cannot hold
    /// terms).
    init(placeholder: ()) { slots = []; mask = 0 }
    /// Whether this is a placeholder.
    var isPlaceholder: Bool { slots.isEmpty }

    @inline(__always) static func hash(_ field: UInt8, _ t: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325 ^ UInt64(field)
        for b in t { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return h ^ (h >> 29)
    }

    /// The slot index for a tag: the hash bits the tag keeps (so growing needs no other copy of the hash).
    @inline(__always) private static func home(_ tag: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: tag >> 16) & mask }

    /// The term id of `(field, term)`, added if new.
    @inline(__always) mutating func id(field: UInt8, term t: UnsafeBufferPointer<UInt8>) -> Int {
        let length = t.count + 1
        let tag = Self.hash(field, t) & ~0xFFFF | UInt64(truncatingIfNeeded: length & 0xFFFF)
        var i = Self.home(tag, mask)
        let found: Int? = slots.withUnsafeBufferPointer { sl in
            arena.withUnsafeBufferPointer { a in
                while true {
                    let s = sl[i]
                    if s.tag == 0 { return nil }
                    if s.tag == tag && Self.matches(a, Int(s.start), field, t) { return Int(s.id) }
                    i = (i + 1) & mask
                }
            }
        }
        if let found { return found }
        let id = keyStart.count
        let start = arena.count
        keyStart.append(Int32(start))
        keyLength.append(UInt16(length))
        arena.append(field)
        arena.append(contentsOf: t)
        slots[i] = Slot(tag: tag, id: Int32(id), start: Int32(start))
        bytesUsed += length + 4 + 2
        if keyStart.count * 2 > mask { grow() }
        return id
    }

    /// Whether the key at `start` in `a` is `field` then `t` (the caller has compared the lengths).
    @inline(__always) private static func matches(_ a: UnsafeBufferPointer<UInt8>, _ start: Int, _ field: UInt8, _ t: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a[start] == field else { return false }
        for k in 0..<t.count where a[start + 1 + k] != t[k] { return false }
        return true
    }

    private mutating func grow() {
        let n = slots.count * 2
        var next = [Slot](repeating: Slot(), count: n)
        let m = n - 1
        for s in slots where s.tag != 0 {
            var i = Self.home(s.tag, m)
            while next[i].tag != 0 { i = (i + 1) & m }
            next[i] = s
        }
        bytesUsed += (n - slots.count) * 16
        slots = next; mask = m
    }

    /// Key bytes of term `id` (field byte first).
    func key(_ id: Int) -> ArraySlice<UInt8> {
        let s = Int(keyStart[id]); return arena[s ..< s + Int(keyLength[id])]
    }

    /// Term ids sorted by key (field, then term bytes, unsigned byte order).
    func sortedIDs() -> [Int] {
        arena.withUnsafeBufferPointer { a in
            (0..<count).sorted { x, y in
                let xs = Int(keyStart[x]), xl = Int(keyLength[x]), ys = Int(keyStart[y]), yl = Int(keyLength[y])
                let n = min(xl, yl)
                for k in 0..<n {
                    let bx = a[xs + k], by = a[ys + k]
                    if bx != by { return bx < by }
                }
                return xl < yl
            }
        }
    }
}
