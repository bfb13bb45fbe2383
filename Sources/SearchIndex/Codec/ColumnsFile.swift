import Foundation

/// Columns (``IndexFileKind/columns``, `.col`): the values of each columnar field per document, for sorting,
/// range filters and facets (Lucene's doc values, tantivy's fast fields).
///
/// Every column is cut into blocks of ``blockSize`` documents. A block's values are zlib-compressed (stored
/// raw only when deflate cannot shrink them) and described, outside the compressed bytes, by their minimum,
/// maximum and counts, so a range filter skips a block whose `[min, max]` misses the range without
/// inflating it, and takes a block inside the range whole when every document of it has a value.
/// Numbers are kept as sortable 64-bit integers (``SortableNumber``; dates in milliseconds), keywords as
/// ordinals into the column's sorted dictionary. A document's values are a set, in increasing order.
/// Layout: `Index/README.md`, "Columns".
enum ColumnsFile {
    /// Documents per block.
    static let blockShift = 10
    static let blockSize = 1 << blockShift

    /// Writes the columns (in increasing field order) of a segment of `docCount` documents.
    static func write(path: String, docCount: Int, columns: [ColumnData], deflater: Deflater) throws {
        let out = try OutputFile(path: path, kind: .columns)
        var w = ByteWriter()
        w.vint(columns.count)
        try out.write(w)
        var raw = ByteWriter()
        var packed: [UInt8] = []
        for c in columns {
            guard c.docStarts.count == docCount + 1 else {
                throw SearchIndexError.invalidArgument("column of field \(c.field) has \(c.docStarts.count - 1) documents, the segment \(docCount)")
            }
            var h = ByteWriter()
            h.vint(c.field); h.u8(c.isKeyword ? 2 : 1)
            if c.isKeyword {
                h.vint(c.terms.count)
                for t in c.terms { h.vint(t.count); h.bytes(t) }
            }
            var docsWithValue = 0
            var hash = ColumnHash()
            for t in c.terms { hash.add(UInt64(t.count)); hash.add(bytes: t) }
            for d in 0..<docCount {
                let from = Int(c.docStarts[d]), to = Int(c.docStarts[d + 1])
                if to > from { docsWithValue += 1 }
                hash.add(UInt64(to - from))
                for i in from..<to { hash.add(UInt64(bitPattern: c.values[i])) }
            }
            h.vint(docsWithValue)
            h.u64(hash.value)
            let blocks = (docCount + blockSize - 1) / blockSize
            h.vint(blocks)
            try out.write(h)
            for b in 0..<blocks {
                let first = b * blockSize, end = min(docCount, first + blockSize)
                let lo = Int(c.docStarts[first]), hi = Int(c.docStarts[end])
                var minV = Int64.max, maxV = Int64.min, withValue = 0
                for d in first..<end where c.docStarts[d + 1] > c.docStarts[d] {
                    withValue += 1
                    minV = min(minV, c.values[Int(c.docStarts[d])])
                    maxV = max(maxV, c.values[Int(c.docStarts[d + 1]) - 1])
                }
                if withValue == 0 { minV = 0; maxV = 0 }
                raw.removeAll()
                for d in first..<end {
                    let s = Int(c.docStarts[d]), e = Int(c.docStarts[d + 1])
                    raw.vint(e - s)
                    var prev = minV
                    for i in s..<e {
                        raw.vint(UInt64(bitPattern: c.values[i] &- prev))
                        prev = c.values[i]
                    }
                }
                packed.removeAll(keepingCapacity: true)
                let n = raw.bytes.withUnsafeBytes { deflater.compress($0, into: &packed) }
                let deflated = n > 0 && n < raw.count
                var bh = ByteWriter()
                bh.u64(UInt64(bitPattern: minV)); bh.u64(UInt64(bitPattern: maxV))
                bh.vint(withValue); bh.vint(hi - lo)
                bh.u8(deflated ? 1 : 0); bh.vint(raw.count)
                bh.vint(deflated ? n : raw.count)
                try out.write(bh)
                if deflated { try out.write(packed) } else { try out.write(raw.bytes) }
            }
        }
        try out.finish()
    }

