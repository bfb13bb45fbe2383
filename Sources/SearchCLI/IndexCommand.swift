import ArgumentParser
import Foundation
import SearchIndex
import SearchIngest

/// `search index <folder>`: (re)builds the index from a folder, atomically.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Index a folder of articles (.txt .md .html .json .jsonl .csv), replacing the index's contents.",
        discussion: """
        The new index becomes visible only when it is complete: an interrupted run leaves the previous index
        intact. Running it again on the same folder never duplicates documents.
        JSON and CSV: the id comes from id/_id/article_id (else path#row), the title from title, the body from
        body/text/content; other fields are stored and shown with hits.
        """)

    @OptionGroup var location: IndexOption
    @Argument(help: "The folder to index (searched recursively).") var folder: String
    @Option(help: "JSON/CSV field holding the document id.") var idField: String?
    @Option(help: "JSON/CSV field holding the title.") var titleField: String?
    @Option(help: "JSON/CSV field(s) holding the body, comma-separated.") var bodyField: String?
    @Option(help: "Snowball stemmer (english, porter, french, …) or none.") var stemmer = "english"
    @Option(help: "Stopwords: none or english (Lucene's 33).") var stopwords = "none"
    @Flag(help: "Keep diacritics (é stays distinct from e).") var noFold = false
    @Option(help: "Writer RAM buffer in MiB before a segment is flushed.") var ramMb = 128
    @Flag(name: .shortAndLong, help: "List every skipped file and record.") var verbose = false

    func run() throws {
        let root = URL(fileURLWithPath: folder)
        var opts = IngestOptions()
        opts.idField = idField; opts.titleField = titleField
        opts.bodyFields = bodyField.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        let walker = try CorpusWalker(root: root, options: opts)
        guard stopwords == "none" || stopwords == "english" else { throw CLIError.input("--stopwords must be none or english") }
        let analyzer = try StandardAnalyzer(stemmer: stemmer == "none" ? nil : stemmer,
                                            stopwords: stopwords == "english" ? StandardAnalyzer.englishStopwords : [],
                                            foldDiacritics: !noFold)
        let totalBytes = Self.supportedBytes(root)
        let writer = try IndexWriter(path: location.path, analyzer: analyzer,
                                     config: IndexWriterConfig(ramBufferMB: ramMb), create: true)
        defer { writer.close() }
        let progress = Progress(totalBytes: totalBytes)
        var ids = Set<String>()
        var duplicates = 0
        var issues: [IngestIssue] = []
        let start = Date()
        let summary = try walker.forEach({ d in
            if !ids.insert(d.id).inserted { duplicates += 1 }
            try writer.addDocument(d.indexDocument())
            progress.update(docs: ids.count, bytes: d.title.utf8.count + d.body.utf8.count)
        }, onIssue: { issue in
            issues.append(issue)
            if verbose || issues.count <= 20 { progress.clearLine(); Terminal.note("  \(issue.kind == .warning ? "warning" : "skipped") \(issue)") }
        })
        if issues.count > 20 && !verbose { Terminal.note("  … \(issues.count - 20) more issues (use --verbose to list all)") }
        guard summary.documents > 0 else {
            throw CLIError.input("no documents found in \(folder) (\(summary.filesSeen) files; supported: .txt .md .html .htm .json .jsonl .csv .tsv); the existing index was left unchanged")
        }
        try writer.commit(userData: ["source": root.standardizedFileURL.path, "indexed_at": ISO8601DateFormatter().string(from: Date())])
        progress.finish()
        let seconds = Date().timeIntervalSince(start)
        let m = writer.lastCommit
        let dir = IndexDirectory(path: location.path)
        let bytes = m.referencedFiles.reduce(0) { $0 + dir.size(of: $1) }
        let terms = m.segments.reduce(0) { $0 + $1.fieldStats.reduce(0) { $0 + $1.termCount } }
        var lines = [
            "indexed \(m.segments.reduce(0) { $0 + $1.liveDocCount }) documents from \(summary.filesIndexed) files into \(location.path)",
            "  skipped: \(summary.filesSkipped) files, \(summary.recordsSkipped) records; unsupported files: \(summary.filesUnsupported)",
            "  terms: \(terms), segments: \(m.segments.count), index size: \(Terminal.bytes(bytes))",
            String(format: "  time: %.2f s, %.0f docs/s", seconds, Double(ids.count) / max(seconds, 1e-9)),
        ]
        if duplicates > 0 { lines.insert("  \(duplicates) documents had an id seen before; the last one was kept", at: 2) }
        print(lines.joined(separator: "\n"))
    }

    /// Total size of the files the walker may read, for the ETA.
    static func supportedBytes(_ root: URL) -> Int {
        let exts: Set<String> = ["txt", "md", "markdown", "html", "htm", "json", "jsonl", "ndjson", "csv", "tsv"]
        guard let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.fileSizeKey]) else { return 0 }
        var total = 0
        for case let u as URL in e where exts.contains(u.pathExtension.lowercased()) {
            total += (try? u.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0) ?? 0
        }
        return total
    }
}

/// Progress on stderr: a redrawn bar on a terminal, a plain line every few seconds otherwise.
final class Progress {
    let totalBytes: Int
    let tty = Terminal.stderrIsTTY
    let start = Date()
    var bytes = 0
    var docs = 0
    lazy var last = tty ? Date.distantPast : start
    var drawn = false

    init(totalBytes: Int) { self.totalBytes = totalBytes }

    func update(docs: Int, bytes b: Int) {
        self.docs = docs; bytes += b
        let now = Date()
        guard now.timeIntervalSince(last) >= (tty ? 0.1 : 5) else { return }
        last = now
        draw(now)
    }

    private func draw(_ now: Date) {
        let t = max(now.timeIntervalSince(start), 1e-6)
        let rate = Double(docs) / t
        let frac = totalBytes > 0 ? min(1, Double(bytes) / Double(totalBytes)) : 0
        let eta = frac > 0.01 ? t / frac - t : .nan
        let etaText = eta.isNaN ? "--" : String(format: "%.0fs", eta)
        let mb = String(format: "%.1f MB", Double(bytes) / 1_048_576)
        if tty {
            let width = 24, filled = Int(frac * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(Data("\r[\(bar)] \(docs) docs  \(mb)  \(String(format: "%.0f", rate)) docs/s  ETA \(etaText)\u{1B}[K".utf8))
            drawn = true
        } else {
            Terminal.note("indexing: \(docs) docs, \(mb), \(String(format: "%.0f", rate)) docs/s, ETA \(etaText)")
        }
    }

    func clearLine() { if tty && drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) } }
    func finish() { clearLine() }
}
