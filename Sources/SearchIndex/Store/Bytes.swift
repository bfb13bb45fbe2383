/// Little-endian fixed-width integers and LEB128 variable-length integers over byte buffers.
///
/// `ByteWriter` appends to a growable buffer. `ByteReader` reads from a borrowed buffer with a bounds check
/// on every read, so damaged files throw ``SearchIndexError/corruptIndex(file:reason:)`` instead of trapping.

/// A growable little-endian byte buffer.
struct ByteWriter {
    var bytes: [UInt8] = []
    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }
    var count: Int { bytes.count }
    @inline(__always) mutating func u8(_ v: UInt8) { bytes.append(v) }
    @inline(__always) mutating func u32(_ v: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: v)); bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v >> 16)); bytes.append(UInt8(truncatingIfNeeded: v >> 24))
    }
    @inline(__always) mutating func u64(_ v: UInt64) { u32(UInt32(truncatingIfNeeded: v)); u32(UInt32(truncatingIfNeeded: v >> 32)) }
    @inline(__always) mutating func vint(_ value: UInt64) {
        var v = value
        while v >= 0x80 { bytes.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }
    @inline(__always) mutating func vint(_ v: Int) { vint(UInt64(v)) }
    @inline(__always) mutating func vint(_ v: UInt32) { vint(UInt64(v)) }
    /// Appends the bytes `body` writes into raw memory: at most `maxCount`, and `body` returns how many it
    /// wrote. For loops of varints (``putVInt(_:_:_:)``): appending to the array a byte at a time checks its
    /// uniqueness and capacity for every byte.
    @inline(__always) mutating func appendRaw(maxCount: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        guard maxCount > 0 else { return }
        let old = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: maxCount))
        let n = bytes.withUnsafeMutableBufferPointer { buf in buf.baseAddress.map { body($0 + old) } ?? 0 }
        bytes.removeLast(maxCount - min(max(n, 0), maxCount))
    }
    /// Writes `value` as a varint at `p[at]` (at most 5 bytes) and moves `at` past it.
    @inline(__always) static func putVInt(_ value: UInt32, _ p: UnsafeMutablePointer<UInt8>, _ at: inout Int) {
        var v = value
        while v >= 0x80 { p[at] = UInt8(truncatingIfNeeded: v) | 0x80; v >>= 7; at += 1 }
        p[at] = UInt8(truncatingIfNeeded: v); at += 1
    }
    mutating func bytes<C: Collection>(_ b: C) where C.Element == UInt8 { bytes.append(contentsOf: b) }
    /// A length-prefixed UTF-8 string.
    mutating func string(_ s: String) { var s = s; s.withUTF8 { vint($0.count); bytes.append(contentsOf: $0) } }
    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }
}

/// A bounds-checked reader over bytes it does not own (usually a memory-mapped file).
struct ByteReader {
    let base: UnsafeRawBufferPointer
    var offset: Int
    /// Used in error messages.
    let file: String
    init(_ base: UnsafeRawBufferPointer, offset: Int = 0, file: String) {
        self.base = base; self.offset = offset; self.file = file
    }
    var remaining: Int { base.count - offset }
    var atEnd: Bool { offset >= base.count }

    @inline(__always) func fail(_ what: String) -> SearchIndexError {
        .corruptIndex(file: file, reason: "\(what) at offset \(offset) (size \(base.count))")
    }
    @inline(__always) mutating func u8() throws -> UInt8 {
        guard offset >= 0, offset < base.count else { throw fail("unexpected end of data") }
        let v = base[offset]; offset += 1; return v
    }
    @inline(__always) mutating func u32() throws -> UInt32 {
        guard offset >= 0, base.count - offset >= 4 else { throw fail("unexpected end of data") }
        let v = base.loadUnaligned(fromByteOffset: offset, as: UInt32.self); offset += 4
        return UInt32(littleEndian: v)
    }
    @inline(__always) mutating func u64() throws -> UInt64 {
        guard offset >= 0, base.count - offset >= 8 else { throw fail("unexpected end of data") }
        let v = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self); offset += 8
        return UInt64(littleEndian: v)
    }
    /// A varint of up to 64 bits (metadata: lengths, offsets, counts). The postings' hot loops decode their
    /// 32-bit varints with ``decodeVInt32(_:_:)`` instead, which does not throw.
    @inline(__always) mutating func vint() throws -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard offset >= 0, offset < base.count else { throw fail("unexpected end of data in varint") }
            let b = base[offset]; offset += 1
            result |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return result }
            shift += 7
            if shift > 63 { throw fail("varint too long") }
        }
    }
    /// A varint that must fit in `Int` and be at most `limit`.
    @inline(__always) mutating func count(limit: Int = Int(Int32.max)) throws -> Int {
        let v = try vint()
        guard v <= UInt64(limit) else { throw fail("value \(v) exceeds limit \(limit)") }
        return Int(v)
    }
    mutating func slice(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n >= 0, offset >= 0, n <= base.count - offset else { throw fail("length \(n) runs past the end") }
        let s = UnsafeRawBufferPointer(rebasing: base[offset ..< offset + n]); offset += n; return s
    }
    mutating func string() throws -> String {
        let n = try count(limit: remaining)
        let s = try slice(n)
        return String(decoding: s, as: UTF8.self)
    }
    mutating func seek(_ o: Int) throws {
        guard o >= 0, o <= base.count else { throw fail("offset \(o) out of range") }
        offset = o
    }
}