    /// The columns of a segment of `docCount` documents, by field number.
    static func read(_ file: MappedFile, docCount: Int) throws -> [Int: ColumnReader] {
        var r = file.reader()
        let n = try r.count(limit: 256)
        var out: [Int: ColumnReader] = [:]
        var lastField = 0
        for _ in 0..<n {
            let field = try r.count(limit: 255)
            guard field > lastField else { throw r.fail("column fields out of order (\(field) after \(lastField))") }
            lastField = field
            out[field] = try ColumnReader(file: file, reader: &r, field: field, docCount: docCount)
        }
        guard r.atEnd else { throw r.fail("trailing bytes after the columns") }
        return out
    }
}

/// One column being written: each document's values (sorted, distinct) as 64-bit integers, which for a
/// keyword column are ordinals into ``terms``.
struct ColumnData {
    let field: Int
    let isKeyword: Bool
    /// Per document, the start of its values in ``values``; `docCount + 1` entries.
    var docStarts: [Int32] = [0]
    var values: [Int64] = []
    /// A keyword column's dictionary, sorted by bytes, distinct.
    var terms: [[UInt8]] = []

    init(field: Int, isKeyword: Bool) { self.field = field; self.isKeyword = isKeyword }

    /// Appends the next document's values (sorted and made distinct here).
    mutating func append<S: Sequence>(_ vs: S) where S.Element == Int64 {
        let from = values.count
        values.append(contentsOf: vs)
        if values.count - from > 1 {
            values[from...].sort()
            var w = from + 1
            for i in (from + 1)..<values.count where values[i] != values[w - 1] { values[w] = values[i]; w += 1 }
            values.removeLast(values.count - w)
        }
        docStarts.append(Int32(values.count))
    }
}

/// A decoded block of a column: each document's values. `starts` has one entry per document of the block,
/// plus one; document `i`'s values are `values[starts[i] ..< starts[i + 1]]`. The buffers are its own and
/// never change, so cursors read them through pointers, without reference counting.
/// (`@unchecked Sendable`: immutable after init.)
final class ColumnBlock: @unchecked Sendable {
    let starts: UnsafeMutablePointer<Int32>
    let values: UnsafeMutablePointer<Int64>
    let docCount: Int
    let valueCount: Int
    init(starts s: [Int32], values v: [Int64]) {
        docCount = s.count - 1; valueCount = v.count
        starts = .allocate(capacity: s.count); starts.initialize(from: s, count: s.count)
        values = .allocate(capacity: max(v.count, 1)); values.initialize(from: v, count: v.count)
    }
    deinit { starts.deallocate(); values.deallocate() }
    static let empty = ColumnBlock(starts: [Int32](repeating: 0, count: ColumnsFile.blockSize + 1), values: [])
}

/// Read access to one column of one segment: the block directory and the keyword dictionary are read at
/// open; blocks are inflated on first use and kept (decoded, about 8 bytes per value and 4 per document),
/// shared by every query of the snapshot.
/// (`@unchecked Sendable`: the decoded blocks are guarded by a lock; everything else is immutable.)
final class ColumnReader: @unchecked Sendable {
    struct BlockInfo {
        let min: Int64, max: Int64
        let docsWithValue: Int, valueCount: Int
        let deflated: Bool
        let offset: Int, length: Int, rawLength: Int
    }
    let file: MappedFile
    let field: Int
    let isKeyword: Bool
    let docCount: Int
    /// Documents with at least one value.
    let docsWithValue: Int
    /// The writer's ``ColumnHash`` of the keyword dictionary and every document's value count and values, which `check` recomputes
    /// from the decoded blocks (damage a file CRC cannot see, as a wrong block minimum, changes it).
    let contentHash: UInt64
    let blocks: [BlockInfo]
    /// Keyword dictionary: term `i` is `file.body[termStarts[i] ..< termStarts[i] + termLengths[i]]`.
    private let termStarts: [Int]
    private let termLengths: [Int]
    private let lock = NSLock()
    private var decoded: [ColumnBlock?]

