/// Writes one new segment: the one owner of a segment's writers, used by both ways a segment is made
/// (``SegmentBuffer/flush(name:directory:compressionLevel:fieldNames:)`` and ``SegmentMerger``).
///
/// Feed it in file order: every term in key order (``addTerm(key:docs:freqs:positions:norms:)``), then
/// ``finishPostings()``, the norms (``writeNorms(_:)``), every document's stored fields in doc-id order
/// (``addStored(encoded:)``), the columns (``writeColumns(_:)``), and ``finish()``. It opens each file of ``IndexFileKind/perSegment`` under the
/// name the layout gives it, and computes the segment's ``SegmentMeta``: the per-field statistics BM25
/// needs (exactly, from the postings and norms it was given) and the postings hash `check` recomputes.
final class SegmentSerializer {
    let name: String
    private let directory: IndexDirectory
    private let docCount: Int
    private let docOut: OutputFile
    private let posOut: OutputFile
    private let dictOut: OutputFile
    private let dict: TermDictionaryWriter
    private let postings: PostingsWriter
    private let stored: StoredFieldsWriter
    private let storedOut: OutputFile
    /// Whether `stored` came compressed from a ``SegmentBuffer`` (then ``addStored(encoded:)`` is not used).
    private let storedHeld: Bool
    private let fieldNames: [String]
    /// Per field number: tokens (positions) and distinct terms seen in `addTerm`.
    private var tokens: [Int] = []
    private var termCounts: [Int] = []
    private var meta: SegmentMeta
    private let compressionLevel: Int32
    /// Per keyword field (terms without norms): the documents that have a term of it, for its statistics.
    private var keywordDocs: [Int: [UInt64]] = [:]

    /// Creates the segment's files; `fieldNames` (field number -> name) goes into the stored-fields file.
    /// `storedFields`: every document's stored fields, already compressed in memory (a ``SegmentBuffer``'s);
    /// nil: they are added with ``addStored(encoded:)`` (a merge).
    init(name: String, docCount: Int, directory: IndexDirectory, compressionLevel: Int32, fieldNames: [String],
         keywordFields: Set<Int>, storedFields: StoredFieldsWriter? = nil) throws {
        self.name = name; self.directory = directory; self.docCount = docCount; self.compressionLevel = compressionLevel
        for f in keywordFields { keywordDocs[f] = [UInt64](repeating: 0, count: (docCount + 63) / 64) }
        meta = SegmentMeta(name: name, docCount: docCount)
        dictOut = try OutputFile(path: directory.file(IndexFileKind.termDictionary.fileName(segment: name)), kind: .termDictionary)
        docOut = try OutputFile(path: directory.file(IndexFileKind.postings.fileName(segment: name)), kind: .postings)
        posOut = try OutputFile(path: directory.file(IndexFileKind.positions.fileName(segment: name)), kind: .positions)
        dict = TermDictionaryWriter(out: dictOut)
        postings = PostingsWriter.forSegment(docOut: docOut, posOut: posOut, level: compressionLevel)
        storedOut = try OutputFile(path: directory.file(IndexFileKind.storedFields.fileName(segment: name)), kind: .storedFields)
        self.fieldNames = fieldNames
        storedHeld = storedFields != nil
        stored = storedFields ?? StoredFieldsWriter(out: storedOut, deflater: Deflater(level: compressionLevel))
    }

    /// Writes one term's postings and its dictionary entry. Keys come in increasing byte order; the first
    /// byte is the field number. `positions` holds each document's `freq` positions in turn; `norms` is the
    /// field's norm byte per document of the segment (for the blocks' skip data).
    func addTerm<K: Collection>(key: K, docs: UnsafeBufferPointer<UInt32>, freqs: UnsafeBufferPointer<UInt32>,
                                positions: UnsafeBufferPointer<UInt32>, norms: UnsafeBufferPointer<UInt8>) throws where K.Element == UInt8 {
        for (k, info) in try postings.add(key: key, docs: docs, freqs: freqs, positions: positions, norms: norms) {
            try dict.add(key: k, info: info)
        }
        let field = Int(key[key.startIndex])
        while tokens.count <= field { tokens.append(0); termCounts.append(0) }
        tokens[field] += positions.count
        termCounts[field] += 1
        if keywordDocs[field] != nil {
            for d in docs { keywordDocs[field]?[Int(d) >> 6] |= 1 << UInt64(d & 63) }
        }
    }

