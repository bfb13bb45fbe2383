/// Merges several segments into one new segment, dropping deleted documents.
///
/// Terms are merged in key order; for each term, every source segment's postings are copied in segment order
/// with doc ids remapped (live docs renumbered consecutively). Norms and stored documents are copied, and the
/// field statistics recomputed exactly from the postings (norm bytes are lossy, so lengths are not re-derived
/// from them).
enum SegmentMerger {
    /// Thrown when `shouldStop` says so (a background merge interrupted by ``IndexWriter/close()``).
    struct Stopped: Error {}

    /// Merges `readers` into segment `name`; returns its metadata and, per source, the map from its doc ids
    /// to the merged segment's (-1: deleted, dropped). `shouldStop` is asked between terms.
    static func merge(_ readers: [SegmentReader], fields: [String], keywordFields: Set<Int>, into name: String,
                      directory: IndexDirectory, compressionLevel: Int32, shouldStop: () -> Bool = { false }) throws -> SegmentMeta {
        try mergeWithMaps(readers, fields: fields, keywordFields: keywordFields, into: name, directory: directory,
                          compressionLevel: compressionLevel, shouldStop: shouldStop).meta
    }

    static func mergeWithMaps(_ readers: [SegmentReader], fields: [String], keywordFields: Set<Int>, into name: String,
                              directory: IndexDirectory, compressionLevel: Int32, shouldStop: () -> Bool) throws -> (meta: SegmentMeta, maps: [[Int32]]) {
        // Doc id maps: old local id -> new id, or -1 when deleted.
        var maps: [[Int32]] = []
        var next: Int32 = 0
        for r in readers {
            var m = [Int32](repeating: -1, count: r.meta.docCount)
            for d in 0..<r.meta.docCount where !r.isDeleted(Int32(d)) { m[d] = next; next += 1 }
            maps.append(m)
        }
        let docCount = Int(next)
        let out = try SegmentSerializer(name: name, docCount: docCount, directory: directory,
                                        compressionLevel: compressionLevel, fieldNames: fields, keywordFields: keywordFields)

        // Norms, remapped.
        var norms: [Int: [UInt8]] = [:]
        for (ri, r) in readers.enumerated() {
            for (f, _) in r.normOffsets {
                guard let src = r.norms(f) else { continue }
                if norms[f] == nil { norms[f] = [UInt8](repeating: 0, count: docCount) }
                for d in 0..<r.meta.docCount where maps[ri][d] >= 0 { norms[f]![Int(maps[ri][d])] = src[d] }
            }
        }
        let zeros = [UInt8](repeating: 0, count: docCount)

        // All terms of all segments, merged in order: each source's dictionary is read one block at a time
        // (holding every source's whole term list took hundreds of MB on 1M-document segments).
        var lists = [[([UInt8], TermInfo)]](repeating: [], count: readers.count)
        var nextBlock = [Int](repeating: 0, count: readers.count)
        var idx = [Int](repeating: 0, count: readers.count)
        /// Refills source `i`'s entries from its next block when it has used them up.
        func refill(_ i: Int) throws {
            while idx[i] >= lists[i].count && nextBlock[i] < readers[i].dict.blockCount {
                lists[i].removeAll(keepingCapacity: true); idx[i] = 0
                try readers[i].dict.scanBlock(nextBlock[i]) { k, t in lists[i].append((k, t)); return true }
                nextBlock[i] += 1
            }
        }
        for i in readers.indices { try refill(i) }
        let ctx = ReadContext()
        var docs: [UInt32] = [], freqs: [UInt32] = [], positions: [UInt32] = []
        while true {
            var minKey: [UInt8]? = nil
            for i in lists.indices where idx[i] < lists[i].count {
                let k = lists[i][idx[i]].0
                if minKey == nil || k.lexicographicallyPrecedes(minKey!) { minKey = k }
            }
            guard let key = minKey else { break }
            if shouldStop() { throw Stopped() }
            docs.removeAll(keepingCapacity: true); freqs.removeAll(keepingCapacity: true); positions.removeAll(keepingCapacity: true)
            for i in lists.indices where idx[i] < lists[i].count && lists[i][idx[i]].0 == key {
                let c = readers[i].cursor(lists[i][idx[i]].1, ctx)
                while c.nextDoc() != noMoreDocs {
                    let nd = maps[i][Int(c.doc)]
                    guard nd >= 0 else { continue }
                    docs.append(UInt32(nd)); freqs.append(c.freq)
                    positions.append(contentsOf: c.positions())
                }
                if let e = ctx.errors.first { throw e }
                idx[i] += 1
                try refill(i)
            }
            guard !docs.isEmpty else { continue }
            let field = Int(key[0])
            let nrm = norms[field] ?? zeros
            try docs.withUnsafeBufferPointer { d in try freqs.withUnsafeBufferPointer { f in
                try positions.withUnsafeBufferPointer { p in try nrm.withUnsafeBufferPointer { n in
                    try out.addTerm(key: key, docs: d, freqs: f, positions: p, norms: n) } } } }
        }
        try out.finishPostings()
        try out.writeNorms(norms.keys.sorted().filter { $0 > 0 }.compactMap { f in norms[f].map { (f, $0) } })

        var enc = ByteWriter()
        for (ri, r) in readers.enumerated() {
            for d in 0..<r.meta.docCount where maps[ri][d] >= 0 {
                let doc = try r.stored.document(d, fieldCount: fields.count, cache: ctx.storedCache)
                enc.removeAll()
                StoredFieldsWriter.encode(id: doc.id, fields: doc.fields, into: &enc)
                try out.addStored(encoded: enc.bytes[...])
            }
        }
        try out.writeColumns(try mergeColumns(readers, maps: maps, docCount: docCount, ctx: ctx))
        return (try out.finish(), maps)
    }

