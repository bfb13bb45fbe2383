/// The scratch state one thread needs to decode a segment's files: an inflater, a cache of the last
/// inflated stored-fields chunk, and the sink for decode errors. Segment readers are immutable and shared;
/// each query (or merge, or check) brings its own `ReadContext`. Not thread-safe.
final class ReadContext {
    /// Inflates postings and positions blocks.
    let inflater = Inflater()
    /// Decode errors met by cursors, which do not throw on their hot paths.
    let errors = DecodeErrors()
    /// The last stored-fields chunk inflated (hits of one query often share a chunk).
    lazy var storedCache = StoredChunkCache(inflater: Inflater())
    /// The searcher's cache of decoded postings blocks, shared by its queries; nil for merges and checks,
    /// which read each block once.
    let blockCache: PostingsBlockCache?

    init(blockCache: PostingsBlockCache? = nil) { self.blockCache = blockCache }
}

/// Collects the first decode error met while postings are read, so hot loops need not throw: the cursor
/// that meets damage ends (`doc == noMoreDocs`) and records it here, and whoever drives the cursors (the
/// searcher, the merger, `check`) rethrows it when they are done.
final class DecodeErrors {
    /// The first error recorded, if any.
    private(set) var first: SearchIndexError?
    /// Records `e` unless an error was recorded before.
    func record(_ e: Error) {
        if first == nil { first = (e as? SearchIndexError) ?? .corruptIndex(file: "?", reason: "\(e)") }
    }
    /// Throws the first recorded error, if any.
    func check() throws { if let first { throw first } }
}
