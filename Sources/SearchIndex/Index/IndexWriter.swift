import Foundation

/// Settings for an ``IndexWriter``.
public struct IndexWriterConfig: Sendable {
    /// Memory for buffered documents before a segment is flushed, in MiB.
    public var ramBufferMB: Int = 128
    /// zlib level (0 stored … 1 fastest … 9 smallest) for postings and stored fields. Doc payloads, which
    /// every query inflates, use at most level 2 (deflate's fast matcher; see `Index/README.md`); positions
    /// are Huffman-coded without string matching at any level above 0.
    public var compressionLevel: Int32 = 6
    /// Verify checksums of existing segments when the writer opens them to apply deletes or merge.
    public var verifyChecksums: Bool = true
    /// Which segments are merged after a commit (nil: none; ``IndexWriter/forceMerge(maxSegments:userData:)``
    /// still merges on demand). Merges drop deleted documents.
    public var mergePolicy: TieredMergePolicy? = TieredMergePolicy()
    /// Merges run on a background thread (the default): ``IndexWriter/addDocument(_:)`` never waits for one,
    /// and ``IndexWriter/commit(userData:waitForMerges:)`` only when asked. A finished merge replaces its
    /// segments at the next commit, with the deletions made meanwhile carried over. When false, merges run
    /// inside `commit`.
    public var backgroundMerges = true
    /// Indexing threads, at least 1 (default: the active processor count; ``IndexWriter/init(path:analyzer:config:create:schema:)``
    /// throws ``SearchIndexError/invalidArgument(_:)`` for less): documents are analyzed and inverted on that
    /// many threads, each into its own buffer, as in Lucene's DocumentsWriterPerThread; the buffers share
    /// ``ramBufferMB``. A full buffer is written into a segment in the background while its thread fills a
    /// new one (at most one such buffer per thread, beside the budget, as Lucene's flushing buffers are: up
    /// to twice ``ramBufferMB`` of buffers in all). The caller's thread only checks documents and hands them
    /// over. So even with 1, indexing overlaps three threads (the caller's, the inverting one and a
    /// segment being written), as tantivy's one indexing thread overlaps its producer and its merges. The
    /// first 4 MiB buffered after each commit are inverted on the caller's thread, so a small commit
    /// is one segment. Hits and scores are the same for any count; the order among equal scores may differ
    /// between counts (not between runs with one count).
    public var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    /// Shorthand for a ``TieredMergePolicy`` merging `mergeFactor` segments at once and allowing
    /// `mergeFactor - 1` per tier; 0 turns automatic merging off (``mergePolicy`` nil).
    public var mergeFactor: Int {
        get { mergePolicy?.maxMergeAtOnce ?? 0 }
        set { mergePolicy = newValue > 1 ? TieredMergePolicy(segmentsPerTier: max(2, newValue - 1), maxMergeAtOnce: newValue) : nil }
    }
    /// Settings with a RAM buffer in MiB and a zlib level; the others keep their defaults.
    public init(ramBufferMB: Int = 128, compressionLevel: Int32 = 6) {
        self.ramBufferMB = ramBufferMB; self.compressionLevel = compressionLevel
    }
}

