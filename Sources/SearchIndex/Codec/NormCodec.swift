/// Field lengths stored in one byte per document and field, the scheme Lucene also uses
/// ("byte4": lengths below 24 are exact; above, 3 mantissa bits and an exponent, so the relative
/// error is under 12.5%). The encoding is monotonic, which lets a block's smallest norm byte give
/// an upper bound on its BM25 scores.
enum NormCodec {
    static func longToInt4(_ i: UInt64) -> UInt32 {
        let numBits = 64 - i.leadingZeroBitCount
        if numBits < 4 { return UInt32(i) }
        let shift = numBits - 4
        var encoded = UInt32(truncatingIfNeeded: i >> UInt64(shift))
        encoded &= 0x07
        encoded |= UInt32(shift + 1) << 3
        return encoded
    }
    static func int4ToLong(_ i: UInt32) -> UInt64 {
        let bits = UInt64(i & 0x07)
        let shift = Int(i >> 3) - 1
        return shift == -1 ? bits : (bits | 0x08) << UInt64(shift)
    }
    static let maxInt4 = longToInt4(UInt64(Int32.max))
    static let freeValues = 255 - maxInt4

    /// Encodes a field length (number of tokens) into one byte.
    static func encode(_ length: Int) -> UInt8 {
        let l = UInt64(max(0, min(length, Int(Int32.max))))
        if l < UInt64(freeValues) { return UInt8(l) }
        return UInt8(UInt32(freeValues) + longToInt4(l - UInt64(freeValues)))
    }
    /// The length a byte stands for (the lower end of its bucket).
    static func decode(_ b: UInt8) -> Int {
        let i = UInt32(b)
        if i < freeValues { return Int(i) }
        return Int(UInt64(freeValues) + int4ToLong(i - freeValues))
    }
    /// All 256 decoded lengths, for scoring tables.
    static let table: [Float] = (0..<256).map { Float(decode(UInt8($0))) }
}
