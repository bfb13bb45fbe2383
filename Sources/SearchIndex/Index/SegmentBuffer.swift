/// A document whose fields the writer has checked and numbered (``SegmentBuffer/prepare(_:field:)``), ready
/// to be inverted on an indexing thread.
struct PreparedDocument: Sendable {
    let doc: Document
    /// Per text value: its field number, and whether it is stored.
    let text: TextValueFields
    /// Per stored-only value, its field number.
    let storedNumbers: [Int]
    /// Per typed value, its field number and spec.
    let typedSpecs: [(Int, FieldSpec)]
}

/// The field numbers of a document's text values, and whether each is stored: inline for up to eight values,
/// in an array beyond. A prepared document is made on the writer's thread and dropped on an indexing thread;
/// with two arrays per document here, glibc's malloc on the writer's thread (whose freed chunks went to the
/// other threads' caches) took 3% of the CPU of a 1M-document build.
struct TextValueFields: Sendable {
    /// The field number of value `k` in byte `k`, for `k` < 8 (field numbers are below 256).
    private var packed: UInt64 = 0
    private var storedBits: UInt8 = 0
    private var more: [(number: UInt8, stored: Bool)] = []
    /// How many values.
    private(set) var count = 0

    mutating func append(number: Int, stored: Bool) {
        let n = UInt8(truncatingIfNeeded: number)
        if count < 8 {
            packed |= UInt64(n) << (8 * UInt64(count))
            if stored { storedBits |= 1 << UInt8(count) }
        } else {
            more.append((n, stored))
        }
        count += 1
    }
    /// The field number of value `k`.
    func number(_ k: Int) -> Int { k < 8 ? Int(truncatingIfNeeded: (packed >> (8 * UInt64(k))) & 0xff) : Int(more[k - 8].number) }
    /// Whether value `k` is stored.
    func stored(_ k: Int) -> Bool { k < 8 ? storedBits & (1 << UInt8(k)) != 0 : more[k - 8].stored }
}

/// Buffers documents in memory and writes them out as one immutable segment.
///
/// The inverted index of the documents added since the last flush, in memory: a term hash, each term's
/// postings as varint slices (``PostingsArena``), norms and encoded stored fields.
/// ``flush(name:directory:compressionLevel:fieldNames:)`` writes it, in term order, as a segment through a
/// ``SegmentSerializer``.
final class SegmentBuffer {
    var terms = TermsHash()
    /// With a stemming ``SurfaceAnalyzer``: every surface form seen (field, token before stemming) and its
    /// term id in `terms` (-1: a term too long to index). A form is stemmed once per buffer; afterwards its
    /// token costs one probe here instead of a stem and a lookup in `terms`.
    private var surfaces = SurfaceTable()
    /// One text value's occurrences (term id << 32 | position) between its lookups and its postings.
    private var valueTokens: [UInt64] = []
    /// Every term's postings, as varint slices.
    private var postings = PostingsArena()
    private(set) var docCount = 0
    /// Norm bytes per field number (field 0, the id, has none).
    private var norms: [[UInt8]] = []
    /// Every document's stored fields, compressed a chunk at a time as they come (so a buffer holds about a
    /// third of their raw bytes).
    private let stored: StoredFieldsWriter
    /// The first error adding stored fields, thrown by the flush.
    private var storedError: Error? = nil
    /// Each buffered id's newest document `d`, as `d << 1 | 1` when a version of the id replaces (deletes)
    /// earlier ones, `d << 1` when every version was appended (``add(_:analyzer:replacing:)``).
    private var idToDoc: [String: Int] = [:]
    /// Earlier buffered documents of ids appended more than once (rare), deleted with the id's newest.
    private var olderAppended: [String: [Int]] = [:]
    private(set) var deleted: Set<Int> = []
    private var scratch = ByteWriter()
    private var fieldLength: [Int] = []
    private var fieldPos: [Int] = []
    /// Columns of the columnar typed fields, by field number; a keyword column holds ids in order of first
    /// appearance (``keywordIDs``), turned into dictionary ordinals at flush.
    private var columns: [Int: ColumnData] = [:]
    private var keywordIDs: [Int: [String: Int64]] = [:]
    private var columnBytes = 0
    /// Fields with keyword terms (no norms): their statistics come from the postings.
    private(set) var keywordFields: Set<Int> = []

