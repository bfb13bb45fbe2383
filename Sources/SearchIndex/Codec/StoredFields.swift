/// Stored fields (``IndexFileKind/storedFields``): each document's id and stored values, in zlib-compressed chunks.
///
/// Layout: `Index/README.md`, "Stored fields" (the one specification of the format). Chunks of documents,
/// each with its stored and raw length and a CRC of its raw bytes, then a chunk index, the field table the
/// segment was written with, and a trailer pointing at the index.
///
/// The raw CRC is end-to-end: it is computed before compression and verified by `check` after inflating,
/// so damage that decodes to other bytes of the same length (which the file CRC cannot see if the bytes were
/// wrong before it was computed) is still caught. Queries do not verify it (it would cost a CRC pass over
/// every chunk a hit inflates).
/// A chunk closes at ``StoredFieldsFormat/chunkBytes`` uncompressed bytes or 32 documents, so reading one
/// hit inflates at most 16 KiB, and only 32 small documents (ids and dates) when that is all a document stores:
/// on Reuters, 32 instead of 128 documents per chunk cut p50 query latency (ids fetched) by 20% for +0.25% bytes.
enum StoredFieldsFormat {
    static let chunkBytes = 16 * 1024
    static let chunkDocs = 32
}

/// Writes a stored-fields file: documents are added in doc-id order and compressed a chunk at a time as
/// they come, either straight into the file (``init(out:deflater:)``: a merge) or into memory until the file
/// is written (``init(deflater:)``: a ``SegmentBuffer``, which so holds its documents' stored fields
/// compressed, about a third of their raw bytes, and fits that many more documents in its RAM budget, as
/// Lucene's and tantivy's writers compress stored fields while indexing).
final class StoredFieldsWriter {
    /// The file the chunks go to as they close; nil: they are held in `held` until ``finish(into:fieldNames:)``.
    private var out: OutputFile?
    /// The closed chunks, when there is no file yet (body-relative offsets start at 0 here too).
    private var held: [UInt8] = []
    private let deflater: Deflater
    private var docs = ByteWriter(capacity: StoredFieldsFormat.chunkBytes * 2)
    private var lengths: [Int] = []
    /// Whether any document of the open chunk stores a field (a chunk where none does is written empty).
    private var chunkHasFields = false
    private var index = ByteWriter()
    private var chunkCount = 0
    private var nextDoc = 0, chunkFirstDoc = 0, lastChunkFirst = 0, lastChunkOffset = 0
    /// Every document's id, concatenated, and where each ends: the id table, written after the chunks.
    private var idBytes: [UInt8] = []
    private var idEnds: [UInt32] = []
    private let smallDeflater: Deflater

    /// Chunks go into `out` as they close.
    convenience init(out: OutputFile, deflater: Deflater) {
        self.init(deflater: deflater)
        self.out = out
    }

    /// Chunks are held in memory until ``finish(into:fieldNames:)``.
    init(deflater: Deflater) {
        self.deflater = deflater
        smallDeflater = Deflater(level: deflater.level, fixedHuffman: true, smallInputs: true)
    }

    /// The name errors report: the file, or (chunks held in memory) a description.
    private var sourceName: String { out?.path ?? "stored fields being buffered" }

    /// Bytes held in memory: the held chunks, the open chunk and the id table.
    var bytesHeld: Int { held.count + docs.count + 8 * lengths.count + idBytes.count + 4 * idEnds.count + index.count }

    /// Documents added.
    var documentCount: Int { nextDoc }

    /// Adds the next document (doc ids are implicit: 0, 1, 2, …). `encoded` is from ``encode(id:fields:into:)``:
    /// its id goes to the id table, its fields to the open chunk.
    func add(encoded: ArraySlice<UInt8>) throws {
        let (id, fields) = try encoded.withUnsafeBytes { b -> (ArraySlice<UInt8>, ArraySlice<UInt8>) in
            var r = ByteReader(b, file: sourceName)
            let n = try r.count(limit: r.remaining)
            let start = encoded.startIndex + r.offset
            return (encoded[start ..< start + n], encoded[(start + n)...])
        }
        idBytes.append(contentsOf: id)
        guard idBytes.count <= Int(UInt32.max) else {
            throw SearchIndexError.invalidArgument("the ids of one segment exceed 4 GiB")
        }
        idEnds.append(UInt32(idBytes.count))
        docs.bytes(fields); lengths.append(fields.count); nextDoc += 1
        if fields.first != 0 { chunkHasFields = true }
        if docs.count >= StoredFieldsFormat.chunkBytes || lengths.count >= StoredFieldsFormat.chunkDocs { try flushChunk() }
    }

