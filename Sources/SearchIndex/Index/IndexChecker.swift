/// What ``checkIndex(path:)`` found.
public struct CheckReport: Sendable {
    /// The generation of the commit that was checked.
    public var generation: Int
    /// Segments in that commit.
    public var segments: Int
    /// Live documents.
    public var documents: Int
    /// Dictionary terms, over all segments.
    public var terms: Int
    /// Postings (term, document pairs), over all segments.
    public var postings: Int
    /// Every file that was verified.
    public var filesChecked: [String]
    /// Index files on disk that the commit does not reference: left by a writer that was killed, or being
    /// written by a live one. Harmless; the next writer to open removes them.
    public var unreferencedFiles: [String] = []
}

/// Verifies a whole index, the way Lucene's CheckIndex does: every file's envelope and CRC-32, every
/// structure decoded end to end, and each structure cross-checked against the others, so that damage a
/// checksum cannot see (a buggy writer, or bits that flipped before the checksum was computed) is found too:
/// - the commit: unique, well-formed segment names below the next segment number, delete counts within
///   document counts, per-field statistics for known fields, a well-formed analyzer identity and field table;
/// - live-docs bits against the recorded delete count;
/// - terms in strictly increasing order, each block's first term equal to the block index's entry; every postings block's doc ids increasing and inside the segment,
///   its skip data (max frequency, min norm) exact; every term's document and position counts against its
///   dictionary entry;
/// - norms against the field lengths recomputed from the postings, and the per-field statistics
///   (documents with the field, total tokens, term count) against the same;
/// - one id term per document, equal to the stored document's id;
/// - stored-field chunks contiguous, each one's content CRC, document count and every document decoded;
/// - every column block decoded, its values inside the block's min/max, and the column's content hash;
///   the field table each segment recorded against the commit's.
///
/// Throws ``SearchIndexError/corruptIndex(file:reason:)`` naming the first damaged file. A commit made by
/// another process while this runs is followed (the check starts over on the new commit).
public func checkIndex(path: String) throws -> CheckReport {
    let dir = IndexDirectory(path: path)
    let (m, segs) = try openLatestCommit(dir, verify: true)
    let manifestName = Manifest.fileName(m.generation)
    try checkManifest(m, file: manifestName)
    var report = CheckReport(generation: m.generation, segments: m.segments.count, documents: 0, terms: 0, postings: 0,
                             filesChecked: [manifestName])
    for (meta, seg) in zip(m.segments, segs) {
        let keywordFields = Set(m.schema.fields.filter { $0.type == .keyword && $0.indexed }.compactMap { m.fields.firstIndex(of: $0.name) })
        let columnar = Dictionary(uniqueKeysWithValues: m.schema.fields.filter(\.columnar).compactMap { spec in
            m.fields.firstIndex(of: spec.name).map { ($0, spec.type == .keyword) }
        })
        try SegmentChecker(meta: meta, seg: seg, fields: m.fields, keywordFields: keywordFields, columnar: columnar,
                           manifestName: manifestName).run(&report)
        report.filesChecked += meta.files
        report.documents += meta.liveDocCount
    }
    let referenced = m.referencedFiles
    report.unreferencedFiles = try dir.list().filter {
        IndexFileKind.isIndexFile($0) && !referenced.contains($0)
    }.sorted()
    return report
}

/// A valid field name: 1 to 255 bytes of UTF-8 with no control characters.
func isValidFieldName(_ name: String) -> Bool {
    !name.isEmpty && name.utf8.count <= 255 && !name.unicodeScalars.contains { $0.properties.generalCategory == .control }
}