/// Adds, replaces and deletes documents, and commits them atomically.
///
/// One writer per index directory at a time (an exclusive lock on `write.lock`; a second writer gets
/// ``SearchIndexError/lockHeld(directory:holder:)``). Documents are buffered in memory up to
/// ``IndexWriterConfig/ramBufferMB`` and then flushed to a new immutable segment; nothing is visible to
/// readers until ``commit(userData:)`` succeeds. A writer is not thread-safe: call it from one thread.
///
/// ```swift
/// let writer = try IndexWriter(path: "Index")
/// var doc = Document(id: "1")
/// doc.addText("title", "Morocco boasts success fighting terrorism")
/// try writer.addDocument(doc)
/// try writer.commit()
/// ```
public final class IndexWriter {
    /// The index directory this writer holds the lock of.
    public let directory: IndexDirectory
    /// The analyzer applied to text fields; recorded in each commit.
    public let analyzer: Analyzer
    /// The settings this writer was opened with.
    public let config: IndexWriterConfig
    private var lock: WriteLock?
    private var manifest: Manifest
    /// Segments of the next commit, in order: committed ones still live, then newly flushed ones.
    private var segments: [SegmentMeta]
    private var buffer: SegmentBuffer
    /// Ids deleted or replaced, with the number of leading `segments` the deletion applies to.
    private var pendingDeletes: [String: Int] = [:]
    private var fieldNumbers: [String: Int] = [:]
    private var readers: [String: SegmentReader] = [:]
    /// The schema given at open (kept by ``deleteAll()``).
    private var declared: [String: FieldSpec] = [:]
    private var newFiles: Set<String> = []
    /// Fields given text or stored-only values without a schema entry since the writer opened.
    private var usedUntyped: Set<String> = []
    /// Fields of the commit the writer opened.
    private var committedFieldCount = 1
    /// The indexing threads (``IndexWriterConfig/threads``), and whether they are in use: from when
    /// `buffer` reaches ``parallelStartBytes`` after a flush until the next flush.
    private let documents: DocumentsWriter
    private var parallel = false
    /// Buffered bytes after which the indexing threads take over (less if a thread's share of the RAM
    /// buffer is smaller): a commit of fewer documents stays one segment, in the order they were added.
    static let parallelStartBytes = 4 << 20
    /// Buffered bytes at which the writer's own buffer goes to the indexing threads.
    private static func handOverBytes(_ config: IndexWriterConfig) -> Int {
        min(parallelStartBytes, (config.ramBufferMB << 20) / config.threads)
    }
    /// A new buffer for the writer's own thread, its arena sized for where it ends up flushed: with one
    /// thread it is handed over and goes on filling to the whole budget; with more, it becomes a segment of
    /// its own at ``handOverBytes(_:)``.
    private static func ownBuffer(_ config: IndexWriterConfig) -> SegmentBuffer {
        SegmentBuffer(compressionLevel: config.compressionLevel,
                      flushBytes: config.threads <= 1 ? config.ramBufferMB << 20 : handOverBytes(config))
    }
    /// Segment names for the writer and its indexing threads.
    private var names = SegmentNamer(next: 1)
    /// Merges scheduled and not yet installed (running, queued or finished), and the queue running them.
    private var merges: [MergeTask] = []
    private let mergeQueue = DispatchQueue(label: "SearchIndex.IndexWriter.merge")
    /// Merges put in place, and deletions carried into merged segments (for tests).
    private(set) var mergesInstalled = 0, carriedDeletes = 0