    /// A document as ``add(encoded:)`` takes it: the id, then the field count and each field's number and value.
    static func encode(id: String, fields: [(field: Int, value: String)], into w: inout ByteWriter) {
        w.string(id); w.vint(fields.count)
        for (f, v) in fields { w.vint(f); w.string(v) }
    }

    /// Body-relative offset of the next chunk.
    private var bodyOffset: Int { out.map { $0.position - FileEnvelope.headerSize } ?? held.count }

    private func emit<C: Collection>(_ bytes: C) throws where C.Element == UInt8 {
        if let out { try out.write(bytes) } else { held.append(contentsOf: bytes) }
    }

    private func flushChunk() throws {
        guard !lengths.isEmpty else { return }
        let off = bodyOffset
        index.vint(chunkFirstDoc - lastChunkFirst); index.vint(off - lastChunkOffset)
        lastChunkFirst = chunkFirstDoc; lastChunkOffset = off
        var h = ByteWriter()
        if !chunkHasFields {
            // No document here stores a field: an empty chunk, which readers answer without inflating.
            h.vint(0); h.vint(0); h.u32(0); try emit(h.bytes)
        } else {
            var payload = ByteWriter(capacity: docs.count + 8 * lengths.count)
            payload.vint(lengths.count)
            for l in lengths { payload.vint(l) }
            payload.bytes(docs.bytes)
            var compressed: [UInt8] = []
            // Small chunks (a few dates or titles) use fixed Huffman codes: inflating them then builds no
            // decode tables, which for a few hundred bytes costs more than the decoding (see Index/README.md).
            let n = (payload.count < 2048 ? smallDeflater : deflater).compress(payload.bytes, into: &compressed)
            let crc = payload.bytes.withUnsafeBytes { crc32Of($0) }
            if n > 0 && n < payload.count {
                h.vint(n); h.vint(payload.count); h.u32(crc); try emit(h.bytes); try emit(compressed)
            } else {
                h.vint(payload.count); h.vint(0); h.u32(crc); try emit(h.bytes); try emit(payload.bytes)
            }
        }
        chunkCount += 1
        docs.removeAll(); lengths.removeAll(keepingCapacity: true); chunkFirstDoc = nextDoc; chunkHasFields = false
    }

    /// Closes the open chunk and writes the file: into the file given at init (`file` must then be nil), or,
    /// for chunks held in memory, into `file`, a new stored-fields file. Held chunks stay held, so a write
    /// that failed can be made again into another file. `fieldNames` (field number -> name) is the segment's
    /// field table.
    func finish(into file: OutputFile? = nil, fieldNames: [String]) throws {
        try flushChunk()
        guard let out = out ?? file else { throw SearchIndexError.invalidArgument("stored fields written without a file") }
        if self.out == nil { try out.write(held) }
        let idsOffset = out.position - FileEnvelope.headerSize
        var ids = ByteWriter(capacity: 4 * (idEnds.count + 1))
        ids.u32(0)
        for e in idEnds { ids.u32(e) }
        try out.write(ids); try out.write(idBytes)
        let indexOffset = out.position - FileEnvelope.headerSize
        var w = ByteWriter(); w.vint(chunkCount); try out.write(w); try out.write(index)
        var names = ByteWriter(); names.vint(fieldNames.count); for n in fieldNames { names.string(n) }; try out.write(names)
        var t = ByteWriter(); t.u64(UInt64(idsOffset)); t.u64(UInt64(indexOffset)); try out.write(t)
        try out.finish()
    }
}

/// Reads a stored-fields file: the chunk index in memory, the id table in place, chunks inflated on demand.
/// Immutable.
final class StoredFieldsReader: Sendable {
    let file: MappedFile
    let chunkFirst: [Int]
    let chunkOffset: [Int]
    let docCount: Int
    /// The field-number table recorded when the segment was written.
    let fieldNames: [String]
    /// Where the id table starts (the end of the last chunk).
    let idsOffset: Int
    /// Where the chunk index starts (the end of the id table).
    let indexOffset: Int

