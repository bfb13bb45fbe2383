import CHints

/// A ``SegmentBuffer``'s map from surface forms (a field number and a token before stemming) to the term id
/// each one stems to, so a form is stemmed and looked up in ``TermsHash`` once per buffer and each later
/// token costs one probe here.
///
/// Open addressing with linear probing over 32-byte slots, each holding the key's hash tag, its first 16
/// bytes (as two words) and the term id: a token of up to 16 bytes (nearly all of them) is compared in its
/// slot's cache line, with no second memory access for the key bytes. Bytes past the 16th are kept in
/// `longKeys`. Keys are read from their buffer a word at a time, so a token's buffer must be readable for
/// ``readableBytes(_:)`` bytes (the tokenizer's is; see ``SurfaceAnalyzer``).
struct SurfaceTable {
    private struct Slot {
        /// The hash's upper 48 bits, the field number and the key length's low byte; 0 marks an empty slot
        /// (a key has at least one byte).
        var tag: UInt64 = 0
        /// Key bytes 0-7 and 8-15, little-endian, zero past the key's end.
        var w0: UInt64 = 0, w1: UInt64 = 0
        /// The term id (-1: the stem was too long to index).
        var term: Int32 = 0
        /// For a key longer than 16 bytes: where its length and remaining bytes start in `longKeys`.
        var rest: UInt32 = 0
    }

    /// A key as looked up: its tag and first two words.
    struct Key {
        var tag: UInt64, w0: UInt64, w1: UInt64
    }

    private var slots: UnsafeMutablePointer<Slot>? = nil
    private var capacity = 0
    /// 64 − log2(capacity): a tag's home slot is its top bits.
    private var shift = 64
    /// Keys stored.
    private(set) var count = 0
    /// Per key longer than 16 bytes: its length (2 bytes) and its bytes from the 17th on.
    private var longKeys: [UInt8] = []

    /// Bytes held (slots and long keys), for the RAM budget.
    var bytesUsed: Int { capacity * MemoryLayout<Slot>.stride + longKeys.count }

    /// How many bytes from a key's start ``key(field:_:count:)`` reads: the key rounded up to whole words, and
    /// at least 16.
    @inline(__always) static func readableBytes(_ count: Int) -> Int { max(16, (count + 7) & ~7) }

    /// Frees the slots (the table is empty afterwards).
    mutating func deallocate() {
        slots?.deallocate()
        slots = nil; capacity = 0; shift = 64; count = 0; longKeys = []
    }

    @inline(__always) private static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let r = a.multipliedFullWidth(by: b)
        return r.high ^ r.low
    }
    /// The low `n` bytes of `w` (0 ≤ n ≤ 8), the rest zero.
    @inline(__always) private static func low(_ w: UInt64, bytes n: Int) -> UInt64 { w & (UInt64.max >> UInt64(64 - 8 * n)) }
    @inline(__always) private static func word(_ p: UnsafePointer<UInt8>, _ at: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p + at).loadUnaligned(as: UInt64.self))
    }

    /// The key of `count` bytes at `p` (readable for ``readableBytes(_:)``) in field `field`.
    @inline(__always) static func key(field: UInt8, _ p: UnsafePointer<UInt8>, count n: Int) -> Key {
        let w0 = low(word(p, 0), bytes: min(n, 8))
        let w1 = low(word(p, 8), bytes: min(max(n - 8, 0), 8))
        var h = mix(w0 ^ 0x243F_6A88_85A3_08D3, w1 ^ 0x1319_8A2E_0370_7344 ^ UInt64(truncatingIfNeeded: n) << 8 ^ UInt64(field))
        var at = 16
        while at < n {
            let a = low(word(p, at), bytes: min(n - at, 8))
            let b = n - at > 8 ? low(word(p, at + 8), bytes: min(n - at - 8, 8)) : 0
            h = mix(h ^ a, b ^ 0xA409_3822_299F_31D0)
            at += 16
        }
        // (A token has 1 to 255 bytes, so the length byte, and with it the tag, is never 0.)
        return Key(tag: h & ~0xFFFF | UInt64(field) << 8 | UInt64(truncatingIfNeeded: n) & 0xFF, w0: w0, w1: w1)
    }

    /// The slot `key` would go to first, prefetched.
    @inline(__always) func prefetch(_ key: Key) {
        guard let slots else { return }
        si_prefetch(slots + Int(truncatingIfNeeded: key.tag >> UInt64(shift)))
    }

    /// The term id of the key of `count` bytes at `p`, or nil with the slot where it would be inserted
    /// (``insert(_:at:_:count:term:)``, before the table changes otherwise).
    /// (`p` is read only for a key longer than 16 bytes.)
    @inline(__always) func find(_ key: Key, _ p: UnsafePointer<UInt8>?, count n: Int) -> (term: Int32?, slot: Int) {
        guard let slots else { return (nil, -1) }
        let mask = capacity - 1
        var i = Int(truncatingIfNeeded: key.tag >> UInt64(shift))
        while true {
            let s = slots + i
            let tag = s.pointee.tag
            if tag == 0 { return (nil, i) }
            if tag == key.tag && s.pointee.w0 == key.w0 && s.pointee.w1 == key.w1 && (n <= 16 || longMatches(Int(s.pointee.rest), p.unsafelyUnwrapped, n)) {
                return (s.pointee.term, i)
            }
            i = (i + 1) & mask
        }
    }

    private func longMatches(_ rest: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        guard Int(longKeys[rest]) | Int(longKeys[rest + 1]) << 8 == n else { return false }
        for k in 16..<n where longKeys[rest + 2 + k - 16] != p[k] { return false }
        return true
    }

    /// Adds the key of `count` bytes at `p` with its term id at `slot`, the slot ``find(_:_:count:)`` returned.
    mutating func insert(_ key: Key, at slot: Int, _ p: UnsafePointer<UInt8>, count n: Int, term: Int32) {
        if slots == nil { grow(to: 4096) }
        // (No slots yet: `find` had none to return.)
        let i = slot >= 0 ? slot : Self.freeSlot(slots.unsafelyUnwrapped, capacity, shift, key.tag)
        var s = Slot(tag: key.tag, w0: key.w0, w1: key.w1, term: term, rest: 0)
        if n > 16 {
            s.rest = UInt32(longKeys.count)
            longKeys.append(UInt8(truncatingIfNeeded: n)); longKeys.append(UInt8(truncatingIfNeeded: n >> 8))
            longKeys.append(contentsOf: UnsafeBufferPointer(start: p + 16, count: n - 16))
        }
        (slots.unsafelyUnwrapped + i).pointee = s
        count += 1
        if count * 2 > capacity { grow(to: capacity * 2) }
    }

    private static func freeSlot(_ slots: UnsafeMutablePointer<Slot>, _ capacity: Int, _ shift: Int, _ tag: UInt64) -> Int {
        var i = Int(truncatingIfNeeded: tag >> UInt64(shift))
        while slots[i].tag != 0 { i = (i + 1) & (capacity - 1) }
        return i
    }

    private mutating func grow(to n: Int) {
        let next = UnsafeMutablePointer<Slot>.allocate(capacity: n)
        next.initialize(repeating: Slot(), count: n)
        let nextShift = 64 - n.trailingZeroBitCount
        if let slots {
            for k in 0..<capacity where slots[k].tag != 0 {
                next[Self.freeSlot(next, n, nextShift, slots[k].tag)] = slots[k]
            }
            slots.deallocate()
        }
        slots = next; capacity = n; shift = nextShift
    }
}