    /// Opens (or creates) the index at `path` for writing, taking its write lock.
    /// - Parameters:
    ///   - path: the index directory; created when missing.
    ///   - analyzer: how text fields are analyzed. By default, an existing index's own analyzer (rebuilt from
    ///     the identity its commit recorded), or a new `StandardAnalyzer()`. An analyzer whose
    ///     ``Analyzer/identity`` differs from that of an index that already holds documents is refused with
    ///     ``SearchIndexError/invalidArgument(_:)``: its terms would not match the old ones. Use `create` to
    ///     rebuild with another analyzer.
    ///   - config: buffering, merging, compression and checksum settings.
    ///   - create: start from an empty index even if one exists (the old one stays readable until the next
    ///     commit replaces it).
    ///   - schema: field types and options (see ``Schema``). Fields it does not declare get their type from
    ///     the first value added. An existing index keeps its schema: a spec that changes a field it already
    ///     has is refused with ``SearchIndexError/invalidArgument(_:)`` (use `create` to rebuild); new fields
    ///     are added to it.
    public init(path: String, analyzer: Analyzer? = nil, config: IndexWriterConfig = IndexWriterConfig(), create: Bool = false,
                schema: Schema = Schema()) throws {
        guard config.threads >= 1 else {
            throw SearchIndexError.invalidArgument("IndexWriterConfig.threads must be at least 1, not \(config.threads)")
        }
        directory = IndexDirectory(path: path)
        try directory.create()
        lock = try WriteLock(directory: directory)
        self.config = config
        buffer = Self.ownBuffer(config)
        let existing = create ? nil : try? Manifest.readLatest(from: directory)
        if let m = existing, !m.segments.isEmpty {
            if let analyzer {
                guard analyzer.identity == m.analyzer else {
                    throw SearchIndexError.invalidArgument("the index at \(path) was written with the analyzer \(m.analyzer), not \(analyzer.identity); pass the same analyzer, or create: true to rebuild it")
                }
                self.analyzer = analyzer
            } else {
                self.analyzer = try StandardAnalyzer(identity: m.analyzer)
            }
        } else {
            self.analyzer = try analyzer ?? StandardAnalyzer()
        }
        if var m = existing {
            if m.segments.isEmpty { m.analyzer = self.analyzer.identity }   // nothing analyzed yet: adopt this one
            manifest = m
        } else if !create, try !Manifest.generations(in: directory).isEmpty {
            // A commit exists but cannot be read: refuse rather than overwrite it.
            manifest = try Manifest.readLatest(from: directory)
        } else {
            manifest = Manifest()
            // Continue numbering past everything on disk (even a damaged commit's files), so the new commit
            // sorts after the old ones and never overwrites a file an older commit references.
            manifest.generation = try Manifest.generations(in: directory).first ?? 0
            var next = 1
            for name in try directory.list() {
                if let n = IndexFileKind.segmentNumber(ofFile: name) { next = max(next, n + 1) }
            }
            manifest.nextSegmentNumber = next
            manifest.analyzer = self.analyzer.identity
        }
        segments = create ? [] : manifest.segments
        if create { manifest.schema = Schema() }
        for f in schema.fields { declared[f.name] = f }
        for spec in schema.fields {
            if let p = spec.problem { throw SearchIndexError.invalidArgument(p) }
            if let old = manifest.schema[spec.name] {
                guard old.indexesLike(spec) else {
                    throw SearchIndexError.invalidArgument("the index at \(path) has field '\(spec.name)' as \(old.summary), not \(spec.summary); rebuild it (create: true, or `search index --rebuild`) to change a field")
                }
                manifest.schema.add(spec)   // (a new weight: no index data changes)
            } else if !create, !manifest.segments.isEmpty, manifest.fields.contains(spec.name), spec.type != .text {
                throw SearchIndexError.invalidArgument("the index at \(path) already has field '\(spec.name)' as text or stored-only values, not \(spec.summary); rebuild it to change a field")
            } else {
                manifest.schema.add(spec)
            }
        }
        for (i, f) in manifest.fields.enumerated() { fieldNumbers[f] = i }
        names = SegmentNamer(next: manifest.nextSegmentNumber)
        documents = DocumentsWriter(threads: config.threads, analyzer: self.analyzer, directory: directory,
                                    compressionLevel: config.compressionLevel, ramBufferBytes: config.ramBufferMB << 20,
                                    names: names)
        committedFieldCount = manifest.segments.isEmpty ? 1 : manifest.fields.count
        // Every declared field has a number, so a commit where no document filled one still names it
        // (the manifest's schema section may only name fields of its field table).
        for spec in manifest.schema.fields { _ = try fieldNumber(spec.name) }
        try removeLeftovers()
    }

    /// Removes index files that the latest commit does not reference: segments and temp manifests left by a
    /// writer that was killed, and superseded commits. Only when the latest commit reads cleanly (files of a
    /// damaged commit are kept for inspection); the latest commit's files are kept even with `create`, since
    /// readers use them until this writer's first commit.
    private func removeLeftovers() throws {
        guard let latest = try? Manifest.readLatest(from: directory) else { return }
        try removeIndexFiles(except: latest.referencedFiles)
    }

    /// Removes every segment file and commit point not in `keep` (other files of the directory stay).
    private func removeIndexFiles(except keep: Set<String>, keepSegments: Set<String> = []) throws {
        for n in try directory.list() where IndexFileKind.isIndexFile(n) && !keep.contains(n) {
            if !keepSegments.isEmpty, keepSegments.contains(where: { IndexFileKind.file(n, belongsTo: $0) }) { continue }
            directory.remove(n)
        }
    }

    // MARK: Background merges

    /// Asks the merge policy for merges of the segments no merge holds yet, and queues them.
    private func scheduleMerges() {
        guard let policy = config.mergePolicy else { return }
        let busy = Set(merges.flatMap { $0.sources.map(\.name) })
        var candidates: [TieredMergePolicy.Candidate] = []
        for (i, s) in segments.enumerated() where !busy.contains(s.name) {
            let bytes = s.files.reduce(0) { $0 + directory.size(of: $1) }
            candidates.append(.init(index: i, bytes: bytes, docCount: s.docCount, delCount: s.delCount))
        }
        let keywordFields = keywordFieldNumbers
        for chosen in policy.findMerges(candidates) {
            let sources = chosen.sorted().map { segments[$0] }
            guard let readers = try? sources.map({ try reader($0) }) else { continue }   // (a damaged source: not merged)
            let name = newSegmentName()
            let task = MergeTask(name: name, sources: sources, readers: readers, fields: manifest.fields, keywordFields: keywordFields,
                                 directory: directory, compressionLevel: config.compressionLevel)
            merges.append(task)
            mergeQueue.async { task.run() }
        }
    }