    init(file: MappedFile, docCount: Int) throws {
        self.file = file; self.docCount = docCount
        var r = file.reader()
        try r.seek(file.body.count - 16)
        let ido = Int(truncatingIfNeeded: try r.u64()), io = Int(truncatingIfNeeded: try r.u64())
        guard io >= 0, io < file.body.count - 16 else { throw r.fail("stored-fields index offset \(io) out of range") }
        // The id table: docCount + 1 offsets, then the bytes; it ends where the chunk index starts.
        guard ido >= 0, ido <= io, (io - ido - 4) / 4 >= docCount else { throw r.fail("stored-fields id table at \(ido) out of range") }
        idsOffset = ido; indexOffset = io
        try r.seek(ido)
        let first = try r.u32()
        try r.seek(ido + 4 * docCount)
        let last = try r.u32()
        guard first == 0, Int(last) == io - ido - 4 * (docCount + 1) else {
            throw r.fail("stored-fields id table holds \(io - ido - 4 * (docCount + 1)) bytes, its offsets say \(first)..<\(last)")
        }
        try r.seek(io)
        let n = try r.count(limit: docCount + 1)
        var f = 0, o = 0
        var firsts: [Int] = [], offsets: [Int] = []
        for _ in 0..<n {
            f += try r.count(limit: docCount); o += try r.count(limit: ido)
            guard f < max(docCount, 1), o < max(ido, 1) else { throw r.fail("stored-fields index out of range") }
            firsts.append(f); offsets.append(o)
        }
        chunkFirst = firsts; chunkOffset = offsets
        let nf = try r.count(limit: 256)
        var names: [String] = []
        for _ in 0..<nf { names.append(try r.string()) }
        fieldNames = names
        guard r.offset == file.body.count - 16 else { throw r.fail("trailing bytes after the stored-fields index") }
    }

    /// Where chunk `c` starts and how many documents it holds (for `check`).
    func chunkBounds(_ c: Int) -> (offset: Int, firstDoc: Int, docs: Int) {
        let next = c + 1 < chunkFirst.count ? chunkFirst[c + 1] : docCount
        return (chunkOffset[c], chunkFirst[c], next - chunkFirst[c])
    }

