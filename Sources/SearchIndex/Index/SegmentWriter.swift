/// Buffers documents in memory and writes them out as one immutable segment.
///
/// A segment is five files named after it (`_<n>.tdi`, `.doc`, `.pos`, `.nrm`, `.fdt`), plus a `.liv`
/// when documents were replaced while still buffered. See `Index/README.md` for the layout.
final class SegmentBuffer {
    var terms = TermsHash()
    /// The occurrence log: term id and position of every token, in document order.
    private var evTerm: [UInt32] = []
    private var evPos: [UInt32] = []
    /// Per document, the end of its events in the log.
    private var docEventEnd: [Int] = []
    private(set) var docCount = 0
    /// Norm bytes per field number (field 0, the id, has none).
    private var norms: [[UInt8]] = []
    private var lengthSums: [Int] = []
    private var docsWithField: [Int] = []
    private var stored = ByteWriter(capacity: 1 << 20)
    private var storedEnds: [Int] = []
    private var idToDoc: [String: Int] = [:]
    private(set) var deleted: Set<Int> = []
    private var scratch = ByteWriter()
    private var fieldLength: [Int] = []
    private var fieldPos: [Int] = []

    /// Approximate bytes held.
    var bytesUsed: Int { terms.bytesUsed + evTerm.count * 8 + stored.count + storedEnds.count * 8 + idToDoc.count * 64 + docCount * norms.count }

    /// Position gap between two values of the same field, so phrases do not match across them.
    static let valueGap = 100

    /// Adds a document; `fieldNumber` resolves (and registers) field names.
    func add(_ doc: Document, analyzer: Analyzer, fieldNumber: (String) throws -> Int) rethrows {
        let d = docCount
        if let old = idToDoc[doc.id] { deleted.insert(old) }
        idToDoc[doc.id] = d
        // Borrow the hash and the log as locals, so the per-token path touches no class storage.
        var t = TermsHash(placeholder: ())
        swap(&t, &terms)
        var evT: [UInt32] = [], evP: [UInt32] = []
        swap(&evT, &evTerm); swap(&evP, &evPos)
        defer { swap(&t, &terms); swap(&evT, &evTerm); swap(&evP, &evPos); docEventEnd.append(evTerm.count) }
        // The id is indexed as one untokenized term of field 0.
        var idCopy = doc.id
        idCopy.withUTF8 { u in
            evT.append(UInt32(t.id(field: 0, term: u))); evP.append(0)
        }
        for i in fieldLength.indices { fieldLength[i] = 0; fieldPos[i] = 0 }
        var touched: [Int] = []
        var storedValues: [(Int, String)] = []
        for (name, value, isStored) in doc.textFields {
            let f = try fieldNumber(name)
            while fieldLength.count <= f { fieldLength.append(0); fieldPos.append(0) }
            if !touched.contains(f) { touched.append(f) }
            let base = fieldPos[f]
            var last = -1, n = 0
            let field = UInt8(f)
            analyzer.analyze(value) { token, pos in
                guard token.count <= Tokenizer.maxTokenBytes else { return }
                evT.append(UInt32(t.id(field: field, term: token)))
                evP.append(UInt32(truncatingIfNeeded: base + pos))
                last = pos; n += 1
            }
            fieldLength[f] += n
            fieldPos[f] = base + last + 1 + Self.valueGap
            if isStored { storedValues.append((f, value)) }
        }
        for f in touched {
            while norms.count <= f { norms.append([]); lengthSums.append(0); docsWithField.append(0) }
            if norms[f].count < d { norms[f].append(contentsOf: repeatElement(0, count: d - norms[f].count)) }
            norms[f].append(NormCodec.encode(fieldLength[f]))
            lengthSums[f] += fieldLength[f]
            if fieldLength[f] > 0 { docsWithField[f] += 1 }
        }
        for (name, value) in doc.storedFields { storedValues.append((try fieldNumber(name), value)) }
        scratch.removeAll()
        StoredFieldsWriter.encode(id: doc.id, fields: storedValues, into: &scratch)
        stored.bytes(scratch.bytes)
        storedEnds.append(stored.count)
        docCount += 1
    }

    /// Marks the buffered document with this id, if any, as deleted.
    func delete(id: String) {
        if let d = idToDoc.removeValue(forKey: id) { deleted.insert(d) }
    }

