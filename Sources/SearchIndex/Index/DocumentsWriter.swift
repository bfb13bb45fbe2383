import Foundation

/// Parallel indexing, after Lucene's DocumentsWriterPerThread: each of ``IndexWriterConfig/threads``
/// indexing threads (1 included) owns a ``SegmentBuffer``, inverts the documents routed to it and flushes
/// its buffer into a segment when the buffer is full, while the other threads go on.
///
/// The writer's thread only checks documents and numbers their fields (``SegmentBuffer/prepare(_:field:)``),
/// so errors still reach the caller of `addDocument`, and hands them over in small batches. A document goes
/// to the thread chosen by a hash of its id (the same for every run), so every version of an id, and its
/// deletions, are handled by one thread in the order they were made: replacing within a buffer works as with
/// one thread, and the ids a flushed buffer added or deleted are deleted from every segment flushed before it
/// (``FlushedBuffer/supersededIDs``), which is exact because no other thread's segment holds those ids.
///
/// A full buffer is written on a flush queue while its thread goes on inverting into a new one (as Lucene's
/// flushing DWPTs), so a flush does not stall the pipeline: documents are routed by id, so a thread that
/// flushed in place would soon hold up the writer's thread, and with it every other thread. Each thread has
/// at most one buffer being written (it waits for it before writing the next, so its segments stay in
/// order), so memory stays bounded: the filling buffers share ``IndexWriterConfig/ramBufferMB``, and as much
/// again may be being written beside them, as Lucene counts flushing DWPTs apart from its RAM buffer.
/// (Sizing the buffers so that the ones being written fit the budget too made a third more segments at 1M
/// documents, and the extra merges cost more than the overlap saved.)
///
/// Flushed segments are handed back in rounds (each thread's first segment, in thread order, then each
/// one's second, …), so for one thread count the segment order, and so the order of equal scores, does not
/// depend on timing. The segments themselves differ between thread counts: hits and scores do not, but the
/// order among equal scores may (see the README's limits).
final class DocumentsWriter: @unchecked Sendable {
    /// What a thread's buffer became: a segment (nil when the buffer held deletions only), and the ids to
    /// delete from every earlier segment.
    struct FlushedBuffer {
        var meta: SegmentMeta?
        var supersededIDs: [String]
    }

    private enum Operation: Sendable {
        case add(PreparedDocument)      // replacing earlier documents with its id
        case append(PreparedDocument)   // keeping them
        case delete(String)
    }

    /// One indexing thread: its serial queue, its buffer (touched only on that queue), the operations the
    /// writer has not handed over yet (touched only on the writer's thread) and the buffers it flushed.
    private final class Worker: @unchecked Sendable {
        let queue: DispatchQueue
        /// Batches handed over and not yet inverted, at most `maxInFlight`, so the writer's thread cannot run
        /// ahead and hold many documents.
        let slots: DispatchSemaphore
        var pending: [Operation] = []
        var buffer: SegmentBuffer
        /// The zlib level of its buffers' stored fields.
        let level: Int32
        /// Older buffers to write before `buffer`: one handed over by the writer, or one whose flush failed.
        var older: [SegmentBuffer] = []
        private let lock = NSLock()
        private var done: [FlushedBuffer] = []
        private var failure: Error? = nil
        /// This thread's buffer being written on the flush queue, if any (entered while it runs).
        let flushing = DispatchGroup()
        /// A buffer whose background write failed, to be retried first (set on the flush queue, taken on this
        /// thread's queue after waiting for `flushing`).
        private var failedBuffer: SegmentBuffer? = nil

        func setFailedBuffer(_ b: SegmentBuffer) { lock.withLock { failedBuffer = b } }
        func takeFailedBuffer() -> SegmentBuffer? { lock.withLock { defer { failedBuffer = nil }; return failedBuffer } }
        var failedBufferDocuments: Int { lock.withLock { failedBuffer?.docCount ?? 0 } }

        /// Memory for its buffers' postings arenas (shared by the threads).
        let pool: ArenaPool