    /// Document `doc`'s id, read from the id table (no chunk is inflated).
    func id(_ doc: Int) throws -> String {
        guard doc >= 0, doc < docCount else { throw SearchIndexError.invalidArgument("document \(doc) out of range") }
        let body = file.body
        let table = idsOffset, bytes = idsOffset + 4 * (docCount + 1)
        let from = Int(UInt32(littleEndian: body.loadUnaligned(fromByteOffset: table + 4 * doc, as: UInt32.self)))
        let to = Int(UInt32(littleEndian: body.loadUnaligned(fromByteOffset: table + 4 * doc + 4, as: UInt32.self)))
        guard from <= to, bytes + to <= indexOffset else {
            throw SearchIndexError.corruptIndex(file: file.name, reason: "id of document \(doc): bytes \(from)..<\(to) out of order or past the id table (offset \(table + 4 * doc))")
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: body[(bytes + from) ..< (bytes + to)]), as: UTF8.self)
    }

    /// Inflates chunk `c`, verifies its raw CRC and returns the offset just past it and the number of
    /// documents its payload says it holds (for `check`; nil for an empty chunk, which holds no payload).
    func verifyChunk(_ c: Int, inflater: Inflater) throws -> (end: Int, docs: Int?) {
        var r = file.reader(at: chunkOffset[c])
        let stored = try r.count(limit: file.body.count), rawLen = try r.count(limit: stored * 1032 + 64)
        let crc = try r.u32()
        if stored == 0 {
            guard rawLen == 0, crc == 0 else { throw r.fail("empty stored-fields chunk \(c) with length \(rawLen) and CRC \(hex32(crc))") }
            return (r.offset, nil)
        }
        let bytes = try r.slice(stored)
        var raw: [UInt8] = []
        if rawLen == 0 { raw = Array(bytes) }
        else {
            guard inflater.decompress(bytes, outputCount: rawLen, into: &raw) else {
                throw SearchIndexError.corruptIndex(file: file.name, reason: "bad stored-fields chunk at offset \(chunkOffset[c])")
            }
            raw.removeSubrange(rawLen...)
        }
        let actual = raw.withUnsafeBytes { crc32Of($0) }
        guard actual == crc else {
            throw SearchIndexError.corruptIndex(file: file.name, reason: "stored-fields chunk \(c) at offset \(chunkOffset[c]): content CRC \(hex32(actual)), recorded \(hex32(crc))")
        }
        let n = try raw.withUnsafeBytes { b -> Int in
            var p = ByteReader(b, file: file.name)
            return try p.count(limit: StoredFieldsFormat.chunkDocs * 64)
        }
        return (r.offset, n)
    }

    /// Reads document `doc`, whose field numbers are below `fieldCount`. `cache` keeps the last inflated chunk
    /// and where each of its documents starts.
    func document(_ doc: Int, fieldCount: Int, cache: StoredChunkCache) throws -> StoredRecord {
        let id = try id(doc)
        guard !chunkFirst.isEmpty else { throw SearchIndexError.corruptIndex(file: file.name, reason: "no chunks for document \(doc)") }
        var lo = 0, hi = chunkFirst.count - 1
        while lo < hi { let m = (lo + hi + 1) / 2; if chunkFirst[m] <= doc { lo = m } else { hi = m - 1 } }
        if cache.chunk != lo || cache.file !== file {
            var r = file.reader(at: chunkOffset[lo])
            let stored = try r.count(limit: file.body.count), rawLen = try r.count(limit: stored * 1032 + 64)
            _ = try r.u32()   // the raw CRC: verified by `check`, not per hit
            let bytes = try r.slice(stored)
            cache.starts.removeAll(keepingCapacity: true)
            if stored == 0 { cache.count = 0 }   // an empty chunk: no document of it stores a field
            else {
                if rawLen == 0 { cache.bytes = Array(bytes); cache.count = bytes.count }
                else {
                    guard cache.inflater.decompress(bytes, outputCount: rawLen, into: &cache.bytes) else {
                        throw SearchIndexError.corruptIndex(file: file.name, reason: "bad stored-fields chunk at offset \(chunkOffset[lo])")
                    }
                    cache.count = rawLen
                }
                // Where each document starts, parsed once per chunk.
                try cache.bytes.withUnsafeBytes { all in
                    var p = ByteReader(UnsafeRawBufferPointer(rebasing: all[0..<cache.count]), file: file.name)
                    let n = try p.count(limit: StoredFieldsFormat.chunkDocs * 64)
                    var at = 0
                    var lens: [Int] = []
                    for _ in 0..<n { lens.append(try p.count(limit: p.remaining)) }
                    at = p.offset
                    for l in lens { cache.starts.append(at); at += l }
                    guard at <= cache.count else { throw p.fail("chunk's documents run past its \(cache.count) bytes") }
                    cache.starts.append(at)
                }
            }
            cache.chunk = lo; cache.file = file
        }
        let k = doc - chunkFirst[lo]
        if cache.count == 0 { return StoredRecord(id: id, fields: []) }
        guard k >= 0, k + 1 < cache.starts.count else {
            throw SearchIndexError.corruptIndex(file: file.name, reason: "document \(doc) not in its chunk at offset \(chunkOffset[lo])")
        }
        let start = cache.starts[k], end = cache.starts[k + 1]
        return try cache.bytes.withUnsafeBytes { all in
            var r = ByteReader(UnsafeRawBufferPointer(rebasing: all[0..<end]), offset: start, file: file.name)
            let fc = try r.count(limit: 1 << 16)
            var fields: [(field: Int, value: String)] = []
            fields.reserveCapacity(fc)
            for _ in 0..<fc {
                let f = try r.count(limit: fieldCount - 1)
                fields.append((f, try r.string()))
            }
            guard r.offset == end else { throw r.fail("document \(doc) is \(end - start) bytes but decodes to \(r.offset - start)") }
            return StoredRecord(id: id, fields: fields)
        }
    }
}

/// One document as the stored-fields file holds it: its id and its values by field number, in order.
struct StoredRecord {
    var id: String
    var fields: [(field: Int, value: String)]
}

/// The last inflated stored-fields chunk, kept per query so hits in one chunk inflate it once.
final class StoredChunkCache {
    var chunk = -1
    weak var file: MappedFile?
    /// The chunk's bytes are `bytes[0..<count]` (the array keeps spare room for the inflater).
    var bytes: [UInt8] = []
    var count = 0
    /// Where each document of the chunk starts in `bytes`, and where the last one ends.
    var starts: [Int] = []
    let inflater: Inflater
    init(inflater: Inflater) { self.inflater = inflater }
}