    /// Closes the dictionary, postings and positions files.
    func finishPostings() throws {
        for (k, info) in try postings.finish() { try dict.add(key: k, info: info) }
        try dict.finish()
        try docOut.finish(); try posOut.finish()
        meta.postingsHash = postings.contentHash.value
    }

    /// Writes the norms file: per indexed field (number > 0, increasing), one byte per document. Each listed
    /// field gets its ``FieldStats`` (documents with a non-zero norm, i.e. at least one token).
    func writeNorms(_ norms: [(field: Int, bytes: [UInt8])]) throws {
        for (f, b) in norms {
            var docsWithField = 0
            for x in b where x != 0 { docsWithField += 1 }
            meta.fieldStats.append(FieldStats(field: f, docsWithField: docsWithField,
                                              sumTotalTermFreq: f < tokens.count ? tokens[f] : 0,
                                              termCount: f < termCounts.count ? termCounts[f] : 0))
        }
        _ = try NormsFile.write(path: directory.file(IndexFileKind.norms.fileName(segment: name)), docCount: docCount, norms: norms)
    }

    /// Appends the next document's stored fields, encoded by ``StoredFieldsWriter/encode(id:fields:into:)``.
    func addStored(encoded: ArraySlice<UInt8>) throws {
        guard !storedHeld else { throw SearchIndexError.invalidArgument("stored fields added to a segment whose stored fields were given") }
        try stored.add(encoded: encoded)
    }

    /// Writes the column file (columns in increasing field order, each with every document's values).
    func writeColumns(_ columns: [ColumnData]) throws {
        try ColumnsFile.write(path: directory.file(IndexFileKind.columns.fileName(segment: name)), docCount: docCount,
                              columns: columns, deflater: Deflater(level: compressionLevel))
    }

    /// Closes the stored-fields file and returns the segment's metadata, without deletions. Keyword fields
    /// get their ``FieldStats`` here (from the postings: they have no norms).
    func finish() throws -> SegmentMeta {
        guard stored.documentCount == docCount else {
            throw SearchIndexError.invalidArgument("segment \(name): \(stored.documentCount) documents' stored fields for \(docCount) documents")
        }
        try stored.finish(into: storedHeld ? storedOut : nil, fieldNames: fieldNames)
        for (f, bits) in keywordDocs.sorted(by: { $0.key < $1.key }) where f < tokens.count && termCounts[f] > 0 {
            meta.fieldStats.append(FieldStats(field: f, docsWithField: bits.reduce(0) { $0 + $1.nonzeroBitCount },
                                              sumTotalTermFreq: tokens[f], termCount: termCounts[f]))
        }
        return meta
    }

    /// Writes the next generation of `meta`'s deletions (`deleted`: a bitset, bit set = deleted, `added`
    /// more than before) and records it in `meta`. Returns the new file's name.
    static func writeLiveDocs(_ deleted: [UInt8], added: Int, into meta: inout SegmentMeta, directory: IndexDirectory) throws -> String {
        meta.delGen += 1
        meta.delCount += added
        meta.liveDocsCRC = deleted.withUnsafeBytes { crc32Of($0) }
        let file = IndexFileKind.liveDocsFileName(segment: meta.name, generation: meta.delGen)
        _ = try LiveDocsFile.write(path: directory.file(file), deleted: deleted, docCount: meta.docCount)
        return file
    }
}