    fileprivate init(file: MappedFile, reader r: inout ByteReader, field: Int, docCount: Int) throws {
        self.file = file; self.field = field; self.docCount = docCount
        let kind = try r.u8()
        guard kind == 1 || kind == 2 else { throw r.fail("unknown column kind \(kind)") }
        isKeyword = kind == 2
        var ts: [Int] = [], tl: [Int] = []
        if isKeyword {
            let n = try r.count(limit: r.remaining)
            ts.reserveCapacity(n); tl.reserveCapacity(n)
            var prev: UnsafeRawBufferPointer? = nil
            for _ in 0..<n {
                let len = try r.count(limit: 1 << 20)
                let start = r.offset
                let t = try r.slice(len)
                if let p = prev, !p.lexicographicallyPrecedes(t) { throw r.fail("keyword dictionary out of order") }
                prev = t
                ts.append(start); tl.append(len)
            }
        }
        termStarts = ts; termLengths = tl
        docsWithValue = try r.count(limit: docCount)
        contentHash = try r.u64()
        let nb = try r.count(limit: docCount / ColumnsFile.blockSize + 1)
        guard nb == (docCount + ColumnsFile.blockSize - 1) / ColumnsFile.blockSize else { throw r.fail("\(nb) column blocks for \(docCount) documents") }
        var bs: [BlockInfo] = []
        bs.reserveCapacity(nb)
        for b in 0..<nb {
            let lo = Int64(bitPattern: try r.u64()), hi = Int64(bitPattern: try r.u64())
            let docsInBlock = min(ColumnsFile.blockSize, docCount - b * ColumnsFile.blockSize)
            let withValue = try r.count(limit: docsInBlock)
            let values = try r.count(limit: 1 << 28)
            let enc = try r.u8()
            guard enc < 2, lo <= hi else { throw r.fail("bad column block header (encoding \(enc), min \(lo), max \(hi))") }
            let rawLength = try r.count(limit: 1 << 30), length = try r.count(limit: r.remaining)
            guard enc == 1 || length == rawLength else { throw r.fail("raw column block of \(length) bytes, expected \(rawLength)") }
            let offset = r.offset
            _ = try r.slice(length)
            bs.append(BlockInfo(min: lo, max: hi, docsWithValue: withValue, valueCount: values, deflated: enc == 1,
                                offset: offset, length: length, rawLength: rawLength))
        }
        blocks = bs
        decoded = [ColumnBlock?](repeating: nil, count: nb)
    }

    /// Distinct keywords of a keyword column.
    var termCount: Int { termStarts.count }