    /// Longest keyword, in UTF-8 bytes.
    static let maxKeywordBytes = 4096
    /// Longest document id, in UTF-8 bytes (Lucene's limit on a term, `IndexWriter.MAX_TERM_LENGTH`): the
    /// id is indexed as one term.
    static let maxIDBytes = 32766

    /// - Parameters:
    ///   - compressionLevel: the zlib level of the stored fields.
    ///   - pool: where the postings arena's memory comes from and goes back to when the buffer is freed.
    ///   - flushBytes: the ``bytesUsed`` at which the buffer will be flushed (0: unknown), so that its
    ///     arena starts that large instead of growing by doubling (see ``PostingsArena/reserve``).
    init(compressionLevel: Int32, pool: ArenaPool? = nil, flushBytes: Int = 0) {
        stored = StoredFieldsWriter(deflater: Deflater(level: compressionLevel))
        postings.pool = pool
        // With room for the batch of documents that crosses the limit before the check after it.
        postings.reserve = flushBytes > 0 ? flushBytes + flushBytes / 8 + (1 << 20) : 0
    }

    deinit { postings.deallocate(); surfaces.deallocate(); ring.deallocate() }

    /// Approximate bytes held.
    var bytesUsed: Int { terms.bytesUsed + surfaces.bytesUsed + postings.bytesUsed + stored.bytesHeld + idToDoc.count * 64 + docCount * norms.count + columnBytes }

    /// How many tokens ahead of their lookup the indexing loop prefetches surface slots and term records (a
    /// power of two).
    static let lookahead = 8

    /// The lookahead queue's storage (``SurfaceQueue``), ``lookahead`` entries.
    private let ring = UnsafeMutablePointer<SurfaceQueue.Pending>.allocate(capacity: SegmentBuffer.lookahead)

    /// Position gap between two values of the same field, so phrases do not match across them.
    static let valueGap = 100

    /// Checks `doc` and resolves its fields, without buffering anything: `field` resolves (and registers) a
    /// field name used with a type (nil: a stored-only value) to its number and spec, throwing when the type
    /// does not fit. The writer does this on its own thread, so errors (an invalid name, a type mismatch, an
    /// invalid value) reach the caller of `addDocument` and a rejected document leaves no trace; the
    /// prepared document can then be inverted (``add(_:analyzer:)``) on any thread.
    static func prepare(_ doc: Document, field: (String, FieldType?) throws -> (Int, FieldSpec?)) throws -> PreparedDocument {
        guard doc.id.utf8.count <= Self.maxIDBytes else {
            throw SearchIndexError.invalidArgument("document id of \(doc.id.utf8.count) bytes is longer than \(Self.maxIDBytes) (it begins \(String(doc.id.prefix(40)).debugDescription))")
        }
        var text = TextValueFields()
        for value in doc.textFields {
            let (n, spec) = try field(value.name, .text)
            text.append(number: n, stored: value.stored && spec?.stored != false)
        }
        let storedNumbers = try doc.storedFields.map { try field($0.name, nil).0 }
        let typedSpecs = try doc.typedFields.map { f -> (Int, FieldSpec) in
            let (n, spec) = try field(f.name, f.value.type)
            guard let spec else { throw SearchIndexError.invalidArgument("field '\(f.name)' has no type") }
            switch f.value {
            case let .double(v) where v.isNaN:
                throw SearchIndexError.invalidArgument("field '\(f.name)' of document \(doc.id.debugDescription): NaN is not a value")
            case let .keyword(k) where k.utf8.count > Self.maxKeywordBytes:
                throw SearchIndexError.invalidArgument("field '\(f.name)' of document \(doc.id.debugDescription): a keyword of \(k.utf8.count) bytes is longer than \(Self.maxKeywordBytes)")
            default: break
            }
            return (n, spec)
        }
        return PreparedDocument(doc: doc, text: text, storedNumbers: storedNumbers, typedSpecs: typedSpecs)
    }

