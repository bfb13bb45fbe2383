/// What ``checkIndex(path:)`` found.
public struct CheckReport: Sendable {
    public var generation: Int
    public var segments: Int
    public var documents: Int
    public var terms: Int
    public var postings: Int
    public var filesChecked: [String]
}

/// Verifies a whole index: every file's envelope and CRC-32, and every structure decoded end to end (all
/// terms in order, all postings blocks and positions, all norms and stored documents). Throws
/// ``SearchIndexError/corruptIndex(file:reason:)`` naming the first damaged file.
public func checkIndex(path: String) throws -> CheckReport {
    let dir = IndexDirectory(path: path)
    let m = try Manifest.readLatest(from: dir, verify: true)
    var report = CheckReport(generation: m.generation, segments: m.segments.count, documents: 0, terms: 0, postings: 0,
                             filesChecked: [Manifest.fileName(m.generation)])
    for meta in m.segments {
        let seg = try SegmentReader(directory: dir, meta: meta, verify: true)
        report.filesChecked += meta.files
        let ctx = QueryContext()
        var prev: [UInt8]? = nil
        var count = 0
        var failure: Error?
        for b in 0..<seg.dict.blockCount {
            try seg.dict.scanBlock(b) { key, info in
                if let p = prev, !p.lexicographicallyPrecedes(key) {
                    failure = SearchIndexError.corruptIndex(file: seg.dict.file.name, reason: "terms out of order in block \(b)"); return false
                }
                prev = key; count += 1
                let c = seg.cursor(info, ctx)
                var n = 0, last: Int32 = -1, ttf = 0
                while c.nextDoc() != noMoreDocs {
                    if c.doc <= last || Int(c.doc) >= meta.docCount {
                        failure = SearchIndexError.corruptIndex(file: seg.docFile.name, reason: "doc id \(c.doc) out of order or range"); return false
                    }
                    last = c.doc; n += 1; ttf += Int(c.freq)
                    _ = c.positions()
                }
                if ctx.errors.first != nil { return false }
                if n != info.docFreq || ttf != info.totalTermFreq {
                    failure = SearchIndexError.corruptIndex(file: seg.docFile.name, reason: "term has \(n) docs / \(ttf) positions, dictionary says \(info.docFreq) / \(info.totalTermFreq)"); return false
                }
                report.postings += n
                return true
            }
            if let e = ctx.errors.first { throw e }
            if let failure { throw failure }
        }
        guard count == seg.dict.termCount else {
            throw SearchIndexError.corruptIndex(file: seg.dict.file.name, reason: "\(count) terms found, trailer says \(seg.dict.termCount)")
        }
        report.terms += count
        for d in 0..<meta.docCount { _ = try seg.stored.document(d, names: m.fields, cache: ctx.storedCache) }
        report.documents += meta.liveDocCount
    }
    return report
}
