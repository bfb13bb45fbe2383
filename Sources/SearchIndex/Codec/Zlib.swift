import CZlib

/// Raw DEFLATE (RFC 1951, zlib with windowBits -15: no zlib header or Adler-32, the file CRC covers it)
/// through the system zlib. One `Deflater` or `Inflater` keeps its `z_stream` and is reset between
/// blocks, so the hot path allocates nothing. Neither is thread-safe; use one per thread or query.
final class Deflater {
    private var stream = z_stream()
    private var ok = false
    private var out: [UInt8] = []
    let level: Int32

    /// - Parameter fixedHuffman: use only deflate's fixed Huffman codes (`Z_FIXED`). Inflating such a block
    ///   skips building decode tables, which dominates for small blocks.
    /// - Parameter smallInputs: tune for inputs of a few hundred bytes (postings blocks): a 4 KiB window and
    ///   a 512-entry match hash, so `deflateReset` between blocks does not clear zlib's default 64 KiB table.
    /// - Parameter mediumInputs: tune for inputs of a few KiB (positions groups): an 8 KiB window and an
    ///   8,192-entry match hash, and room for 4,095 symbols per deflate block, so a group is usually one block
    ///   with one set of Huffman trees (with `smallInputs`' 255 symbols it would be many).
    /// - Parameter huffmanOnly: Huffman-code literals only, without looking for repeated strings
    ///   (`Z_HUFFMAN_ONLY`).
    convenience init(level: Int32 = 6, fixedHuffman: Bool = false, huffmanOnly: Bool = false, smallInputs: Bool = false, mediumInputs: Bool = false) {
        let (windowBits, memLevel): (Int32, Int32) = smallInputs ? (-12, 2) : mediumInputs ? (-13, 6) : (-15, 8)
        self.init(level: level, fixedHuffman: fixedHuffman, huffmanOnly: huffmanOnly, windowBits: windowBits, memLevel: memLevel)
    }
    /// With zlib's `windowBits` (negative: raw deflate) and `memLevel` given directly.
    init(level: Int32, fixedHuffman: Bool = false, huffmanOnly: Bool, windowBits: Int32, memLevel: Int32) {
        self.level = level
        let strategy = fixedHuffman ? Z_FIXED : huffmanOnly ? Z_HUFFMAN_ONLY : Z_DEFAULT_STRATEGY
        ok = deflateInit2_(&stream, level, Z_DEFLATED, windowBits, memLevel, strategy,
                           ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
    }
    deinit { if ok { deflateEnd(&stream) } }

    /// Compresses `input` and appends the result to `dest`; returns the number of bytes appended.
    @discardableResult
    func compress(_ input: UnsafeRawBufferPointer, into dest: inout [UInt8]) -> Int {
        guard ok else { return -1 }
        deflateReset(&stream)
        let bound = Int(deflateBound(&stream, uLong(input.count))) + 16
        if out.count < bound { out = [UInt8](repeating: 0, count: bound) }
        var produced = 0
        out.withUnsafeMutableBufferPointer { o in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count)
            stream.next_out = o.baseAddress
            stream.avail_out = uInt(o.count)
            let rc = deflate(&stream, Z_FINISH)
            produced = rc == Z_STREAM_END ? o.count - Int(stream.avail_out) : -1
        }
        if produced > 0 { dest.append(contentsOf: out[0..<produced]) }
        return produced
    }

    func compress(_ input: [UInt8], into dest: inout [UInt8]) -> Int {
        input.withUnsafeBytes { compress($0, into: &dest) }
    }
}

/// Something that deflates a payload: ``Deflater`` or ``SizedDeflater``.
protocol PayloadCompressor: AnyObject {
    /// Compresses `input` and appends the result to `dest`; returns the number of bytes appended (-1: failed).
    func compress(_ input: [UInt8], into dest: inout [UInt8]) -> Int
}

extension Deflater: PayloadCompressor {}