private func checkManifest(_ m: Manifest, file: String) throws {
    func fail(_ reason: String) -> SearchIndexError { .corruptIndex(file: file, reason: reason) }
    for (i, f) in m.fields.enumerated() where i > 0 {
        guard isValidFieldName(f) else { throw fail("field \(i) has an invalid name \(f.debugDescription)") }
    }
    guard Set(m.fields).count == m.fields.count else { throw fail("a field name appears twice") }
    if m.analyzer.hasPrefix("standard(") {
        do { _ = try StandardAnalyzer(identity: m.analyzer) }
        catch { throw fail("analyzer identity \(m.analyzer.debugDescription) is not valid") }
    } else if m.analyzer.isEmpty || m.analyzer.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
        throw fail("analyzer identity \(m.analyzer.debugDescription) is not valid")
    }
    var names = Set<String>()
    for s in m.segments {
        guard names.insert(s.name).inserted else { throw fail("segment \(s.name) is listed twice") }
        guard let n = IndexFileKind.segmentNumber(ofName: s.name) else { throw fail("segment name \(s.name.debugDescription) is malformed") }
        guard n < m.nextSegmentNumber else { throw fail("segment \(s.name) is numbered past the next segment number \(m.nextSegmentNumber)") }
        guard s.docCount > 0 else { throw fail("segment \(s.name) has no documents") }
        guard s.delCount < s.docCount else { throw fail("segment \(s.name): \(s.delCount) of \(s.docCount) documents deleted") }
        guard (s.delGen == 0) == (s.delCount == 0) else { throw fail("segment \(s.name): delete generation \(s.delGen) with \(s.delCount) deletions") }
        var seen = Set<Int>()
        for st in s.fieldStats {
            guard st.field > 0, st.field < m.fields.count, seen.insert(st.field).inserted else {
                throw fail("segment \(s.name): statistics for field \(st.field) repeated or unknown")
            }
        }
    }
}

/// Cross-checks one segment's files against each other and against the commit.
private struct SegmentChecker {
    let meta: SegmentMeta
    let seg: SegmentReader
    let fields: [String]
    /// Indexed keyword fields: terms without norms.
    let keywordFields: Set<Int>
    /// Columnar fields of the schema: whether each is a keyword column.
    let columnar: [Int: Bool]
    let manifestName: String

    func fail(_ file: String, _ reason: String) -> SearchIndexError { .corruptIndex(file: file, reason: reason) }