    /// Inverts and buffers a prepared document. With `replacing`, it replaces the buffered documents with
    /// its id, and its id is among ``supersededIDs``; without, earlier documents with its id are kept.
    func add(_ prepared: PreparedDocument, analyzer: Analyzer, replacing: Bool = true) {
        add(prepared, analyzer: ResolvedAnalyzer(analyzer), replacing: replacing)
    }

    /// As ``add(_:analyzer:replacing:)``, with the analyzer resolved once by the caller.
    func add(_ prepared: PreparedDocument, analyzer resolved: ResolvedAnalyzer, replacing: Bool = true) {
        let analyzer = resolved.analyzer
        let doc = prepared.doc
        let text = prepared.text, storedNumbers = prepared.storedNumbers, typedSpecs = prepared.typedSpecs
        let d = docCount
        if let old = idToDoc[doc.id] {
            if replacing {
                deleted.insert(old >> 1)
                if let more = olderAppended.removeValue(forKey: doc.id) { deleted.formUnion(more) }
            } else {
                olderAppended[doc.id, default: []].append(old >> 1)
            }
            idToDoc[doc.id] = d << 1 | (old & 1) | (replacing ? 1 : 0)
        } else {
            idToDoc[doc.id] = d << 1 | (replacing ? 1 : 0)
        }
        // Borrow the hash and the postings as locals, so the per-token path touches no class storage.
        var t = TermsHash(placeholder: ())
        swap(&t, &terms)
        var ps = PostingsArena()
        swap(&ps, &postings)
        let surfaceAnalyzer = resolved.surfaces
        var sv = SurfaceTable()
        swap(&sv, &surfaces)
        var toks: [UInt64] = []
        swap(&toks, &valueTokens)
        defer { swap(&t, &terms); swap(&ps, &postings); swap(&sv, &surfaces); swap(&toks, &valueTokens) }
        let doc32 = Int32(d)
        // The id is indexed as one untokenized term of field 0.
        var idCopy = doc.id
        idCopy.withUTF8 { u in
            ps.add(term: t.id(field: 0, term: u), doc: doc32, position: 0)
        }
        for i in fieldLength.indices { fieldLength[i] = 0; fieldPos[i] = 0 }
        var touched: [Int] = []
        var storedValues: [(field: Int, value: String)] = []
        for (k, (_, value, _)) in doc.textFields.enumerated() {
            let f = text.number(k)
            while fieldLength.count <= f { fieldLength.append(0); fieldPos.append(0) }
            if !touched.contains(f) { touched.append(f) }
            let base = fieldPos[f]
            var last = -1, n = 0
            let field = UInt8(f)
            if let surfaceAnalyzer {
                // The same terms as `analyze` gives (see SurfaceAnalyzer), each surface form stemmed once per
                // buffer. A token's surface-table slot is prefetched when the tokenizer hands it over and looked
                // up `lookahead` tokens later, so several tokens' cache misses are in flight at once; its term
                // is then recorded in order (`toks`).
                surfaceAnalyzer.withStemming { stemming in
                    var q = SurfaceQueue(ring: ring, field: field, base: base, stemming: stemming)
                    surfaceAnalyzer.surfaces(value) { surface, pos in
                        q.push(surface, position: pos, &sv, &t, &toks)
                    }
                    q.drain(&sv, &t, &toks)
                    last = q.last; n = q.count
                }
                // The occurrences are recorded after the value's lookups, in a loop of their own, each term's
                // record prefetched a few tokens ahead (its record and arena bytes are likely cache misses).
                toks.withUnsafeBufferPointer { tb in
                    let count = tb.count
                    for i in 0..<count {
                        if i + Self.lookahead < count { ps.prefetch(term: Int(truncatingIfNeeded: tb[i + Self.lookahead] >> 32)) }
                        let x = tb[i]
                        ps.add(term: Int(truncatingIfNeeded: x >> 32), doc: doc32, position: UInt32(truncatingIfNeeded: x))
                    }
                }
                toks.removeAll(keepingCapacity: true)
            } else {
                analyzer.analyze(value) { token, pos in
                    guard token.count <= Tokenizer.maxTokenBytes else { return }
                    ps.add(term: t.id(field: field, term: token), doc: doc32, position: UInt32(truncatingIfNeeded: base + pos))
                    last = pos; n += 1
                }
            }
            fieldLength[f] += n
            fieldPos[f] = base + last + 1 + Self.valueGap
            if text.stored(k) { storedValues.append((f, value)) }
        }
        // Typed values: keyword terms (one occurrence per distinct value), column values, stored text.
        var perField: [Int: (spec: FieldSpec, values: [FieldValue])] = [:]
        for (k, (_, value)) in doc.typedFields.enumerated() {
            let (f, spec) = typedSpecs[k]
            perField[f, default: (spec, [])].values.append(value)
            if spec.stored { storedValues.append((f, value.storedText)) }
        }
        for (f, entry) in perField.sorted(by: { $0.key < $1.key }) {
            let spec = entry.spec
            if spec.type == .keyword {
                var seen = Set<String>()
                let distinct = entry.values.compactMap { v -> String? in
                    guard case let .keyword(k) = v, seen.insert(k).inserted else { return nil }
                    return k
                }
                if spec.indexed {
                    keywordFields.insert(f)
                    for (i, k) in distinct.enumerated() {
                        var k = k
                        k.withUTF8 { u in ps.add(term: t.id(field: UInt8(f), term: u), doc: doc32, position: UInt32(i)) }
                    }
                }
                if spec.columnar {
                    var ids = keywordIDs[f] ?? [:]
                    let vs = distinct.map { k -> Int64 in
                        if let id = ids[k] { return id }
                        let id = Int64(ids.count); ids[k] = id; columnBytes += k.utf8.count + 48
                        return id
                    }
                    keywordIDs[f] = ids
                    appendColumn(f, isKeyword: true, vs, doc: d)
                }
            } else if spec.columnar {
                appendColumn(f, isKeyword: false, entry.values.compactMap(\.sortable), doc: d)
            }
        }
        for f in touched {
            while norms.count <= f { norms.append([]) }
            if norms[f].count < d { norms[f].append(contentsOf: repeatElement(0, count: d - norms[f].count)) }
            norms[f].append(NormCodec.encode(fieldLength[f]))
        }
        for (k, (_, value)) in doc.storedFields.enumerated() { storedValues.append((storedNumbers[k], value)) }
        scratch.removeAll()
        StoredFieldsWriter.encode(id: doc.id, fields: storedValues, into: &scratch)
        // (The one error here is an id table beyond 4 GiB; the flush reports it.)
        do { try stored.add(encoded: scratch.bytes[...]) } catch { if storedError == nil { storedError = error } }
        docCount += 1
    }

