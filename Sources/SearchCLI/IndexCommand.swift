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
        Typed fields (for --filter, --sort and --facet): --keyword topics,places --date date --int year
        --double price --bool flag. A field whose first value is an ISO 8601 date (1987-02-26, or with a
        time) becomes a date field unless --no-detect-dates. A JSON array gives a keyword field several values.
        The types are recorded in the index; indexing again with other types or another analyzer needs --rebuild.
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
    @Option(help: "Keyword fields (exact values; JSON arrays give several), comma-separated.") var keyword: String?
    @Option(help: "Integer fields, comma-separated.") var int: String?
    @Option(help: "Floating-point fields, comma-separated.") var double: String?
    @Option(help: "Date fields (ISO 8601), comma-separated.") var date: String?
    @Option(help: "Boolean fields (true/false), comma-separated.") var bool: String?
    @Flag(help: "Do not turn fields whose first value is a date into date fields.") var noDetectDates = false
    @Flag(help: "Rebuild even if the index was built with other field types or another analyzer.") var rebuild = false

    /// The declared types of the command line.
    func declaredTypes() throws -> [String: FieldType] {
        var types: [String: FieldType] = [:]
        for (list, type) in [(keyword, FieldType.keyword), (int, .int), (double, .double), (date, .date), (bool, .bool)] {
            for name in (list ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
                if let other = types[name], other != type { throw CLIError.input("field '\(name)' is given two types, \(other.rawValue) and \(type.rawValue)") }
                if ["title", "body", "path"].contains(name) { throw CLIError.input("field '\(name)' is text and cannot be typed") }
                types[name] = type
            }
        }
        return types
    }

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
        var typing = FieldTyping(types: try declaredTypes(), detectDates: !noDetectDates)
        // The index already there: its analyzer and schema must stay, unless --rebuild.
        let previous = try? Manifest.readLatest(from: IndexDirectory(path: location.path), verify: false)
        if let p = previous, !rebuild, !p.segments.isEmpty {
            guard p.analyzer == analyzer.identity else {
                throw CLIError.input("the index at \(location.path) was built with the analyzer \(p.analyzer), not \(analyzer.identity); pass the same options, or --rebuild")
            }
            for (name, type) in typing.types where p.schema[name]?.type != type {
                throw CLIError.input("the index at \(location.path) has field '\(name)' as \(p.schema[name]?.type.rawValue ?? "untyped"), not \(type.rawValue); pass the same types, or --rebuild")
            }
        }
        let totalBytes = Self.supportedBytes(root)
        // A title weighs FieldSpec.titleWeight times the body in ranking (a search may override it).
        var schema = typing.schema
        if schema["title"] == nil { schema.add(FieldSpec("title", .text, weight: FieldSpec.titleWeight)) }
        let writer = try IndexWriter(path: location.path, analyzer: analyzer,
                                     config: IndexWriterConfig(ramBufferMB: ramMb), create: true, schema: schema)
        defer { writer.close() }
        let progress = Progress(totalBytes: totalBytes)
        var ids = Set<String>()
        var duplicates = 0
        var issues: [IngestIssue] = []
        let start = Date()
        var valueWarnings = 0
        let summary = try walker.forEach({ d in
            if !ids.insert(d.id).inserted { duplicates += 1 }
            let (doc, warnings) = d.indexDocument(typing: &typing)
            for w in warnings {
                valueWarnings += 1
                if verbose || valueWarnings <= 20 { progress.clearLine(); Terminal.note("  warning \(d.id): \(w); value left out") }
            }
            try writer.addDocument(doc)
            progress.update(docs: ids.count, bytes: d.title.utf8.count + d.body.utf8.count)
        }, onIssue: { issue in
            issues.append(issue)
            if verbose || issues.count <= 20 { progress.clearLine(); Terminal.note("  \(issue.kind == .warning ? "warning" : "skipped") \(issue)") }
        })
        if issues.count > 20 && !verbose { Terminal.note("  … \(issues.count - 20) more issues (use --verbose to list all)") }
        guard summary.documents > 0 else {
            throw CLIError.input("no documents found in \(folder) (\(summary.filesSeen) files; supported: .txt .md .html .htm .json .jsonl .csv .tsv); the existing index was left unchanged")
        }
        if valueWarnings > 20 && !verbose { Terminal.note("  … \(valueWarnings - 20) more values left out (use --verbose to list all)") }
        if let p = previous, !rebuild, !p.segments.isEmpty {
            let old = p.schema.fields.filter { $0.type != .text }, new = writer.schema.fields.filter { $0.type != .text }
            guard old.map(\.name).sorted() == new.map(\.name).sorted(), old.allSatisfy({ writer.schema[$0.name] == $0 }) else {
                throw CLIError.input("the index at \(location.path) has the typed fields \(Self.describe(old)), this run would make \(Self.describe(new)); the index was left unchanged: pass the same types (or --no-detect-dates), or --rebuild")
            }
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
        let typed = writer.schema.fields.filter { $0.type != .text }
        if !typed.isEmpty { lines.insert("  typed fields: \(Self.describe(typed))", at: 2) }
        if duplicates > 0 { lines.insert("  \(duplicates) documents had an id seen before; the last one was kept", at: 2) }
        print(lines.joined(separator: "\n"))
    }

    /// `name (type), …`, or "none".
    static func describe(_ fields: [FieldSpec]) -> String {
        fields.isEmpty ? "none" : fields.map { "\($0.name) (\($0.type.rawValue))" }.joined(separator: ", ")
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
