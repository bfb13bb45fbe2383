/// Read access to one committed segment: its files mapped, envelopes (and by default CRCs) checked.
/// Immutable and safe to share between threads; per-thread decoding state lives in a ``ReadContext``.
final class SegmentReader: Sendable {
    let meta: SegmentMeta
    let dict: TermDictionaryReader
    let docFile: MappedFile
    let posFile: MappedFile
    let normFile: MappedFile
    let stored: StoredFieldsReader
    /// Field number -> body offset of its norm bytes.
    let normOffsets: [Int: Int]
    /// Deleted-docs bitset, nil when none.
    let deleted: [UInt8]?
    /// Columns by field number (none for a segment written before columns existed).
    let columns: [Int: ColumnReader]
    /// The column file, when the segment has one.
    let columnFile: MappedFile?

    init(directory: IndexDirectory, meta: SegmentMeta, verify: Bool) throws {
        self.meta = meta
        func map(_ kind: IndexFileKind) throws -> MappedFile {
            let n = kind.fileName(segment: meta.name)
            return try MappedFile(path: directory.file(n), name: n, kind: kind, verify: verify)
        }
        dict = try TermDictionaryReader(file: try map(.termDictionary))
        docFile = try map(.postings)
        posFile = try map(.positions)
        normFile = try map(.norms)
        normOffsets = try NormsFile.read(normFile, docCount: meta.docCount)
        stored = try StoredFieldsReader(file: try map(.storedFields), docCount: meta.docCount)
        if meta.hasColumns {
            let f = try map(.columns)
            columnFile = f
            columns = try ColumnsFile.read(f, docCount: meta.docCount)
        } else { columnFile = nil; columns = [:] }
        if let liv = meta.liveDocsFile {
            let f = try MappedFile(path: directory.file(liv), name: liv, kind: .liveDocs, verify: verify)
            deleted = try LiveDocsFile.read(f, docCount: meta.docCount)
        } else { deleted = nil }
    }

    @inline(__always) func isDeleted(_ doc: Int32) -> Bool {
        guard let deleted else { return false }
        return deleted[Int(doc) >> 3] & (1 << UInt8(doc & 7)) != 0
    }

    /// Norm bytes of `field` (docCount bytes), or nil if no document of this segment has it.
    func norms(_ field: Int) -> UnsafeRawBufferPointer? {
        guard let o = normOffsets[field] else { return nil }
        return UnsafeRawBufferPointer(rebasing: normFile.body[o ..< o + meta.docCount])
    }

    func term(_ key: [UInt8]) throws -> TermInfo? { try dict.lookup(key) }

    func cursor(_ info: TermInfo, _ ctx: ReadContext) -> PostingsCursor {
        if info.singletonDoc >= 0 {
            guard Int(info.singletonDoc) < meta.docCount else {
                ctx.errors.record(SearchIndexError.corruptIndex(file: dict.file.name, reason: "inline doc id \(info.singletonDoc) out of range"))
                return PostingsCursor(singletonDoc: noMoreDocs - 1, freq: 0, posFile: posFile.body, posOffset: 0,
                                      inflater: ctx.inflater, errors: ctx.errors, fileName: posFile.name).exhausted()
            }
            return PostingsCursor(singletonDoc: info.singletonDoc, freq: info.totalTermFreq, posFile: posFile.body,
                                  posOffset: info.posOffset, inflater: ctx.inflater, errors: ctx.errors, fileName: posFile.name)
        }
        return PostingsCursor(docFreq: info.docFreq, docFile: docFile.body, docOffset: info.docOffset,
                       posFile: posFile.body, posOffset: info.posOffset, docCount: meta.docCount, inflater: ctx.inflater,
                       errors: ctx.errors, fileName: docFile.name, cache: ctx.blockCache)
    }

    /// The local doc ids holding the id term `id` (normally zero or one).
    func docs(withID id: String, _ ctx: ReadContext) throws -> [Int32] {
        guard let info = try term([0] + Array(id.utf8)) else { return [] }
        let c = cursor(info, ctx)
        var out: [Int32] = []
        while c.nextDoc() != noMoreDocs { out.append(c.doc) }
        try ctx.errors.check()
        return out
    }

    /// Stored document `doc` of this segment; `fieldNames` maps field numbers to names.
    func document(_ doc: Int, fieldNames: [String], ctx: ReadContext) throws -> StoredDocument {
        let r = try stored.document(doc, fieldCount: fieldNames.count, cache: ctx.storedCache)
        return StoredDocument(id: r.id, fields: r.fields.map { (fieldNames[$0.field], $0.value) })
    }

    /// Total bytes of this segment's files.
    var sizeInBytes: Int { dict.file.size + docFile.size + posFile.size + normFile.size + stored.file.size + (columnFile?.size ?? 0) }
}

/// Opens the latest commit of `dir` and every segment it names.
///
/// A writer in another process may commit, and delete the files of the generation being opened, while
/// this runs. That race shows as a missing or unreadable file *and* a newer `segments_N` on disk; then the
/// open starts over with the newer commit (a few times at most). An error with no newer commit is real
/// damage and is thrown as it is.
func openLatestCommit(_ dir: IndexDirectory, verify: Bool) throws -> (Manifest, [SegmentReader]) {
    var attempt = 0
    while true {
        var seen: Int? = nil
        do {
            seen = (try? Manifest.generations(in: dir))?.first
            let m = try Manifest.readLatest(from: dir, verify: verify)
            seen = m.generation
            let segs = try m.segments.map { try SegmentReader(directory: dir, meta: $0, verify: verify) }
            return (m, segs)
        } catch let e as SearchIndexError {
            guard case .corruptIndex = e, attempt < 8 else { throw e }
            let now = (try? Manifest.generations(in: dir))?.first
            guard let now, now != seen else { throw e }   // no newer commit: the damage is real
            attempt += 1
        }
    }
}