    /// Appends document `doc`'s values to field `f`'s column (documents before it without values get none).
    private func appendColumn(_ f: Int, isKeyword: Bool, _ values: [Int64], doc: Int) {
        var c = columns[f] ?? ColumnData(field: f, isKeyword: isKeyword)
        padColumn(&c, to: doc)
        c.append(values)
        columnBytes += 4 + 8 * values.count
        columns[f] = c
    }

    private func padColumn(_ c: inout ColumnData, to docs: Int) {
        if c.docStarts.count - 1 < docs {
            c.docStarts.append(contentsOf: repeatElement(c.docStarts.last ?? 0, count: docs - (c.docStarts.count - 1)))
        }
    }

    /// The columns as written: padded to every document, keyword ids turned into dictionary ordinals.
    private func finishedColumns() -> [ColumnData] {
        columns.sorted { $0.key < $1.key }.map { f, column in
            var c = column
            padColumn(&c, to: docCount)
            guard c.isKeyword, let ids = keywordIDs[f] else { return c }
            let sorted = ids.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            var ordinalOf = [Int64](repeating: 0, count: ids.count)
            for (ord, (_, id)) in sorted.enumerated() { ordinalOf[Int(id)] = Int64(ord) }
            var out = ColumnData(field: f, isKeyword: true)
            out.terms = sorted.map { Array($0.key.utf8) }
            for d in 0..<docCount {
                out.append(c.values[Int(c.docStarts[d]) ..< Int(c.docStarts[d + 1])].map { ordinalOf[Int($0)] })
            }
            return out
        }
    }

