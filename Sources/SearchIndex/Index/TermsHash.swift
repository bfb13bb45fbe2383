/// The writer's in-memory term dictionary for the documents buffered since the last flush.
///
/// Terms live in one byte arena, keyed as `[field number][term bytes]`, found through an open-addressing
/// hash table, so looking up a token allocates nothing once its term has been seen. The occurrences
/// themselves are kept by ``SegmentBuffer`` in a ``PostingsArena``, by term id.

struct TermsHash {
    private(set) var arena: [UInt8] = []
    private(set) var keyStart: [Int32] = []
    private(set) var keyLength: [UInt16] = []
    private var hashes: [UInt64] = []
    private var slots: [Int32]
    private var mask: Int
    /// Rough bytes used, for the RAM budget.
    private(set) var bytesUsed = 0

    var count: Int { keyStart.count }

    init() { slots = [Int32](repeating: -1, count: 1 << 14); mask = (1 << 14) - 1 }
    /// An empty value that allocates nothing, to swap with while the real one is borrowed.
    init(placeholder: ()) { slots = []; mask = 0 }

    @inline(__always) static func hash(_ field: UInt8, _ t: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325 ^ UInt64(field)
        for b in t { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return h ^ (h >> 29)
    }

    /// The term id of `(field, term)`, added if new.
    @inline(__always) mutating func id(field: UInt8, term t: UnsafeBufferPointer<UInt8>) -> Int {
        let h = Self.hash(field, t)
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s < 0 { break }
            let id = Int(s)
            if hashes[id] == h && Int(keyLength[id]) == t.count + 1 && matches(id, field, t) { return id }
            i = (i + 1) & mask
        }
        let id = keyStart.count
        keyStart.append(Int32(arena.count))
        keyLength.append(UInt16(t.count + 1))
        arena.append(field)
        arena.append(contentsOf: t)
        hashes.append(h)
        slots[i] = Int32(id)
        bytesUsed += t.count + 1 + 4 + 2 + 8 + 8
        if keyStart.count * 2 > mask { grow() }
        return id
    }

    @inline(__always) private func matches(_ id: Int, _ field: UInt8, _ t: UnsafeBufferPointer<UInt8>) -> Bool {
        let s = Int(keyStart[id])
        if arena[s] != field { return false }
        return arena.withUnsafeBufferPointer { a in
            for k in 0..<t.count where a[s + 1 + k] != t[k] { return false }
            return true
        }
    }

    private mutating func grow() {
        let n = slots.count * 2
        slots = [Int32](repeating: -1, count: n); mask = n - 1
        for id in 0..<keyStart.count {
            var i = Int(truncatingIfNeeded: hashes[id]) & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = Int32(id)
        }
        bytesUsed += n * 2
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