    func run(_ report: inout CheckReport) throws {
        let docCount = meta.docCount
        // The field table this segment was written with must be the start of the commit's.
        let recorded = seg.stored.fieldNames
        guard recorded.count <= fields.count, Array(fields.prefix(recorded.count)) == recorded else {
            throw fail(seg.stored.file.name, "field table \(recorded) does not match the commit's \(fields)")
        }
        // Live docs against the delete count.
        if let bits = seg.deleted {
            var deleted = 0
            for d in 0..<docCount where bits[d >> 3] & (1 << UInt8(d & 7)) != 0 { deleted += 1 }
            let spare = docCount & 7 == 0 ? 0 : bits[bits.count - 1] >> UInt8(docCount & 7)
            guard deleted == meta.delCount, spare == 0 else {
                throw fail(meta.liveDocsFile ?? "?", "\(deleted) documents marked deleted, the commit says \(meta.delCount)")
            }
            let crc = bits.withUnsafeBytes { crc32Of($0) }
            guard crc == meta.liveDocsCRC else {
                throw fail(meta.liveDocsFile ?? "?", "live-docs bits have CRC \(hex32(crc)), the commit recorded \(hex32(meta.liveDocsCRC))")
            }
        }
        // Terms and postings; field lengths and statistics recomputed from them.
        let ctx = ReadContext()
        var lengths: [Int: [Int32]] = [:]
        var sumTTF: [Int: Int] = [:], termCounts: [Int: Int] = [:]
        var idOf = [String?](repeating: nil, count: docCount)
        var prev: [UInt8]? = nil
        var count = 0
        var hash = PostingsHash()
        var failure: Error?
        let dictName = seg.dict.file.name, docName = seg.docFile.name
        for b in 0..<seg.dict.blockCount {
            var firstInBlock = true
            try seg.dict.scanBlock(b) { key, info in
                if firstInBlock {
                    // The block index must name each block by its real first term, or lookups miss terms.
                    firstInBlock = false
                    guard seg.dict.indexedFirstKey(b).elementsEqual(key) else {
                        failure = fail(dictName, "block \(b)'s first term differs from the block index's entry"); return false
                    }
                }
                if let p = prev, !p.lexicographicallyPrecedes(key) {
                    failure = fail(dictName, "terms out of order in block \(b)"); return false
                }
                guard let f = key.first, Int(f) < recorded.count else {
                    failure = fail(dictName, "term of unknown field \(key.first.map(Int.init) ?? -1)"); return false
                }
                prev = key; count += 1
                let field = Int(f)
                let c = seg.cursor(info, ctx)
                hash.term(key)
                var n = 0, last: Int32 = -1, ttf = 0
                var lens = field > 0 ? (lengths[field] ?? [Int32](repeating: 0, count: docCount)) : []
                lengths[field] = nil
                // Skip data (max freq, min norm per block) must be exact: queries prune by it.
                let norms = field > 0 ? seg.norms(field) : nil
                var block = -1, maxFreq: UInt32 = 0, minNorm: UInt8 = 255
                func skipDataMatches() -> Bool {
                    block < 0 || info.singletonDoc >= 0
                        || (c.skip.entries[block].maxFreq == maxFreq && c.skip.entries[block].minNorm == minNorm)
                }
                while c.nextDoc() != noMoreDocs {
                    if c.doc <= last || Int(c.doc) >= docCount {
                        failure = fail(docName, "doc id \(c.doc) out of order or range"); return false
                    }
                    if c.block != block {
                        guard skipDataMatches() else { failure = fail(docName, "skip data of block \(block) does not match its documents"); return false }
                        block = c.block; maxFreq = 0; minNorm = 255
                    }
                    maxFreq = max(maxFreq, c.freq); minNorm = min(minNorm, norms.map { $0[Int(c.doc)] } ?? 0)
                    last = c.doc; n += 1; ttf += Int(c.freq)
                    let ps = c.positions()
                    hash.doc(UInt32(c.doc), freq: c.freq)
                    for p in ps { hash.position(p) }
                    if ps.count != Int(c.freq), ctx.errors.first == nil {
                        failure = fail(seg.posFile.name, "document \(c.doc) has \(ps.count) positions for frequency \(c.freq)"); return false
                    }
                    if field > 0 { lens[Int(c.doc)] &+= Int32(truncatingIfNeeded: c.freq) }
                    else if idOf[Int(c.doc)] != nil {
                        failure = fail(dictName, "document \(c.doc) has two ids"); return false
                    } else { idOf[Int(c.doc)] = String(decoding: key.dropFirst(), as: UTF8.self) }
                }
                if field > 0 { lengths[field] = lens }
                if ctx.errors.first != nil { return false }
                guard skipDataMatches() else { failure = fail(docName, "skip data of block \(block) does not match its documents"); return false }
                if n != info.docFreq || ttf != info.totalTermFreq {
                    failure = fail(docName, "term has \(n) docs / \(ttf) positions, dictionary says \(info.docFreq) / \(info.totalTermFreq)"); return false
                }
                sumTTF[field, default: 0] += ttf; termCounts[field, default: 0] += 1
                report.postings += n
                return true
            }
            if let e = ctx.errors.first { throw e }
            if let failure { throw failure }
        }
        guard count == seg.dict.termCount else {
            throw fail(dictName, "\(count) terms found, trailer says \(seg.dict.termCount)")
        }
        guard hash.value == meta.postingsHash else {
            throw fail(docName, "postings decode to content hash \(String(hash.value, radix: 16)), the writer recorded \(String(meta.postingsHash, radix: 16))")
        }
        report.terms += count
        // Norms and statistics against the recomputed lengths.
        let normName = seg.normFile.name
        let statFields = Set(meta.fieldStats.map(\.field))
        let keywordWithTerms = Set(lengths.keys.filter { keywordFields.contains($0) })
        guard statFields == Set(seg.normOffsets.keys).union(keywordWithTerms) else {
            throw fail(manifestName, "segment \(meta.name) has statistics for fields \(statFields.sorted()) but norms for \(seg.normOffsets.keys.sorted())")
        }
        for f in lengths.keys where seg.normOffsets[f] == nil && !keywordFields.contains(f) { throw fail(normName, "field \(f) has terms but no norms") }
        for f in lengths.keys where keywordFields.contains(f) && seg.normOffsets[f] != nil { throw fail(normName, "keyword field \(f) has norms") }
        for st in meta.fieldStats {
            let norms = seg.norms(st.field)
            guard st.field < recorded.count, norms != nil || keywordFields.contains(st.field) else { throw fail(normName, "no norms for field \(st.field)") }
            let lens = lengths[st.field] ?? [Int32](repeating: 0, count: docCount)
            var withField = 0
            for d in 0..<docCount {
                if let norms, NormCodec.encode(Int(lens[d])) != norms[d] {
                    throw fail(normName, "field \(st.field), document \(d): norm byte \(norms[d]) but \(lens[d]) tokens in the postings")
                }
                if lens[d] > 0 { withField += 1 }
            }
            guard withField == st.docsWithField, sumTTF[st.field] ?? 0 == st.sumTotalTermFreq, termCounts[st.field] ?? 0 == st.termCount else {
                throw fail(manifestName, "segment \(meta.name), field \(st.field): statistics \(st.docsWithField) docs / \(st.sumTotalTermFreq) tokens / \(st.termCount) terms, postings have \(withField) / \(sumTTF[st.field] ?? 0) / \(termCounts[st.field] ?? 0)")
            }
        }
        // Columns: only columnar fields of the schema, of their kind, every block decoded and checked.
        for (f, column) in seg.columns {
            guard let isKeyword = columnar[f], isKeyword == column.isKeyword else {
                throw fail(column.file.name, "column of field \(f) is not a \(column.isKeyword ? "keyword" : "numeric") columnar field of the schema")
            }
            var withValue = 0
            var hash = ColumnHash()
            for o in 0..<column.termCount { let t = column.termBytes(o); hash.add(UInt64(t.count)); hash.add(bytes: t) }
            for b in column.blocks.indices {
                let block = try column.block(b, inflater: ctx.inflater)
                for i in 0..<block.docCount {
                    let from = Int(block.starts[i]), to = Int(block.starts[i + 1])
                    if to > from { withValue += 1 }
                    hash.add(UInt64(to - from))
                    for j in from..<to { hash.add(UInt64(bitPattern: block.values[j])) }
                }
            }
            guard withValue == column.docsWithValue else {
                throw fail(column.file.name, "column of field \(f): \(withValue) documents with values, header says \(column.docsWithValue)")
            }
            guard hash.value == column.contentHash else {
                throw fail(column.file.name, "column of field \(f): values decode to content hash \(String(hash.value, radix: 16)), the writer recorded \(String(column.contentHash, radix: 16))")
            }
        }
        // Stored fields: contiguous chunks with valid content, every document decoded, the id table matching the
        // id terms.
        let stored = seg.stored
        let storedName = stored.file.name
        guard !stored.chunkFirst.isEmpty, stored.chunkFirst[0] == 0, stored.chunkOffset[0] == 0 else {
            throw fail(storedName, "stored-fields index does not start at document 0, offset 0")
        }
        let inflater = Inflater()
        for c in 0..<stored.chunkFirst.count {
            let (_, _, docs) = stored.chunkBounds(c)
            guard docs > 0 else { throw fail(storedName, "chunk \(c) holds no documents") }
            let (end, n) = try stored.verifyChunk(c, inflater: inflater)
            if let n, n != docs { throw fail(storedName, "chunk \(c) holds \(n) documents, the index says \(docs)") }
            let next = c + 1 < stored.chunkOffset.count ? stored.chunkOffset[c + 1] : stored.idsOffset
            guard end == next else { throw fail(storedName, "chunk \(c) ends at \(end), the next starts at \(next)") }
        }
        for d in 0..<docCount {
            let doc = try stored.document(d, fieldCount: fields.count, cache: ctx.storedCache)
            guard let id = idOf[d] else { throw fail(dictName, "document \(d) has no id term") }
            guard doc.id == id else { throw fail(storedName, "document \(d) stores id \(doc.id.debugDescription), its id term is \(id.debugDescription)") }
        }
    }
}
