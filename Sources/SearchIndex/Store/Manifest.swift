/// The commit point (``IndexFileKind/manifest``, `segments_<generation>`): the one file that says what the
/// index is.
///
/// A commit writes every new data file and fsyncs it, then writes `segments_<N>.tmp`, fsyncs it, renames
/// it to `segments_<N>` and fsyncs the directory. Readers open the highest generation, so a crash at any
/// point leaves the previous commit (or the new one, complete) in place.
///
/// Layout: `Index/README.md`, "`segments_N`" (the one specification of the format).
public struct Manifest: Sendable, Equatable {
    /// The reserved name of field 0, which holds each document's id as one term.
    public static let idField = "_id"

    /// The commit's generation: `segments_<generation>`, increasing with every commit.
    public var generation: Int = 0
    /// The number the next new segment gets (segment names are `_` + base 36).
    public var nextSegmentNumber: Int = 1
    /// The identity of the analyzer the index was written with (``Analyzer/identity``).
    public var analyzer: String = ""
    /// Field names by number; 0 is the reserved id field.
    public var fields: [String] = [Manifest.idField]
    /// The live segments, in doc-id order.
    public var segments: [SegmentMeta] = []
    /// Strings the application stored with the commit (``IndexWriter/commit(userData:)``).
    public var userData: [String: String] = [:]
    /// The fields' types and options (text fields written before schemas existed are not in it).
    public var schema = Schema()

    /// An empty commit (generation 0, no segments).
    public init() {}

    /// The revision of the schema section that follows the user data.
    static let schemaRevision = 2

    /// The file name of generation `gen` (``IndexFileKind/manifestFileName(generation:)``).
    public static func fileName(_ gen: Int) -> String { IndexFileKind.manifestFileName(generation: gen) }

    func encode() -> ByteWriter {
        var w = ByteWriter()
        w.vint(generation); w.vint(nextSegmentNumber); w.string(analyzer)
        w.vint(fields.count); for f in fields { w.string(f) }
        w.vint(segments.count)
        for s in segments {
            w.string(s.name); w.vint(s.docCount); w.vint(s.delGen); w.vint(s.delCount)
            w.u64(s.postingsHash); w.u32(s.liveDocsCRC)
            w.vint(s.fieldStats.count)
            for st in s.fieldStats { w.vint(st.field); w.vint(st.docsWithField); w.vint(st.sumTotalTermFreq); w.vint(st.termCount) }
        }
        w.vint(userData.count)
        for (k, v) in userData.sorted(by: { $0.key < $1.key }) { w.string(k); w.string(v) }
        // Schema section (absent in commits written before it existed).
        w.vint(Self.schemaRevision)
        w.vint(schema.fields.count)
        for f in schema.fields {
            w.string(f.name)
            w.u8(UInt8(FieldType.allCases.firstIndex(of: f.type) ?? 0))
            w.u8((f.stored ? 1 : 0) | (f.indexed ? 2 : 0) | (f.columnar ? 4 : 0))
            w.u32(f.weight.bitPattern)
        }
        for s in segments { w.u8(s.hasColumns ? 1 : 0) }
        return w
    }

    static func decode(_ file: MappedFile) throws -> Manifest {
        var r = file.reader()
        var m = Manifest()
        m.generation = try r.count(limit: Int.max); m.nextSegmentNumber = try r.count(limit: Int.max)
        m.analyzer = try r.string()
        let nf = try r.count(limit: 256)
        m.fields = []
        for _ in 0..<nf { m.fields.append(try r.string()) }
        guard m.fields.first == idField else { throw r.fail("field 0 is not \(idField)") }
        let ns = try r.count(limit: 1 << 20)
        for _ in 0..<ns {
            var s = SegmentMeta(name: try r.string(), docCount: try r.count())
            s.delGen = try r.count(); s.delCount = try r.count(limit: s.docCount)
            s.postingsHash = try r.u64(); s.liveDocsCRC = try r.u32()
            let nst = try r.count(limit: 256)
            for _ in 0..<nst {
                let f = try r.count(limit: nf - 1)
                s.fieldStats.append(FieldStats(field: f, docsWithField: try r.count(limit: s.docCount),
                                               sumTotalTermFreq: try r.count(limit: Int.max), termCount: try r.count(limit: Int.max)))
            }
            m.segments.append(s)
        }
        let nu = try r.count(limit: 1 << 16)
        for _ in 0..<nu { let k = try r.string(); m.userData[k] = try r.string() }
        if r.atEnd {
            for i in m.segments.indices { m.segments[i].hasColumns = false }   // an index from before columns
        } else {
            let rev = try r.count()
            // Revision 1 had no field weights.
            guard rev == 1 || rev == schemaRevision else { throw r.fail("unknown schema section revision \(rev)") }
            let n = try r.count(limit: 256)
            for _ in 0..<n {
                let name = try r.string()
                let t = Int(try r.u8()), flags = try r.u8()
                guard t < FieldType.allCases.count, flags < 8 else { throw r.fail("bad type \(t) or flags \(flags) of field '\(name)'") }
                let weight = rev >= 2 ? Float(bitPattern: try r.u32()) : 1
                let spec = FieldSpec(name, FieldType.allCases[t], stored: flags & 1 != 0, indexed: flags & 2 != 0, columnar: flags & 4 != 0, weight: weight)
                guard m.fields.contains(name), m.schema[name] == nil, spec.problem == nil else { throw r.fail("schema entry for field '\(name)' is invalid") }
                m.schema.add(spec)
            }
            for i in m.segments.indices {
                let flags = try r.u8()
                guard flags < 2 else { throw r.fail("bad segment flags \(flags)") }
                m.segments[i].hasColumns = flags & 1 != 0
            }
        }
        guard r.atEnd else { throw r.fail("trailing bytes after manifest") }
        return m
    }

