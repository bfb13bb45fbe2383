/// The writer's in-memory inverted index for the documents buffered since the last flush.
///
/// Terms live in one byte arena, keyed as `[field number][term bytes]`, found through an open-addressing
/// hash table, so adding a token allocates nothing once its term has been seen. Each term keeps its doc ids,
/// frequencies and positions in growable arrays until the buffer is flushed to a segment.
struct TermPostingsBuffer {
    var docs: [UInt32] = []
    var freqs: [UInt32] = []
    var positions: [UInt32] = []
}

struct TermsHash {
    private(set) var arena: [UInt8] = []
    private(set) var keyStart: [Int32] = []
    private(set) var keyLength: [UInt16] = []
    private var hashes: [UInt64] = []
    private var slots: [Int32] = [Int32](repeating: -1, count: 1 << 14)
    private var mask = (1 << 14) - 1
    var postings: [TermPostingsBuffer] = []
    /// Rough bytes used, for the RAM budget.
    private(set) var bytesUsed = 0

    var count: Int { keyStart.count }

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
        postings.append(TermPostingsBuffer())
        slots[i] = Int32(id)
        bytesUsed += t.count + 1 + 4 + 2 + 8 + 3 * 32 + 8
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

    /// Records one occurrence of term `id` in `doc` at `position`.
    @inline(__always) mutating func add(_ id: Int, doc: UInt32, position: UInt32) {
        postings[id].positions.append(position)
        if postings[id].docs.last == doc {
            postings[id].freqs[postings[id].freqs.count - 1] += 1
            bytesUsed += 4
        } else {
            postings[id].docs.append(doc)
            postings[id].freqs.append(1)
            bytesUsed += 12
        }
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
