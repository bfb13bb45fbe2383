import ArgumentParser
import Foundation
import SearchIndex

/// `search stats`: what the index holds.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Show documents, segments, terms and bytes per file kind.")
    @OptionGroup var location: IndexOption

    func run() throws {
        let searcher = try Searcher(path: location.path, verifyChecksums: false)
        let m = searcher.manifest
        let stats = try indexStats(path: location.path)
        var out = "index: \(location.path) (generation \(m.generation))\n"
        out += "documents: \(searcher.documentCount)"
        let deleted = m.segments.reduce(0) { $0 + $1.delCount }
        if deleted > 0 { out += " (+\(deleted) deleted, not yet merged away)" }
        out += "\nsegments: \(m.segments.count)\n"
        for f in searcher.textFields {
            guard let n = m.fields.firstIndex(of: f) else { continue }
            let terms = m.segments.reduce(0) { $0 + ($1.fieldStats.first { $0.field == n }?.termCount ?? 0) }
            let docs = m.segments.reduce(0) { $0 + ($1.fieldStats.first { $0.field == n }?.docsWithField ?? 0) }
            let tokens = m.segments.reduce(0) { $0 + ($1.fieldStats.first { $0.field == n }?.sumTotalTermFreq ?? 0) }
            out += "field \(f): \(terms) terms, \(docs) documents, \(tokens) tokens\n"
        }
        let typed = m.schema.fields.filter { $0.type != .text }
        if !typed.isEmpty {
            out += "schema (typed fields):\n"
            for f in typed { out += "  \(f.name): \(f.summary)\n" }
        }
        out += "analyzer: \(m.analyzer)\n"
        if let src = m.userData["source"] { out += "source: \(src)\n" }
        if let at = m.userData["indexed_at"] { out += "indexed at: \(at)\n" }
        let total = stats.totalBytes
        out += "bytes: \(total) (\(Terminal.bytes(total)))\n"
        for (k, v) in stats.bytesByKind.sorted(by: { $0.value > $1.value }) {
            out += "  \(k.summary): \(v) (\(Terminal.bytes(v)))\n"
        }
        func share(_ c: IndexStats.Compression, _ name: String) -> String {
            func pct(_ n: Int) -> String { String(format: "%.1f%%", c.fileBytes > 0 ? 100 * Double(n) / Double(c.fileBytes) : 0) }
            return "  \(name): \(pct(c.deflatedBytes)) deflated, \(pct(c.rawPayloadBytes)) raw blocks (deflate could not shrink them), \(pct(c.otherBytes)) other\n"
        }
        out += "compression (share of bytes):\n"
        out += share(stats.allPostings, "postings + positions")
        out += share(stats.postings, "postings")
        out += share(stats.positions, "positions")
        out += "  (other: skip tables, raw inline positions of single-document terms, file envelopes)\n"
        print(out, terminator: "")
    }
}

/// `search check`: verifies every checksum and structure.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify every file's checksum and decode every structure; exit 1 naming the damaged file.")
    @OptionGroup var location: IndexOption

    func run() throws {
        let r = try checkIndex(path: location.path)
        print("ok: generation \(r.generation), \(r.segments) segments, \(r.documents) documents, \(r.terms) terms, \(r.postings) postings, \(r.filesChecked.count) files verified")
        if !r.unreferencedFiles.isEmpty {
            print("unreferenced files (left by an interrupted writer; the next writer removes them): \(r.unreferencedFiles.joined(separator: " "))")
        }
    }
}