        /// The size at which its buffers are flushed.
        let flushBytes: Int

        init(index: Int, maxInFlight: Int, level: Int32, pool: ArenaPool, flushBytes: Int) {
            self.level = level; self.pool = pool; self.flushBytes = flushBytes
            buffer = SegmentBuffer(compressionLevel: level, pool: pool, flushBytes: flushBytes)
            queue = DispatchQueue(label: "SearchIndex.DocumentsWriter.\(index)")
            slots = DispatchSemaphore(value: maxInFlight)
        }

        /// An empty buffer for this thread.
        func newBuffer() -> SegmentBuffer { SegmentBuffer(compressionLevel: level, pool: pool, flushBytes: flushBytes) }

        func finished(_ f: FlushedBuffer) { lock.withLock { done.append(f) } }
        func failed(_ e: Error) { lock.withLock { if failure == nil { failure = e } } }
        var finishedCount: Int { lock.withLock { done.count } }
        func takeFirst() -> FlushedBuffer? { lock.withLock { done.isEmpty ? nil : done.removeFirst() } }
        func takeFailure() -> Error? { lock.withLock { defer { failure = nil }; return failure } }
        func takeAll() -> [FlushedBuffer] { lock.withLock { defer { done = [] }; return done } }
    }

    private let workers: [Worker]
    /// Arenas of written buffers, for the next buffers (freed after every ``flushAll(fieldNames:)``).
    private let arenas: ArenaPool
    /// The writer's analyzer, resolved once (see ``ResolvedAnalyzer``).
    let analyzer: ResolvedAnalyzer
    private let directory: IndexDirectory
    private let compressionLevel: Int32
    private let bytesPerBuffer: Int
    private let names: SegmentNamer
    /// Writes full buffers in the background; `flushSlot` allows one per thread at a time.
    private let flushQueue = DispatchQueue(label: "SearchIndex.DocumentsWriter.flush", attributes: .concurrent)
    private let flushSlot: DispatchSemaphore
    /// Operations per batch handed to a thread. Each batch is a dispatch to the thread's queue, which
    /// often has to wake it: with 32, indexing 1M synthetic documents on 2 threads took about 37,000
    /// context switches, with 256 about 10,000 (and 1-4 s less system CPU on a busy machine).
    static let batchSize = 256

    /// - Parameter ramBufferBytes: for all threads together; each buffer flushes at its share (and each
    ///   thread may have one full buffer being written beside it).
    init(threads: Int, analyzer: Analyzer, directory: IndexDirectory, compressionLevel: Int32, ramBufferBytes: Int,
         names: SegmentNamer) {
        let pool = ArenaPool(limit: max(1, threads))
        arenas = pool
        let perBuffer = max(1 << 16, ramBufferBytes / max(1, threads))
        bytesPerBuffer = perBuffer
        workers = (0..<max(1, threads)).map { Worker(index: $0, maxInFlight: 4, level: compressionLevel, pool: pool, flushBytes: perBuffer) }
        self.analyzer = ResolvedAnalyzer(analyzer); self.directory = directory; self.compressionLevel = compressionLevel
        flushSlot = DispatchSemaphore(value: max(1, threads))
        self.names = names
    }

    /// The thread of id `id`: FNV-1a of its UTF-8 bytes (Swift's `Hasher` is seeded per process).
    private func worker(for id: String) -> Worker {
        let h = fnv1a64(id.utf8)
        return workers[Int((h ^ (h >> 32)) % UInt64(workers.count))]
    }

    /// Queues a prepared document; `fieldNames` are the writer's fields now (every field it uses among them).
    func add(_ doc: PreparedDocument, replacing: Bool, fieldNames: [String]) {
        let w = worker(for: doc.doc.id)
        w.pending.append(replacing ? .add(doc) : .append(doc))
        if w.pending.count >= Self.batchSize { handOver(w, fieldNames: fieldNames) }
    }

    /// Queues the deletion of id `id` (buffered or flushed before).
    func delete(id: String, fieldNames: [String]) {
        let w = worker(for: id)
        w.pending.append(.delete(id))
        if w.pending.count >= Self.batchSize { handOver(w, fieldNames: fieldNames) }
    }