    /// Puts the finished merges in place of their sources, carrying over the deletions made since each
    /// started. A merge that failed is dropped (its files removed; its sources stay, and the policy plans it
    /// again); its error is thrown when `reportFailures` (a commit that waits for merges), as Lucene's
    /// background merges do not fail an unrelated commit either: a merge that hit a full disk must not make
    /// the commit after space was freed fail.
    private func installFinishedMerges(reportFailures: Bool = true) throws {
        var failure: Error? = nil
        for task in merges where task.isDone {
            merges.removeAll { $0 === task }
            guard let (merged, maps) = task.result else {
                directory.removeFiles(ofSegment: task.name)
                if failure == nil, let e = task.error { failure = e }
                continue
            }
            var meta = merged
            var bits = [UInt8](repeating: 0, count: (meta.docCount + 7) / 8)
            var added = 0
            for (source, map) in zip(task.sources, maps) {
                // Deleted since the merge started: the source's deletions now (all, if it was dropped).
                let now = segments.first { $0.name == source.name }
                let r = try now.map { try reader($0) }
                for d in 0..<source.docCount where map[d] >= 0 && (r?.isDeleted(Int32(d)) ?? true) {
                    bits[Int(map[d]) >> 3] |= 1 << UInt8(map[d] & 7); added += 1
                }
            }
            for f in meta.files { newFiles.insert(f) }
            if added > 0 { newFiles.insert(try SegmentSerializer.writeLiveDocs(bits, added: added, into: &meta, directory: directory)) }
            mergesInstalled += 1; carriedDeletes += added
            let names = Set(task.sources.map(\.name))
            let at = segments.firstIndex { names.contains($0.name) } ?? segments.count
            segments.removeAll { names.contains($0.name) }
            if meta.liveDocCount > 0 { segments.insert(meta, at: min(at, segments.count)) }
        }
        if let failure, reportFailures { throw failure }
    }

    deinit { lock?.release() }

    /// The last commit this writer made or opened.
    public var lastCommit: Manifest { manifest }

    private func fieldNumber(_ name: String) throws -> Int {
        if let n = fieldNumbers[name] { return n }
        guard name != Manifest.idField else { throw SearchIndexError.invalidArgument("field name \(Manifest.idField) is reserved") }
        guard isValidFieldName(name) else {
            throw SearchIndexError.invalidArgument("field name \(name.debugDescription) is empty, longer than 255 bytes or has control characters")
        }
        guard manifest.fields.count < 256 else { throw SearchIndexError.invalidArgument("an index holds at most 255 fields; cannot add '\(name)'") }
        manifest.fields.append(name)
        fieldNumbers[name] = manifest.fields.count - 1
        return manifest.fields.count - 1
    }

    /// The fields' types and options so far (declared, or implied by the first value of a field).
    public var schema: Schema { manifest.schema }

    /// The number and spec of field `name` used with `type` (nil: a stored-only value), declaring it with
    /// the defaults of its type when it is new; throws when the field is of another type.
    private func field(_ name: String, _ type: FieldType?) throws -> (Int, FieldSpec?) {
        let n = try fieldNumber(name)
        let spec = manifest.schema[name]
        guard let type else {
            if let spec, spec.type != .text {
                throw SearchIndexError.invalidArgument("field '\(name)' is \(spec.type.rawValue); add its values with Document.add(_:_:), not as stored-only text")
            }
            return (n, spec)
        }
        if let spec {
            guard spec.type == type else {
                throw SearchIndexError.invalidArgument("field '\(name)' is \(spec.type.rawValue), not \(type.rawValue)")
            }
            return (n, spec)
        }
        let new = FieldSpec(name, type)
        if type != .text {
            // A typed field must be new: text or stored-only values of it may already be in the index.
            if usedUntyped.contains(name) || fieldWasUsedBefore(n) {
                throw SearchIndexError.invalidArgument("field '\(name)' holds text or stored-only values, so it cannot take \(type.rawValue) values")
            }
        }
        manifest.schema.add(new)
        return (n, new)
    }