    /// Marks the buffered document with this id, if any, as deleted.
    func delete(id: String) {
        if let d = idToDoc.removeValue(forKey: id) { deleted.insert(d >> 1) }
        if let more = olderAppended.removeValue(forKey: id) { deleted.formUnion(more) }
        deletedIDs.insert(id)
    }

    /// Ids deleted through ``delete(id:)``, buffered or not.
    private var deletedIDs: Set<String> = []

    /// The ids this buffer deletes or adds replacing: each is to be deleted from every segment before this
    /// buffer's. (Ids only appended are not.)
    var supersededIDs: [String] {
        var ids = deletedIDs
        for (id, v) in idToDoc where v & 1 != 0 { ids.insert(id) }
        return Array(ids)
    }

    /// Writes the buffered documents as segment `name` through a ``SegmentSerializer``; returns its metadata
    /// (delGen 1 when buffered documents were replaced or deleted).
    func flush(name: String, directory: IndexDirectory, compressionLevel: Int32, fieldNames: [String]) throws -> SegmentMeta {
        if let storedError { throw storedError }
        let out = try SegmentSerializer(name: name, docCount: docCount, directory: directory,
                                        compressionLevel: compressionLevel, fieldNames: fieldNames, keywordFields: keywordFields,
                                        storedFields: stored)
        // (Only fields with text in this segment have norms: a keyword field numbered below one has none.)
        for f in norms.indices where !norms[f].isEmpty && norms[f].count < docCount {
            norms[f].append(contentsOf: repeatElement(0, count: docCount - norms[f].count))
        }
        let zeros = [UInt8](repeating: 0, count: docCount)
        // Each term's postings are already in document and position order: decode them in key order.
        var scratch = PostingsScratch()
        defer { scratch.deallocate() }
        for id in terms.sortedIDs() {
            let key = terms.key(id)
            let field = Int(key[key.startIndex])
            let (d, fr, ps) = postings.postings(of: id, into: &scratch)
            let nrm = field < norms.count && !norms[field].isEmpty ? norms[field] : zeros
            try nrm.withUnsafeBufferPointer { nb in
                try out.addTerm(key: key, docs: d, freqs: fr, positions: ps, norms: nb)
            }
        }
        try out.finishPostings()
        try out.writeNorms(norms.indices.filter { $0 > 0 && !norms[$0].isEmpty }.map { ($0, norms[$0]) })
        try out.writeColumns(finishedColumns())
        var meta = try out.finish()
        if !deleted.isEmpty {
            var bits = [UInt8](repeating: 0, count: (docCount + 7) / 8)
            for d in deleted { bits[d >> 3] |= 1 << UInt8(d & 7) }
            _ = try SegmentSerializer.writeLiveDocs(bits, added: deleted.count, into: &meta, directory: directory)
        }
        return meta
    }
}

/// An analyzer and, when it is a stemming ``SurfaceAnalyzer``, the same analyzer as one, resolved once per
/// writer: the cast cost about 1,300 instructions a document (callgrind).
struct ResolvedAnalyzer: Sendable {
    let analyzer: Analyzer
    /// `analyzer` as a ``SurfaceAnalyzer`` that stems (nil: use ``Analyzer/analyze(_:_:)``).
    let surfaces: SurfaceAnalyzer?
    init(_ analyzer: Analyzer) {
        self.analyzer = analyzer
        surfaces = (analyzer as? SurfaceAnalyzer).flatMap { $0.stems ? $0 : nil }
    }
}

/// One text value's tokens on their way from the tokenizer to its term ids: each token's surface-table slot
/// is prefetched when the tokenizer hands it over and looked up ``SegmentBuffer/lookahead`` tokens later, so
/// several tokens' cache misses are in flight at once; the tokens' occurrences are queued in order (`toks`,
/// term id << 32 | position). A struct with mutating methods (not closures over locals, which Swift would box
/// and check for exclusive access at run time).
struct SurfaceQueue {
    /// A token waiting for its lookup: its key, length and position.
    struct Pending {
        var key: SurfaceTable.Key
        var count: Int32, position: Int32
    }
    let ring: UnsafeMutablePointer<Pending>
    let field: UInt8
    /// The value's first position (positions continue across a field's values).
    let base: Int
    /// The stemmer for new surface forms (held here, not passed per token: an argument cost a retain and a
    /// release of its stemmer per token).
    let stemming: Stemming
    private var head = 0, queued = 0
    /// The last position queued, and how many occurrences were queued.
    private(set) var last = -1, count = 0