    /// Hands `w`'s pending operations to its thread, which inverts them and flushes its buffer when full (or
    /// when `flush` asks).
    private func handOver(_ w: Worker, fieldNames: [String], flush: Bool = false) {
        let ops = w.pending
        w.pending = []
        w.pending.reserveCapacity(Self.batchSize)   // (one allocation per batch, not one per doubling)
        w.slots.wait()
        let analyzer = analyzer, limit = bytesPerBuffer
        w.queue.async { [self] in
            defer { w.slots.signal() }
            for op in ops {
                switch op {
                case let .add(d): w.buffer.add(d, analyzer: analyzer)
                case let .append(d): w.buffer.add(d, analyzer: analyzer, replacing: false)
                case let .delete(id): w.buffer.delete(id: id)
                }
            }
            if flush || w.buffer.bytesUsed >= limit { flushBuffer(w, fieldNames: fieldNames, always: flush) }
        }
    }

    /// Makes `buffer` (filled on the writer's thread) the first segment the first thread writes, before
    /// anything it buffers itself: the writer inverts on its own thread until it has buffered a little, so
    /// small commits stay one segment, and then hands that buffer over and goes parallel. With one thread,
    /// which gets every document anyway, the thread goes on filling `buffer` itself (so where segments
    /// end does not depend on when the writer handed over).
    func start(with buffer: SegmentBuffer, fieldNames: [String]) {
        let w = workers[0]
        w.slots.wait()
        w.queue.async { [self] in
            defer { w.slots.signal() }
            if workers.count == 1 && w.buffer.docCount == 0 && w.buffer.supersededIDs.isEmpty {
                w.buffer = buffer
                return
            }
            w.older.append(buffer)
            _ = writeOlder(w, fieldNames: fieldNames)
        }
    }

    /// On `w`'s thread: waits for its buffer being written in the background, then writes its older buffers
    /// (first one whose background write failed), in order, while they succeed. Returns false if one failed.
    private func writeOlder(_ w: Worker, fieldNames: [String]) -> Bool {
        w.flushing.wait()
        if let failed = w.takeFailedBuffer() { w.older.insert(failed, at: 0) }
        while let b = w.older.first {
            guard write(b, w, fieldNames: fieldNames) else { return false }
            w.older.removeFirst()
        }
        return true
    }

    /// On `w`'s thread: writes `b` as a segment (or, holding only deletions, as none), reporting the result
    /// or the error (then nothing of the failed segment is left). Returns whether it succeeded.
    private func write(_ b: SegmentBuffer, _ w: Worker, fieldNames: [String]) -> Bool {
        guard b.docCount > 0 else {
            let ids = b.supersededIDs
            if !ids.isEmpty { w.finished(FlushedBuffer(meta: nil, supersededIDs: ids)) }
            return true
        }
        let name = names.next()
        do {
            let meta = try b.flush(name: name, directory: directory, compressionLevel: compressionLevel, fieldNames: fieldNames)
            w.finished(FlushedBuffer(meta: meta, supersededIDs: b.supersededIDs))
            return true
        } catch {
            directory.removeFiles(ofSegment: name)
            w.failed(error)
            return false
        }
    }

    /// On `w`'s thread: writes its buffer as a segment (after any older one) and starts a new buffer. A
    /// failed flush keeps the buffer for the next flush to retry, and reports the error. Without `always`, a
    /// buffer holding only deletions waits.
    private func flushBuffer(_ w: Worker, fieldNames: [String], always: Bool) {
        guard writeOlder(w, fieldNames: fieldNames) else { return }
        let b = w.buffer
        guard always || b.docCount > 0 else { return }
        w.buffer = w.newBuffer()
        // In the background (then this thread goes on with its new buffer; `writeOlder` above waited for its
        // previous one), unless every slot is taken. A commit's flush (`always`) is written here: the commit
        // waits for it anyway.
        if !always && b.docCount > 0 && flushSlot.wait(timeout: .now()) == .success {
            w.flushing.enter()
            flushQueue.async { [self] in
                if !write(b, w, fieldNames: fieldNames) { w.setFailedBuffer(b) }
                flushSlot.signal()
                w.flushing.leave()
            }
            return
        }
        if !write(b, w, fieldNames: fieldNames) { w.older.append(b) }
    }