/// Decodes `n` varints of at most 32 bits each from `p` at `offset` into `out`, moving past them; false when
/// the bytes run out or a varint is too long. Eight one-byte varints (no continuation bit in a 64-bit load) are
/// taken at once: in a dense postings block nearly every delta and frequency is one byte.
@inline(__always) func decodeVInts32(_ p: UnsafeRawBufferPointer, _ offset: inout Int, count n: Int, into out: UnsafeMutablePointer<UInt32>) -> Bool {
    guard let base = p.baseAddress else { return n == 0 }
    var o = offset, i = 0
    let end = p.count
    while i < n {
        if n - i >= 8 && end - o >= 8 {
            let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: o, as: UInt64.self))
            if w & 0x8080_8080_8080_8080 == 0 {
                out[i] = UInt32(truncatingIfNeeded: w) & 0xFF
                out[i + 1] = UInt32(truncatingIfNeeded: w >> 8) & 0xFF
                out[i + 2] = UInt32(truncatingIfNeeded: w >> 16) & 0xFF
                out[i + 3] = UInt32(truncatingIfNeeded: w >> 24) & 0xFF
                out[i + 4] = UInt32(truncatingIfNeeded: w >> 32) & 0xFF
                out[i + 5] = UInt32(truncatingIfNeeded: w >> 40) & 0xFF
                out[i + 6] = UInt32(truncatingIfNeeded: w >> 48) & 0xFF
                out[i + 7] = UInt32(truncatingIfNeeded: w >> 56)
                i += 8; o += 8
                continue
            }
        }
        guard let v = decodeVInt32(p, &o) else { return false }
        out[i] = v; i += 1
    }
    offset = o
    return true
}

/// Moves `offset` past `n` varints of `p` without decoding them (a varint ends at a byte below 0x80); false
/// when the bytes run out first. Eight bytes at a time while at least eight varints remain to pass.
@inline(__always) func skipVInts(_ p: UnsafeRawBufferPointer, _ offset: inout Int, count n: Int) -> Bool {
    guard n > 0 else { return true }
    guard let base = p.baseAddress else { return false }
    var o = offset, left = n
    let end = p.count
    while left >= 8 && end - o >= 8 {
        let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: o, as: UInt64.self))
        let ends = (~w & 0x8080_8080_8080_8080).nonzeroBitCount
        if ends > left { break }
        left -= ends; o += 8
    }
    while left > 0 {
        guard o < end else { return false }
        if p[o] < 0x80 { left -= 1 }
        o += 1
    }
    offset = o
    return true
}

/// Decodes one varint of at most 32 bits (5 bytes) from `p` at `offset` and moves past it; nil when the
/// bytes run out or the varint is longer. The form the postings' hot loops use: no throwing, no 64-bit
/// arithmetic. (Bits past 32 in a fifth byte are dropped; the callers' own checks catch the damage.)
@inline(__always) func decodeVInt32(_ p: UnsafeRawBufferPointer, _ offset: inout Int) -> UInt32? {
    var o = offset
    let end = p.count
    guard o < end else { return nil }
    let first = p[o]; o += 1
    if first < 0x80 { offset = o; return UInt32(first) }   // most deltas and frequencies fit one byte
    var result = UInt32(first & 0x7f), shift: UInt32 = 7
    while o < end {
        let byte = p[o]; o += 1
        result |= UInt32(byte & 0x7f) << shift
        if byte < 0x80 { offset = o; return result }
        shift += 7
        if shift > 28 { return nil }
    }
    return nil
}