    /// Whether field number `n` existed in the last commit (and so may hold untyped values).
    private func fieldWasUsedBefore(_ n: Int) -> Bool { n < committedFieldCount }

    /// Adds `doc`, replacing any document with the same id (committed or not): Lucene's `updateDocument`.
    public func addDocument(_ doc: Document) throws {
        try add(doc, replacing: true)
    }

    /// Adds `doc` without deleting earlier documents with its id: Lucene's `addDocument`, for bulk loads of
    /// ids known to be new. It skips the work ``addDocument(_:)`` does to find and delete an id's earlier
    /// versions, most of it at the commit (about 0.7 s of a 1M-document load).
    ///
    /// If the id is already in the index, or is appended twice, every such document is kept and can be
    /// found, until ``deleteDocument(id:)`` or ``addDocument(_:)`` with that id removes them all.
    public func appendDocument(_ doc: Document) throws {
        try add(doc, replacing: false)
    }

    private func add(_ doc: Document, replacing: Bool) throws {
        guard lock != nil else { throw SearchIndexError.writerClosed }
        if parallel {
            // (A failed flush of an indexing thread is reported before this document is taken.)
            try install(documents.takeFlushed())
        }
        let prepared = try SegmentBuffer.prepare(doc, field: field)
        for (name, _, _) in doc.textFields where manifest.schema[name] == nil { usedUntyped.insert(name) }
        for (name, _) in doc.storedFields where manifest.schema[name] == nil { usedUntyped.insert(name) }
        if parallel {
            documents.add(prepared, replacing: replacing, fieldNames: manifest.fields)
            return
        }
        buffer.add(prepared, analyzer: documents.analyzer, replacing: replacing)
        if replacing, !segments.isEmpty { pendingDeletes[doc.id] = segments.count }   // (only once the new version is in)
        // (Never above a thread's share of the budget, so the buffer never fills here: it is handed over.)
        if buffer.bytesUsed >= Self.handOverBytes(config) {
            documents.start(with: buffer, fieldNames: manifest.fields)
            buffer = Self.ownBuffer(config)
            parallel = true
        }
    }

    /// Appends segments the indexing threads flushed, after recording that the ids each one added or
    /// deleted are deleted from the segments before it.
    private func install(_ flushed: [DocumentsWriter.FlushedBuffer]) {
        guard !flushed.isEmpty else { return }
        for f in flushed {
            if !segments.isEmpty {
                for id in f.supersededIDs { pendingDeletes[id] = max(pendingDeletes[id] ?? 0, segments.count) }
            }
            if let m = f.meta {
                for file in m.files { newFiles.insert(file) }
                segments.append(m)
            }
        }
        if config.backgroundMerges { scheduleMerges() }
    }

    /// Deletes the document with this id, if any, at the next commit.
    public func deleteDocument(id: String) throws {
        guard lock != nil else { throw SearchIndexError.writerClosed }
        if parallel { documents.delete(id: id, fieldNames: manifest.fields); return }
        if !segments.isEmpty { pendingDeletes[id] = segments.count }
        buffer.delete(id: id)
    }

    /// Drops every document; the next commit holds only what is added after this call. Throws
    /// ``SearchIndexError/writerClosed`` after ``close()``.
    public func deleteAll() throws {
        guard lock != nil else { throw SearchIndexError.writerClosed }
        documents.discardAll()
        parallel = false
        segments = []; pendingDeletes = [:]; buffer = Self.ownBuffer(config)
        manifest.schema = Schema(manifest.schema.fields.filter { declared[$0.name] != nil }.map { declared[$0.name] ?? $0 })
        committedFieldCount = 1; usedUntyped = []
    }

    /// Documents buffered and not yet flushed.
    public var bufferedDocuments: Int { buffer.docCount + (parallel ? documents.bufferedDocuments : 0) }