    /// The buffers flushed so far whose round is complete (every thread flushed that many), in round order;
    /// with `everything` (only once every thread is idle: `flushAll`), all of them. Throws the first flush
    /// error, taking every thread's at once: each failed buffer is kept and written again by its thread's
    /// next flush, so one failure (a full disk, say) is reported once, not again later by another thread.
    /// With `everything`, an error whose buffer has since been written (a background write that failed and
    /// that this flush retried) holds nothing back and is not thrown.
    func takeFlushed(everything: Bool = false) throws -> [FlushedBuffer] {
        var firstError: Error? = nil
        for w in workers { if let e = w.takeFailure(), firstError == nil { firstError = e } }
        if let firstError {
            if !everything || workers.contains(where: { !$0.older.isEmpty || $0.failedBufferDocuments > 0 }) { throw firstError }
        }
        var out: [FlushedBuffer] = []
        if everything {
            let all = workers.map { $0.takeAll() }
            for round in 0..<(all.map(\.count).max() ?? 0) {
                for list in all where round < list.count { out.append(list[round]) }
            }
        } else {
            // (Called for every document: no allocation unless a round is complete.)
            var rounds = Int.max
            for w in workers { rounds = min(rounds, w.finishedCount) }
            for _ in 0..<rounds { for w in workers { if let f = w.takeFirst() { out.append(f) } } }
        }
        return out
    }

    /// Flushes every thread's buffer (also one holding only deletions), waits for them, and returns every
    /// flushed buffer not taken yet, in round order.
    func flushAll(fieldNames: [String]) throws -> [FlushedBuffer] {
        for w in workers { handOver(w, fieldNames: fieldNames, flush: true) }
        for w in workers { w.queue.sync {}; w.flushing.wait() }
        arenas.drain()
        return try takeFlushed(everything: true)
    }

    /// Waits for the threads, then drops what they buffered and the segments they flushed that were not
    /// taken (their files are removed).
    func discardAll() {
        for w in workers { w.pending = [] }
        for w in workers {
            w.queue.sync {}
            w.flushing.wait()
            _ = w.takeFailedBuffer()
            w.buffer = w.newBuffer(); w.older = []
            _ = w.takeFailure()
            for f in w.takeAll() { if let m = f.meta { directory.removeFiles(ofSegment: m.name) } }
        }
    }

    /// Documents buffered by the threads and not yet flushed (waits for the threads).
    var bufferedDocuments: Int {
        workers.reduce(0) { n, w in
            w.queue.sync {}
            w.flushing.wait()
            return n + w.failedBufferDocuments + w.buffer.docCount + w.older.reduce(0) { $0 + $1.docCount } + w.pending.reduce(0) { if case .delete = $1 { return $0 } else { return $0 + 1 } }
        }
    }
}

/// Hands out segment names (`_1`, `_2`, …; never reused) to the writer and its indexing threads.
final class SegmentNamer: @unchecked Sendable {
    private let lock = NSLock()
    private var nextNumber: Int

    init(next: Int) { nextNumber = next }

    /// The next name.
    func next() -> String {
        lock.withLock { defer { nextNumber += 1 }; return IndexFileKind.segmentName(nextNumber) }
    }

    /// The number the next name will have.
    var peek: Int { lock.withLock { nextNumber } }
}

/// 64-bit FNV-1a of `bytes`: a hash that is the same in every process (Swift's `Hasher` is seeded per
/// process), for routing ids to indexing threads and keying pending ids.
@inline(__always) func fnv1a64<S: Sequence>(_ bytes: S) -> UInt64 where S.Element == UInt8 {
    var h: UInt64 = 0xcbf29ce484222325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100000001b3 }
    return h
}