/// Raw deflate with an 8 KiB window through one of several zlib streams, chosen by the input's size: the
/// smallest `memLevel` (1 to 6) whose symbol buffer holds the whole input, so the input is one deflate block
/// with one set of Huffman trees (as with `memLevel` 6 alone). The point is `deflateReset`, which clears the
/// match hash (2^(memLevel+8) bytes) whether or not it is used: for `memLevel` 6 that is a 16 KiB memset per
/// payload, 12% of the instructions of deflating a segment's positions (callgrind, zlib 1.2.13), most of them
/// payloads of a few hundred bytes. Huffman-only coding (positions) gives the bytes `memLevel` 6 gives; with
/// string matching (doc groups) a smaller hash may find other matches, the same ones for the same input.
final class SizedDeflater: PayloadCompressor {
    let level: Int32
    let fixedHuffman: Bool, huffmanOnly: Bool
    private var streams: [Deflater?] = Array(repeating: nil, count: 7)

    /// - Parameters: as for ``Deflater``.
    init(level: Int32, fixedHuffman: Bool = false, huffmanOnly: Bool = false) {
        self.level = level; self.fixedHuffman = fixedHuffman; self.huffmanOnly = huffmanOnly
    }

    func compress(_ input: [UInt8], into dest: inout [UInt8]) -> Int {
        // zlib ends a block when its symbol buffer (2^(memLevel+6) entries) has one left.
        var m: Int32 = 1
        while m < 6 && (1 << (m + 6)) <= input.count + 1 { m += 1 }
        let d: Deflater
        if let s = streams[Int(m)] { d = s } else {
            d = Deflater(level: level, fixedHuffman: fixedHuffman, huffmanOnly: huffmanOnly, windowBits: -13, memLevel: m)
            streams[Int(m)] = d
        }
        return d.compress(input, into: &dest)
    }
}

/// See ``Deflater``.
final class Inflater {
    private var stream = z_stream()
    private var ok = false

    init() {
        ok = inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
    }
    deinit { if ok { inflateEnd(&stream) } }

    /// Extra output space handed to zlib beyond the expected size: its fast decoding loop (`inflate_fast`)
    /// only runs while at least 258 bytes of output space remain, so without slack a 200-byte block would be
    /// decoded entirely by the slow, byte-at-a-time state machine (measured: ~50 instructions per byte).
    static let outputSlack = 320

    /// Inflates `input` into `output` (whose count includes ``outputSlack``); true if it decoded to exactly
    /// `expected` bytes.
    func decompressRaw(_ input: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer, expected: Int) -> Bool {
        guard ok, let base = output.baseAddress, output.count >= expected else { return false }
        inflateReset(&stream)
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        stream.next_out = base.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(output.count)
        let rc = inflate(&stream, Z_FINISH)
        return rc == Z_STREAM_END && output.count - Int(stream.avail_out) == expected
    }

    /// Inflates `input`, which must decode to exactly `outputCount` bytes, into `dest` (resized as needed).
    /// Returns false if the data is not valid deflate or has another length.
    func decompress(_ input: UnsafeRawBufferPointer, outputCount: Int, into dest: inout [UInt8]) -> Bool {
        let need = outputCount + Self.outputSlack
        if dest.count < need { dest = [UInt8](repeating: 0, count: max(need, dest.count * 2)) }
        return dest.withUnsafeMutableBytes { decompressRaw(input, UnsafeMutableRawBufferPointer(rebasing: $0[0..<need]), expected: outputCount) }
    }
}

extension Inflater {
    /// Inflates `input` into the first `expected` bytes of `output`, which must have room for
    /// `expected + outputSlack` bytes.
    func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, expected: Int) -> Bool {
        decompressRaw(input, output, expected: expected)
    }
}

/// CRC-32 as zlib computes it.
func crc32Of(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    UInt32(truncatingIfNeeded: crc32(0, bytes.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(bytes.count)))
}