    /// Writes the buffered documents as new segments (not yet committed): one, or once the indexing threads
    /// took over (see ``IndexWriterConfig/threads``) one per thread that buffered documents.
    public func flush() throws {
        if parallel {
            install(try documents.flushAll(fieldNames: manifest.fields))
            parallel = false
            return
        }
        guard buffer.docCount > 0 else { return }
        let name = newSegmentName()
        let meta = try buffer.flush(name: name, directory: directory, compressionLevel: config.compressionLevel,
                                    fieldNames: manifest.fields)
        for f in meta.files { newFiles.insert(f) }
        segments.append(meta)
        buffer = Self.ownBuffer(config)
    }

    /// The next segment's name (numbers are never reused).
    private func newSegmentName() -> String {
        names.next()
    }

    /// Numbers of the indexed keyword fields (their terms are exact values; merges need them).
    private var keywordFieldNumbers: Set<Int> {
        Set(manifest.schema.fields.filter { $0.type == .keyword && $0.indexed }.compactMap { fieldNumbers[$0.name] })
    }

    private func reader(_ meta: SegmentMeta) throws -> SegmentReader {
        if let r = readers[meta.name], r.meta == meta { return r }
        let r = try SegmentReader(directory: directory, meta: meta, verify: config.verifyChecksums)
        readers[meta.name] = r
        return r
    }

    /// Marks deleted, in every segment, the older versions of the ids added or deleted since: an id pending
    /// with value `v` deletes its documents in segments `0..<v`. A segment with few candidate ids looks each
    /// up in its dictionary; one with many (a bulk load, where every later segment's ids are candidates for
    /// every earlier one) walks its id terms once instead, checking each against the pending set.
    private func applyDeletes() throws {
        guard !pendingDeletes.isEmpty else { return }
        let ctx = ReadContext()
        // candidates[i]: pending ids that apply to segment i (their value is above i).
        var above = [Int](repeating: 0, count: segments.count + 2)
        for v in pendingDeletes.values { above[min(max(v, 0), segments.count + 1)] += 1 }
        var candidates = [Int](repeating: 0, count: segments.count + 1)
        var running = above[segments.count + 1]
        for i in stride(from: segments.count, through: 0, by: -1) { candidates[i] = running; running += above[i] }
        var byKey: PendingIDKeys? = nil   // the pending ids by their id-field keys, built on first need
        for i in segments.indices where candidates[i] > 0 {
            var meta = segments[i]
            let r = try reader(meta)
            var bits = r.deleted ?? [UInt8](repeating: 0, count: (meta.docCount + 7) / 8)
            var added = 0
            func delete(_ info: TermInfo) throws {
                let c = r.cursor(info, ctx)
                while c.nextDoc() != noMoreDocs {
                    let d = Int(c.doc)
                    if bits[d >> 3] & (1 << UInt8(d & 7)) == 0 { bits[d >> 3] |= 1 << UInt8(d & 7); added += 1 }
                }
                try ctx.errors.check()
            }
            if candidates[i] * 8 > meta.docCount {
                if byKey == nil { byKey = PendingIDKeys(pendingDeletes, hashed: hashedPendingIDs) }
                guard let byKey else { continue }
                var matches: [TermInfo] = []
                var idTerms = true
                for b in 0..<r.dict.blockCount where idTerms {
                    try r.dict.scanBlock(b) { key, info in
                        guard key.first == 0 else { idTerms = false; return false }   // past the id field
                        if let v = byKey.value(idKey: key), v > i { matches.append(info) }
                        return true
                    }
                }
                for info in matches { try delete(info) }
            } else {
                for (id, v) in pendingDeletes where v > i {
                    if let info = try r.term([0] + Array(id.utf8)) { try delete(info) }
                }
            }
            guard added > 0 else { continue }
            newFiles.insert(try SegmentSerializer.writeLiveDocs(bits, added: added, into: &meta, directory: directory))
            segments[i] = meta
        }
        pendingDeletes = [:]
    }

    /// Whether ``applyDeletes()`` keys the pending ids by hash (``PendingIDKeys``); tests turn it off to take
    /// the path used when two pending ids share a hash.
    var hashedPendingIDs = true

    /// The pending ids of ``applyDeletes()``, for checking every id term of a segment against them: by a
    /// 64-bit FNV-1a hash of their UTF-8 bytes, held in one byte array, a hit confirmed by comparing the
    /// bytes. (Keyed by `[UInt8]`, one array per id hashed a byte at a time by `Hasher`, this map was a
    /// quarter of the writer thread's samples in a 1M build.) Should two pending ids share a hash, or
    /// `hashed` be false, they are keyed by their id-field keys instead.
    struct PendingIDKeys {
        private var slots: [UInt64: Int32] = [:]
        private var bytes: [UInt8] = []
        private var ends: [Int] = []
        private var values: [Int] = []
        private var byFullKey: [[UInt8]: Int]? = nil