    /// Writes the segment files; returns its metadata (delGen 1 if buffered docs were replaced).
    func flush(name: String, directory: IndexDirectory, compressionLevel: Int32, fieldNames: [String]) throws -> SegmentMeta {
        let deflater = Deflater(level: compressionLevel)
        var meta = SegmentMeta(name: name, docCount: docCount)
        let tdi = try OutputFile(path: directory.file("\(name).tdi"), kind: TermDictionaryFormat.kind)
        let docOut = try OutputFile(path: directory.file("\(name).doc"), kind: "POST")
        let posOut = try OutputFile(path: directory.file("\(name).pos"), kind: "POSI")
        let dict = TermDictionaryWriter(out: tdi)
        let pw = PostingsWriter.forSegment(docOut: docOut, posOut: posOut, level: compressionLevel)
        for f in norms.indices where norms[f].count < docCount {
            norms[f].append(contentsOf: repeatElement(0, count: docCount - norms[f].count))
        }
        let zeros = [UInt8](repeating: 0, count: docCount)
        var termCounts = [Int](repeating: 0, count: max(norms.count, 1))
        // Counting sort of the occurrence log by term: each term's (doc, position) pairs end up contiguous,
        // in doc order and position order.
        var start = [Int](repeating: 0, count: terms.count + 1)
        for t in evTerm { start[Int(t) + 1] += 1 }
        for i in 0..<terms.count { start[i + 1] += start[i] }
        var fill = start
        var sDoc = [UInt32](repeating: 0, count: evTerm.count), sPos = sDoc
        var e = 0
        for d in 0..<docCount {
            let end = docEventEnd[d]
            while e < end {
                let t = Int(evTerm[e]), k = fill[t]
                sDoc[k] = UInt32(d); sPos[k] = evPos[e]; fill[t] = k + 1
                e += 1
            }
        }
        // (The log stays until the flush succeeds: a flush that fails, e.g. on a full disk, can be retried.)
        var docs: [UInt32] = [], freqs: [UInt32] = []
        for id in terms.sortedIDs() {
            let key = terms.key(id)
            let field = Int(key[key.startIndex])
            docs.removeAll(keepingCapacity: true); freqs.removeAll(keepingCapacity: true)
            for k in start[id]..<start[id + 1] {
                if docs.last == sDoc[k] { freqs[freqs.count - 1] += 1 } else { docs.append(sDoc[k]); freqs.append(1) }
            }
            let nrm = field < norms.count && !norms[field].isEmpty ? norms[field] : zeros
            try docs.withUnsafeBufferPointer { d in
                try freqs.withUnsafeBufferPointer { fr in
                    try sPos.withUnsafeBufferPointer { all in
                        let ps = UnsafeBufferPointer(rebasing: all[start[id]..<start[id + 1]])
                        try nrm.withUnsafeBufferPointer { nb in
                            let info = try pw.writeTerm(key: key, docs: d, freqs: fr, positions: ps, norms: nb)
                            try dict.add(key: key, info: info)
                        }
                    }
                }
            }
            if field < termCounts.count { termCounts[field] += 1 }
        }
        try dict.finish()
        try docOut.finish(); try posOut.finish()
        meta.postingsHash = pw.contentHash.value
        var normList: [(field: Int, bytes: [UInt8])] = []
        for f in norms.indices where f > 0 && !norms[f].isEmpty {
            normList.append((f, norms[f]))
            meta.fieldStats.append(FieldStats(field: f, docsWithField: docsWithField[f],
                                              sumTotalTermFreq: lengthSums[f], termCount: termCounts[f]))
        }
        _ = try NormsFile.write(path: directory.file("\(name).nrm"), docCount: docCount, norms: normList)
        let fdt = try OutputFile(path: directory.file("\(name).fdt"), kind: StoredFieldsFormat.kind)
        let sw = StoredFieldsWriter(out: fdt, deflater: deflater, fieldNames: fieldNames)
        var from = 0
        for end in storedEnds { try sw.add(encoded: stored.bytes[from..<end]); from = end }
        try sw.finish()
        if !deleted.isEmpty {
            var bits = [UInt8](repeating: 0, count: (docCount + 7) / 8)
            for d in deleted { bits[d >> 3] |= 1 << UInt8(d & 7) }
            meta.delGen = 1; meta.delCount = deleted.count; meta.liveDocsCRC = bits.withUnsafeBytes { crc32Of($0) }
            _ = try LiveDocsFile.write(path: directory.file("\(name)_1.liv"), deleted: bits, docCount: docCount)
        }
        return meta
    }
}
