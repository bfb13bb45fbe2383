/// What an index's latest commit holds on disk: bytes per file kind, and how much of the postings is
/// deflated. See ``indexStats(path:)``.
public struct IndexStats: Sendable {
    /// How one postings file's bytes split between deflated payloads, raw payloads and the rest.
    public struct Compression: Sendable {
        /// Bytes of the file(s), envelopes included.
        public var fileBytes: Int = 0
        /// Bytes of payloads stored deflated (zlib).
        public var deflatedBytes: Int = 0
        /// Bytes of block payloads stored raw because deflate could not make them smaller.
        public var rawPayloadBytes: Int = 0
        /// The rest: skip tables (postings), the raw inline positions of single-document terms (positions),
        /// file envelopes. Read without inflating anything.
        public var otherBytes: Int { fileBytes - deflatedBytes - rawPayloadBytes }
        /// The share of the bytes that is deflated, 0 to 1.
        public var deflatedShare: Double { fileBytes > 0 ? Double(deflatedBytes) / Double(fileBytes) : 0 }

        static func + (a: Compression, b: Compression) -> Compression {
            Compression(fileBytes: a.fileBytes + b.fileBytes, deflatedBytes: a.deflatedBytes + b.deflatedBytes,
                        rawPayloadBytes: a.rawPayloadBytes + b.rawPayloadBytes)
        }
    }

    /// The generation of the commit that was measured.
    public var generation: Int
    /// Bytes of the commit's files, by kind (envelopes included).
    public var bytesByKind: [IndexFileKind: Int] = [:]
    /// The postings files (``IndexFileKind/postings``: doc ids, frequencies, skip tables).
    public var postings = Compression()
    /// The positions files (``IndexFileKind/positions``).
    public var positions = Compression()
    /// Postings and positions together.
    public var allPostings: Compression { postings + positions }
    /// Total bytes of the commit's files.
    public var totalBytes: Int { bytesByKind.values.reduce(0, +) }
}

/// Measures the latest commit at `path`: reads every term's skip table (without inflating a block) to
/// split the postings and positions bytes into deflated payloads, raw payloads and the rest.
public func indexStats(path: String) throws -> IndexStats {
    let dir = IndexDirectory(path: path)
    let (m, segs) = try openLatestCommit(dir, verify: false)
    var s = IndexStats(generation: m.generation)
    for f in m.referencedFiles {
        guard let kind = IndexFileKind(fileName: f) else { continue }
        s.bytesByKind[kind, default: 0] += dir.size(of: f)
    }
    for seg in segs {
        s.postings.fileBytes += seg.docFile.size
        s.positions.fileBytes += seg.posFile.size
        // (A pack is shared by consecutive terms: counted at its first member.)
        var lastDocPack = -1, lastPosPack = -1
        for b in 0..<seg.dict.blockCount {
            var failure: Error? = nil
            try seg.dict.scanBlock(b) { _, info in
                guard info.singletonDoc < 0 else { return true }
                do {
                    let t = try SkipTable.read(docFreq: info.docFreq, docFile: seg.docFile.body, docOffset: info.docOffset,
                                               posFile: seg.posFile.body, posOffset: info.posOffset,
                                               docCount: seg.meta.docCount, fileName: seg.docFile.name)
                    for (k, e) in t.entries.enumerated() where k % PostingsFormat.docGroup == 0 {   // (a group counts once)
                        if !e.docPacked || e.docStart != lastDocPack {
                            if e.docRaw > 0 { s.postings.deflatedBytes += e.docStored } else { s.postings.rawPayloadBytes += e.docStored }
                            if e.docPacked { lastDocPack = e.docStart }
                        }
                        guard k % PostingsFormat.group == 0, !e.posPacked || e.posStart != lastPosPack else { continue }
                        if e.posRaw > 0 { s.positions.deflatedBytes += e.posStored } else { s.positions.rawPayloadBytes += e.posStored }
                        if e.posPacked { lastPosPack = e.posStart }
                    }
                    return true
                } catch { failure = error; return false }
            }
            if let failure { throw failure }
        }
    }
    return s
}