        init(_ pending: [String: Int], hashed: Bool = true) {
            if hashed, let keys = Self.hashed(pending) { self = keys; return }
            var m: [[UInt8]: Int] = [:]
            m.reserveCapacity(pending.count)
            for (id, v) in pending { m[[0] + Array(id.utf8)] = v }
            byFullKey = m
        }

        /// The hashed keys; nil when two ids share a hash.
        private static func hashed(_ pending: [String: Int]) -> PendingIDKeys? {
            var k = PendingIDKeys(empty: ())
            k.slots.reserveCapacity(pending.count)
            k.ends.reserveCapacity(pending.count); k.values.reserveCapacity(pending.count)
            for (id, v) in pending {
                let start = k.bytes.count
                k.bytes.append(contentsOf: id.utf8)
                let h = k.bytes.withUnsafeBufferPointer { fnv1a64(UnsafeBufferPointer(rebasing: $0[start...])) }
                guard k.slots.updateValue(Int32(truncatingIfNeeded: k.values.count), forKey: h) == nil else { return nil }
                k.ends.append(k.bytes.count); k.values.append(v)
            }
            return k
        }

        private init(empty: ()) {}

        /// Whether the ids are keyed by their id-field keys (two shared a hash, or hashing was turned off).
        var isByFullKey: Bool { byFullKey != nil }

        /// The pending value of the id whose id-field key (a 0 byte, then the id) is `key`, if it is pending.
        func value(idKey key: [UInt8]) -> Int? {
            if let byFullKey { return byFullKey[key] }
            return key.withUnsafeBufferPointer { k -> Int? in
                guard k.count > 0, let i = slots[fnv1a64(UnsafeBufferPointer(rebasing: k[1...]))].map(Int.init) else { return nil }
                let start = i == 0 ? 0 : ends[i - 1], end = ends[i]
                guard end - start == k.count - 1 else { return nil }
                for j in 0..<(end - start) where bytes[start + j] != k[1 + j] { return nil }
                return values[i]
            }
        }
    }

    /// Makes everything added or deleted so far durable and visible to newly opened searchers, atomically.
    /// Fully deleted segments are dropped. Files no longer referenced are removed afterwards.
    ///
    /// Merges the policy asks for start afterwards on a background thread (``IndexWriterConfig/mergePolicy``);
    /// those finished by now are part of this commit. With `waitForMerges`, the commit first runs every
    /// merge the policy asks for (over and over, until it asks for none) and includes them.
    public func commit(userData: [String: String]? = nil, waitForMerges: Bool = false) throws {
        guard lock != nil else { throw SearchIndexError.writerClosed }
        try flush()
        try applyDeletes()
        segments.removeAll { $0.liveDocCount == 0 }
        try installFinishedMerges(reportFailures: waitForMerges || !config.backgroundMerges)
        if waitForMerges || !config.backgroundMerges {
            while true {
                mergeQueue.sync {}   // the running and queued merges are done
                try installFinishedMerges()
                scheduleMerges()
                if merges.isEmpty { break }
            }
        } else {
            scheduleMerges()
        }
        try writeCommit(userData: userData)
    }

    /// Background merges scheduled and not yet part of a commit (running, queued, or finished and waiting
    /// for the next commit), like Lucene's `hasPendingMerges`.
    public var pendingMerges: Int { merges.count }

    /// Waits for the running merges, without committing: their results are part of the next commit.
    public func waitForMerges() throws {
        guard lock != nil else { throw SearchIndexError.writerClosed }
        mergeQueue.sync {}
    }

    private func writeCommit(userData: [String: String]?) throws {
        var next = manifest
        next.generation += 1
        next.nextSegmentNumber = names.peek
        next.segments = segments
        next.analyzer = analyzer.identity
        if let userData { next.userData = userData }
        try directory.sync()   // new segment files' names are durable before the manifest names them
        try next.write(to: directory)
        manifest = next
        newFiles = []
        deleteUnreferencedFiles()
    }