    /// Keyword `ordinal`'s bytes.
    func termBytes(_ ordinal: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: file.body[termStarts[ordinal] ..< termStarts[ordinal] + termLengths[ordinal]])
    }
    /// Keyword `ordinal` as a string.
    func term(_ ordinal: Int) -> String { String(decoding: termBytes(ordinal), as: UTF8.self) }

    /// The first ordinal whose keyword is not less than `key`, and whether it equals `key`.
    func lowerBound(_ key: [UInt8]) -> (ordinal: Int, exact: Bool) {
        var lo = 0, hi = termStarts.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if termBytes(mid).lexicographicallyPrecedes(key) { lo = mid + 1 } else { hi = mid }
        }
        return (lo, lo < termStarts.count && termBytes(lo).elementsEqual(key))
    }

    /// Block `b`, decoded (once per snapshot).
    func block(_ b: Int, inflater: Inflater) throws -> ColumnBlock {
        lock.lock()
        if let d = decoded[b] { lock.unlock(); return d }
        lock.unlock()
        let d = try decode(b, inflater: inflater)
        lock.lock(); decoded[b] = d; lock.unlock()
        return d
    }

    private func decode(_ b: Int, inflater: Inflater) throws -> ColumnBlock {
        let info = blocks[b]
        let docsInBlock = min(ColumnsFile.blockSize, docCount - b * ColumnsFile.blockSize)
        func fail(_ why: String) -> SearchIndexError {
            .corruptIndex(file: file.name, reason: "column of field \(field), block \(b) at offset \(info.offset + file.bodyOffset): \(why)")
        }
        let src = UnsafeRawBufferPointer(rebasing: file.body[info.offset ..< info.offset + info.length])
        func parse(_ raw: UnsafeRawBufferPointer) throws -> ColumnBlock {
            var starts = [Int32](); starts.reserveCapacity(docsInBlock + 1); starts.append(0)
            var values = [Int64](); values.reserveCapacity(info.valueCount)
            var r = ByteReader(raw, file: file.name)
            var withValue = 0
            for _ in 0..<docsInBlock {
                let n = try r.count(limit: info.valueCount - values.count)
                var prev = info.min
                for i in 0..<n {
                    let v = prev &+ Int64(bitPattern: try r.vint())
                    guard v >= info.min, v <= info.max, i == 0 || v > prev else { throw fail("value \(v) outside [\(info.min), \(info.max)] or out of order") }
                    if isKeyword, v < 0 || v >= Int64(termStarts.count) { throw fail("ordinal \(v) out of range") }
                    values.append(v); prev = v
                }
                if n > 0 { withValue += 1 }
                starts.append(Int32(values.count))
            }
            guard r.atEnd, values.count == info.valueCount, withValue == info.docsWithValue else { throw fail("counts do not match the block header") }
            return ColumnBlock(starts: starts, values: values)
        }
        guard info.deflated else { return try parse(src) }
        var buffer: [UInt8] = []
        guard inflater.decompress(src, outputCount: info.rawLength, into: &buffer) else { throw fail("does not inflate to \(info.rawLength) bytes") }
        return try buffer.withUnsafeBytes { try parse(UnsafeRawBufferPointer(rebasing: $0[0..<info.rawLength])) }
    }
}

/// One query's reader of one column: keeps the block it last used, so that reading documents in increasing
/// order fetches each block once. Decode errors go to the query's ``DecodeErrors`` (the document then reads
/// as having no value).
struct ColumnCursor {
    let column: ColumnReader
    let ctx: ReadContext
    private var blockIndex = -1
    private var block = ColumnBlock.empty
    private var starts: UnsafeMutablePointer<Int32> = ColumnBlock.empty.starts
    private var vals: UnsafeMutablePointer<Int64> = ColumnBlock.empty.values

    init(_ column: ColumnReader, _ ctx: ReadContext) { self.column = column; self.ctx = ctx }

    /// The values of `doc` (a segment-local id), sorted increasing: indices for ``value(_:)``.
    @inline(__always) mutating func range(_ doc: Int32) -> Range<Int> {
        let b = Int(doc) >> ColumnsFile.blockShift
        if b != blockIndex { load(b) }
        let i = Int(doc) & (ColumnsFile.blockSize - 1)
        return Int(starts[i]) ..< Int(starts[i + 1])
    }

    private mutating func load(_ b: Int) {
        blockIndex = b
        do { block = try column.block(b, inflater: ctx.inflater) } catch { ctx.errors.record(error); block = .empty }
        starts = block.starts; vals = block.values
    }

    /// Value `i` of the current block (an index from ``range(_:)``).
    @inline(__always) func value(_ i: Int) -> Int64 { vals[i] }
}

/// FNV-1a over 64-bit words: the end-to-end hash of a column's content (see ``ColumnReader/contentHash``).
struct ColumnHash {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325
    mutating func add(_ x: UInt64) {
        for i in 0..<8 { value ^= (x >> UInt64(8 * i)) & 0xFF; value &*= 0x0000_0100_0000_01B3 }
    }
    mutating func add<C: Sequence>(bytes: C) where C.Element == UInt8 {
        for b in bytes { value ^= UInt64(b); value &*= 0x0000_0100_0000_01B3 }
    }
}