    init(ring: UnsafeMutablePointer<Pending>, field: UInt8, base: Int, stemming: Stemming) {
        self.ring = ring; self.field = field; self.base = base; self.stemming = stemming
    }

    /// Queues the token `surface` at `position` (its bytes readable as ``SurfaceTable`` needs).
    @inline(__always)
    mutating func push(_ surface: UnsafeBufferPointer<UInt8>, position: Int, _ sv: inout SurfaceTable, _ t: inout TermsHash,
                       _ toks: inout [UInt64]) {
        let p = surface.baseAddress.unsafelyUnwrapped, n = surface.count
        let key = SurfaceTable.key(field: field, p, count: n)
        if n > 16 {
            // Rare: resolved at once from its own bytes, after the tokens before it.
            drain(&sv, &t, &toks)
            resolve(key, p, count: n, position: position, &sv, &t, &toks)
            return
        }
        sv.prefetch(key)
        if queued == SegmentBuffer.lookahead { resolveOldest(&sv, &t, &toks) }
        ring[(head + queued) & (SegmentBuffer.lookahead - 1)] = Pending(key: key, count: Int32(n), position: Int32(position))
        queued += 1
    }

    /// Resolves every queued token.
    mutating func drain(_ sv: inout SurfaceTable, _ t: inout TermsHash, _ toks: inout [UInt64]) {
        while queued > 0 { resolveOldest(&sv, &t, &toks) }
    }

    /// Resolves the oldest queued token (of at most 16 bytes: its bytes are its key's two words).
    @inline(__always)
    private mutating func resolveOldest(_ sv: inout SurfaceTable, _ t: inout TermsHash, _ toks: inout [UInt64]) {
        let e = ring[head]
        head = (head + 1) & (SegmentBuffer.lookahead - 1); queued -= 1
        var words = (e.key.w0.littleEndian, e.key.w1.littleEndian)
        let (found, slot) = sv.find(e.key, nil, count: Int(e.count))
        if let found { return record(found, position: Int(e.position), &toks) }
        withUnsafeBytes(of: &words) { raw in
            let p = raw.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self)
            let tid = Self.stem(p, count: Int(e.count), field: field, &t, stemming)
            sv.insert(e.key, at: slot, p, count: Int(e.count), term: tid)
            record(tid, position: Int(e.position), &toks)
        }
    }

    private mutating func resolve(_ key: SurfaceTable.Key, _ p: UnsafePointer<UInt8>, count n: Int, position: Int,
                                  _ sv: inout SurfaceTable, _ t: inout TermsHash, _ toks: inout [UInt64]) {
        let (found, slot) = sv.find(key, p, count: n)
        if let found { return record(found, position: position, &toks) }
        let tid = Self.stem(p, count: n, field: field, &t, stemming)
        sv.insert(key, at: slot, p, count: n, term: tid)
        record(tid, position: position, &toks)
    }

    /// The term id of a new surface form: its stem's id in `t` (added if new), or -1 for a stem too long.
    private static func stem(_ p: UnsafePointer<UInt8>, count n: Int, field: UInt8, _ t: inout TermsHash, _ stemming: Stemming) -> Int32 {
        var tid: Int32 = -1
        stemming.term(UnsafeBufferPointer(start: p, count: n)) { term in
            if term.count <= Tokenizer.maxTokenBytes { tid = Int32(t.id(field: field, term: term)) }
        }
        return tid
    }

    @inline(__always) private mutating func record(_ tid: Int32, position: Int, _ toks: inout [UInt64]) {
        guard tid >= 0 else { return }
        toks.append(UInt64(UInt32(bitPattern: tid)) << 32 | UInt64(UInt32(truncatingIfNeeded: base + position)))
        last = position; count += 1
    }
}

/// A buffer is owned by one thread at a time (the writer's, or one indexing thread's) and handed over whole.
extension SegmentBuffer: @unchecked Sendable {}