    /// Every column of the sources, for the merged documents: keyword dictionaries united, ordinals remapped.
    private static func mergeColumns(_ readers: [SegmentReader], maps: [[Int32]], docCount: Int, ctx: ReadContext) throws -> [ColumnData] {
        var kinds: [Int: Bool] = [:]
        for r in readers { for (f, c) in r.columns { kinds[f] = c.isKeyword } }
        var out: [ColumnData] = []
        for (f, isKeyword) in kinds.sorted(by: { $0.key < $1.key }) {
            var data = ColumnData(field: f, isKeyword: isKeyword)
            // Per source: its ordinal -> the merged dictionary's ordinal.
            var remap: [[Int64]] = Array(repeating: [], count: readers.count)
            if isKeyword {
                var all = Set<[UInt8]>()
                for r in readers { if let c = r.columns[f] { for o in 0..<c.termCount { all.insert(Array(c.termBytes(o))) } } }
                data.terms = all.sorted { $0.lexicographicallyPrecedes($1) }
                var ordinal: [[UInt8]: Int64] = [:]
                for (i, t) in data.terms.enumerated() { ordinal[t] = Int64(i) }
                for (ri, r) in readers.enumerated() {
                    if let c = r.columns[f] { remap[ri] = (0..<c.termCount).map { ordinal[Array(c.termBytes($0))] ?? 0 } }
                }
            }
            for (ri, r) in readers.enumerated() {
                guard let c = r.columns[f] else {
                    for d in 0..<r.meta.docCount where maps[ri][d] >= 0 { data.append(EmptyCollection<Int64>()) }
                    continue
                }
                guard c.isKeyword == isKeyword else {
                    throw SearchIndexError.corruptIndex(file: c.file.name, reason: "column of field \(f) is of another kind than in the other segments")
                }
                var cursor = ColumnCursor(c, ctx)
                for d in 0..<r.meta.docCount where maps[ri][d] >= 0 {
                    let range = cursor.range(Int32(d))
                    if isKeyword { data.append(range.map { remap[ri][Int(cursor.value($0))] }) }
                    else { data.append(range.map { cursor.value($0) }) }
                }
                try ctx.errors.check()
            }
            out.append(data)
        }
        return out
    }
}