    /// Merges all segments into at most `maxSegments` (the smallest first) and commits, with `userData`
    /// (nil keeps the last commit's) like ``commit(userData:)``: documents added since the last commit are
    /// committed too, so give the user data that describes them. Deleted documents are dropped, which also
    /// makes BM25 statistics exact again.
    public func forceMerge(maxSegments: Int = 1, userData: [String: String]? = nil) throws {
        guard lock != nil else { throw SearchIndexError.writerClosed }
        try flush()
        try applyDeletes()
        segments.removeAll { $0.liveDocCount == 0 }
        mergeQueue.sync {}
        try installFinishedMerges()
        let target = max(1, maxSegments)
        if segments.count > target || segments.contains(where: { $0.delCount > 0 }) {
            let n = segments.count - target + 1
            let smallest = segments.indices.sorted { segments[$0].liveDocCount < segments[$1].liveDocCount }.prefix(max(n, 1))
            try merge(Set(smallest))
        }
        try writeCommit(userData: userData)
    }

    /// Replaces the segments at `indices` by one merged segment, placed where the first of them was.
    private func merge(_ indices: Set<Int>) throws {
        let chosen = segments.indices.filter { indices.contains($0) }
        guard let first = chosen.first else { return }
        let readers = try chosen.map { try reader(segments[$0]) }
        let name = newSegmentName()
        let keywordFields = keywordFieldNumbers
        let meta = try SegmentMerger.merge(readers, fields: manifest.fields, keywordFields: keywordFields, into: name,
                                           directory: directory, compressionLevel: config.compressionLevel)
        for f in meta.files { newFiles.insert(f) }
        var next = segments
        for i in chosen.reversed() { next.remove(at: i) }
        next.insert(meta, at: min(first, next.count))
        segments = next
    }

    /// Removes files that the current commit does not reference (older commits and their segments).
    /// Readers holding older snapshots keep working: their files are memory-mapped.
    private func deleteUnreferencedFiles() {
        try? removeIndexFiles(except: manifest.referencedFiles.union(newFiles), keepSegments: Set(merges.flatMap { [$0.name] + $0.sources.map(\.name) }))
        readers = readers.filter { name, _ in segments.contains { $0.name == name } }
    }

    /// Discards uncommitted changes and releases the lock. The writer cannot be used afterwards.
    public func close() {
        if lock != nil {
            // Flushes in progress finish; their segments are uncommitted, like the others.
            documents.discardAll()
            parallel = false
            // Running merges stop at their next term; nothing they wrote is referenced.
            for m in merges { m.stop() }
            mergeQueue.sync {}
            for m in merges { directory.removeFiles(ofSegment: m.name) }
            merges = []
            // Uncommitted flushed segments are garbage; remove them.
            for f in newFiles { directory.remove(f) }
            lock?.release(); lock = nil
        }
    }
}

/// One background merge: its inputs (fixed when it was scheduled), and its result or error once done.
private final class MergeTask: @unchecked Sendable {
    let name: String
    let sources: [SegmentMeta]
    let readers: [SegmentReader]
    let fields: [String]
    let keywordFields: Set<Int>
    let directory: IndexDirectory
    let compressionLevel: Int32
    private let lock = NSLock()
    private var stopped = false
    private var done = false
    private var output: (SegmentMeta, [[Int32]])? = nil
    private var failure: Error? = nil

    init(name: String, sources: [SegmentMeta], readers: [SegmentReader], fields: [String], keywordFields: Set<Int>,
         directory: IndexDirectory, compressionLevel: Int32) {
        self.name = name; self.sources = sources; self.readers = readers; self.fields = fields
        self.keywordFields = keywordFields; self.directory = directory; self.compressionLevel = compressionLevel
    }

    /// Runs on the merge queue.
    func run() {
        do {
            let r = try SegmentMerger.mergeWithMaps(readers, fields: fields, keywordFields: keywordFields, into: name,
                                                    directory: directory, compressionLevel: compressionLevel,
                                                    shouldStop: { [self] in lock.withLock { stopped } })
            lock.withLock { output = (r.meta, r.maps); done = true }
        } catch {
            lock.withLock { failure = error; done = true }
        }
    }

    func stop() { lock.withLock { stopped = true } }
    var isDone: Bool { lock.withLock { done } }
    var result: (SegmentMeta, [[Int32]])? { lock.withLock { output } }
    var error: Error? { lock.withLock { failure } }
}