    /// Writes `segments_<generation>` atomically (temp file, fsync, rename, directory fsync).
    func write(to dir: IndexDirectory) throws {
        let tmp = IndexFileKind.manifestTempFileName(generation: generation)
        let out = try OutputFile(path: dir.file(tmp), kind: .manifest)
        try out.write(encode())
        try out.finish()
        try dir.atomicRename(tmp, Self.fileName(generation))
    }

    /// Generations of the `segments_N` files present, highest first.
    static func generations(in dir: IndexDirectory) throws -> [Int] {
        try dir.list().compactMap(IndexFileKind.manifestGeneration).sorted(by: >)
    }

    /// Reads the latest commit. Throws `noIndex` when there is none.
    public static func readLatest(from dir: IndexDirectory, verify: Bool = true) throws -> Manifest {
        guard dir.exists else { throw SearchIndexError.noIndex(directory: dir.path) }
        guard let gen = try generations(in: dir).first else { throw SearchIndexError.noIndex(directory: dir.path) }
        let f = try MappedFile(path: dir.file(fileName(gen)), name: fileName(gen), kind: .manifest, verify: verify)
        let m = try decode(f)
        guard m.generation == gen else {
            throw SearchIndexError.corruptIndex(file: fileName(gen), reason: "generation \(m.generation) does not match the file name")
        }
        return m
    }

    /// Every file this commit references.
    public var referencedFiles: Set<String> {
        var s: Set<String> = [Self.fileName(generation)]
        for seg in segments { for f in seg.files { s.insert(f) } }
        return s
    }
}

/// Per-segment, per-field statistics for BM25.
public struct FieldStats: Sendable, Equatable {
    /// The field number.
    public var field: Int
    /// Documents with at least one token in the field.
    public var docsWithField: Int
    /// Tokens of the field over all documents (for the average length).
    public var sumTotalTermFreq: Int
    /// Distinct terms of the field.
    public var termCount: Int
}

/// What the manifest records about one segment.
public struct SegmentMeta: Sendable, Equatable {
    /// The segment's name, `_` + its number in base 36; its files are named after it.
    public var name: String
    /// Documents in the segment, deleted ones included.
    public var docCount: Int
    /// Generation of the live-docs file; 0 when nothing is deleted.
    public var delGen: Int = 0
    /// Deleted documents.
    public var delCount: Int = 0
    /// The end-to-end hash of the segment's postings, recorded by the writer and recomputed by `check`.
    public var postingsHash: UInt64 = 0
    /// CRC-32 of the live-docs bitset when there are deletions (else 0), recomputed by `check`.
    public var liveDocsCRC: UInt32 = 0
    /// Per-field statistics for BM25, one entry per field with norms or keyword terms.
    public var fieldStats: [FieldStats] = []
    /// Whether the segment has a column file (every segment written since columns exist has one).
    public var hasColumns = true

    /// A segment without deletions or statistics.
    public init(name: String, docCount: Int) { self.name = name; self.docCount = docCount }

    /// The live-docs file of the current deletions, if any.
    public var liveDocsFile: String? {
        delGen > 0 ? IndexFileKind.liveDocsFileName(segment: name, generation: delGen) : nil
    }
    /// The segment's file of `kind` (one of ``IndexFileKind/perSegment``, or ``IndexFileKind/liveDocs`` when
    /// there are deletions); nil for a kind the segment does not have.
    public func file(_ kind: IndexFileKind) -> String? {
        switch kind {
        case .liveDocs: liveDocsFile
        case .manifest: nil
        case .columns: hasColumns ? kind.fileName(segment: name) : nil
        default: kind.fileName(segment: name)
        }
    }
    /// Every file of the segment.
    public var files: [String] { IndexFileKind.perSegment.compactMap { file($0) } + (liveDocsFile.map { [$0] } ?? []) }
    /// Documents not deleted.
    public var liveDocCount: Int { docCount - delCount }
}
