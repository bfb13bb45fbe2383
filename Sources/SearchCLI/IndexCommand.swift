import ArgumentParser
import Foundation
import SearchIndex
import SearchIngest

/// `search index <folder>` / `search index <file>…`: brings the index up to date with a folder, atomically.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Index a folder of articles (.txt .md .html .json .jsonl .csv), or update the index from it.",
        discussion: """
        The first run builds the index; later runs over the same folder update it: files whose size and time
        are unchanged are not read, files whose content is unchanged are not re-indexed, changed files are
        re-indexed and the documents of removed files deleted. What was indexed is recorded in the index and
        changes with each commit, atomically: an interrupted run leaves the previous index intact. Running it
        again never duplicates documents. Files (`search index corpus/a.txt corpus/b.csv`) update just those
        files of the indexed folder. --rebuild builds from scratch; so does a different folder.
        JSON and CSV: the id comes from id/_id/article_id (else path#row), the title from title, the body from
        body/text/content; other fields are stored and shown with hits.
        Typed fields (for --filter, --sort and --facet): --keyword topics,places --date date --int year
        --double price --bool flag. A field whose first value is an ISO 8601 date (1987-02-26, or with a
        time) becomes a date field unless --no-detect-dates. A JSON array gives a keyword field several values.
        The types are recorded in the index; indexing again with other types or another analyzer needs --rebuild.
        """)

    @OptionGroup var location: IndexOption
    @Argument(help: "The folder to index (searched recursively), or files inside the folder the index was built from.") var paths: [String] = []
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
    @Flag(help: "Rebuild the index from scratch (also when it was built with other field types or another analyzer).") var rebuild = false

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
        guard !paths.isEmpty else { throw CLIError.input("give a folder to index, or files inside the indexed folder") }
        let fm = FileManager.default
        var kinds: [Bool] = []   // per path: is a directory
        for p in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else { throw CLIError.input("\(p): no such file or directory") }
            kinds.append(isDir.boolValue)
        }
        if kinds.contains(true) && paths.count > 1 { throw CLIError.input("give one folder, or files: not both, nor several folders") }
        let fileMode = !kinds.contains(true)

        var opts = IngestOptions()
        opts.idField = idField; opts.titleField = titleField
        opts.bodyFields = bodyField.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        guard stopwords == "none" || stopwords == "english" else { throw CLIError.input("--stopwords must be none or english") }
        let analyzer = try StandardAnalyzer(stemmer: stemmer == "none" ? nil : stemmer,
                                            stopwords: stopwords == "english" ? StandardAnalyzer.englishStopwords : [],
                                            foldDiacritics: !noFold)
        // The walk's time, for the record (taken before any file is looked at; see IngestState.racyWindow).
        let scannedAt = Int64((Date().timeIntervalSince1970 * 1e9).rounded())
        // A folder is listed while the index's record is read and checked: most of an update that finds
        // the files unchanged is listing them.
        let early = fileMode ? nil : try CorpusWalker(root: URL(fileURLWithPath: paths[0]), options: opts)
        early?.prefetchListing()
        // The index already there: its analyzer and schema must stay, unless --rebuild.
        // One that cannot be read (damaged, or of another format version) is rebuilt, as a damaged segment is below.
        var previous: Manifest? = nil
        do { previous = try Manifest.readLatest(from: IndexDirectory(path: location.path), verify: false) }
        catch SearchIndexError.noIndex { }
        catch { if !rebuild { Terminal.note("  the index at \(location.path) cannot be read (\(error)); rebuilding") } }
        let hasIndex = previous.map { !$0.segments.isEmpty } ?? false
        if let p = previous, !rebuild, hasIndex {
            guard p.analyzer == analyzer.identity else {
                throw CLIError.input("the index at \(location.path) was built with the analyzer \(p.analyzer), not \(analyzer.identity); pass the same options, or --rebuild")
            }
            let flags = try declaredTypes()
            for (name, type) in flags where p.schema[name]?.type != type {
                throw CLIError.input("the index at \(location.path) has field '\(name)' as \(p.schema[name]?.type.rawValue ?? "untyped"), not \(type.rawValue); pass the same types, or --rebuild")
            }
            // Types given: they must be the index's (a detected date aside). None given: the index's are kept.
            if !flags.isEmpty {
                for f in p.schema.fields where f.type != .text && flags[f.name] == nil && !(f.type == .date && !noDetectDates) {
                    throw CLIError.input("the index at \(location.path) has field '\(f.name)' as \(f.type.rawValue), which this run does not declare; pass the same types, or --rebuild")
                }
            }
        }
        // What the last run recorded (nil: none, or --rebuild).
        var state: IngestState? = nil
        if let p = previous, hasIndex, !rebuild, let name = p.userData[IngestState.userDataKey] {
            do {
                state = try IngestState.read(fromIndex: location.path, name: name)
                // Updating builds on the index as it is: a damaged one is rebuilt instead.
                _ = try Searcher(path: location.path, verifyChecksums: true)
            } catch {
                Terminal.note("  \(state == nil ? "the record of indexed files is unreadable" : "the index is damaged") (\(error)); rebuilding")
                state = nil
            }
        }

        // The folder walked, and in file mode the files' paths inside it.
        let root: URL
        var only: Set<String>? = nil
        if fileMode {
            let files = paths.map { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath() }
            if let st = state {
                root = URL(fileURLWithPath: st.root)
            } else {
                // A new index: the folder holding all the files.
                var common = files[0].deletingLastPathComponent().pathComponents
                for f in files.dropFirst() {
                    let c = f.deletingLastPathComponent().pathComponents
                    var n = 0
                    while n < min(common.count, c.count) && common[n] == c[n] { n += 1 }
                    common = Array(common.prefix(n))
                }
                root = URL(fileURLWithPath: NSString.path(withComponents: common))
            }
            let realRoot = root.resolvingSymlinksInPath().path
            let prefix = realRoot.hasSuffix("/") ? realRoot : realRoot + "/"
            var rel = Set<String>()
            for (f, given) in zip(files, paths) {
                guard f.path.hasPrefix(prefix) else {
                    throw CLIError.input("\(given) is outside \(root.path), the folder this index was built from; index that folder, or --rebuild with a folder")
                }
                rel.insert(String(f.path.dropFirst(prefix.count)))
            }
            only = rel
        } else {
            root = URL(fileURLWithPath: paths[0])
        }
        let walker = try early ?? CorpusWalker(root: root, options: opts)
        let rootPath = walker.root.path
        if let st = state, st.root != rootPath {
            Terminal.note("  \(rootPath) is not the folder this index was built from (\(st.root)): rebuilding")
            state = nil
        }
        let incremental = state != nil

        // Typed fields: the index's own when updating, so new files cannot change them.
        var declared = try declaredTypes()
        if incremental, let p = previous { for f in p.schema.fields where f.type != .text { declared[f.name] = f.type } }
        var typing = FieldTyping(types: declared, detectDates: !noDetectDates)
        // A title weighs FieldSpec.titleWeight times the body in ranking (a search may override it). Declared
        // first, title and body have the same numbers in every index `search index` builds, and the declared
        // types the next ones (sorted by name), so that shards built alike can be searched together.
        let schema = Schema([FieldSpec("title", .text, weight: FieldSpec.titleWeight), FieldSpec("body", .text)] + typing.schema.fields)
        let writer = try IndexWriter(path: location.path, analyzer: analyzer,
                                     config: IndexWriterConfig(ramBufferMB: ramMb), create: !incremental, schema: schema)
        defer { writer.close() }

        let old = state?.files ?? [:]
        // What the record will say: the old one, with the files read in this run changed in it, and the
        // files gone removed (a file found unchanged by its size and time is left as it was, untouched).
        var next = old
        var nextEdited = false   // set or removed an entry of `next`
        var seen = Set<String>()   // files read (or tried) in this run
        var counts = (added: 0, updated: 0, deleted: 0, unchanged: 0)
        var addedThisRun = Set<String>()
        var current: (path: String, ids: [String])? = nil
        var duplicates = 0
        var issues: [IngestIssue] = []
        var valueWarnings = 0
        let start = Date()
        var compared = 0   // files read only to find their content unchanged
        var hooks = IngestHooks()
        var keptPaths: [String] = []   // files found unchanged by size and time (their entries stay)
        keptPaths.reserveCapacity(old.count)
        let recorded = state   // (a let: the closure reads it without a box)
        hooks.shouldRead = { f in
            if let e = recorded?.unchangedEntry(f) {
                keptPaths.append(f.path); counts.unchanged += e.ids.count
                return false
            }
            seen.insert(f.path)
            return true
        }
        hooks.willParse = { f, hash in
            if let e = old[f.path], e.size == f.size, e.hash == hash {
                var u = e; u.modified = f.modified
                next[f.path] = u; nextEdited = true; counts.unchanged += e.ids.count
                compared += 1
                return false
            }
            // Changed or new: what it gave before goes (what it gives now is added next).
            for id in old[f.path]?.ids ?? [] { try writer.deleteDocument(id: id) }
            current = (f.path, [])
            return true
        }
        hooks.didFinish = { f, hash, result in
            guard result != .unchanged, let c = current, c.path == f.path else { return }
            let before = Set(old[f.path]?.ids ?? []), now = Set(c.ids)
            counts.updated += now.intersection(before).count
            counts.added += now.subtracting(before).count
            counts.deleted += before.subtracting(now).count
            next[f.path] = IngestState.Entry(size: f.size, modified: f.modified, hash: hash, ids: c.ids)
            nextEdited = true
            current = nil
        }
        let progress = Progress(totalBytes: incremental ? 0 : walker.supportedFiles().reduce(0) { $0 + max($1.size, 0) })
        let summary = try walker.forEach({ d in
            let firstThisRun = addedThisRun.insert(d.id).inserted
            if !firstThisRun { duplicates += 1 }
            current?.ids.append(d.id)
            let (doc, warnings) = d.indexDocument(typing: &typing)
            for w in warnings {
                valueWarnings += 1
                if verbose || valueWarnings <= 20 { progress.clearLine(); Terminal.note("  warning \(d.id): \(w); value left out") }
            }
            // In a new index, an id's first document replaces nothing: appended, so the commit looks up no ids.
            if firstThisRun && !incremental { try writer.appendDocument(doc) } else { try writer.addDocument(doc) }
            progress.update(docs: addedThisRun.count, bytes: d.title.utf8.count + d.body.utf8.count)
        }, onIssue: { issue in
            issues.append(issue)
            if verbose || issues.count <= 20 { progress.clearLine(); Terminal.note("  \(issue.kind == .warning ? "warning" : "skipped") \(issue)") }
        }, only: only, hooks: hooks)
        if issues.count > 20 && !verbose { Terminal.note("  … \(issues.count - 20) more issues (use --verbose to list all)") }
        if valueWarnings > 20 && !verbose { Terminal.note("  … \(valueWarnings - 20) more values left out (use --verbose to list all)") }
        // Files the walk did not see again (unreadable ones keep what they gave); in folder mode, files that
        // are gone lose their documents (unless another file gave the same id in this run). (Nothing to look
        // for when the files seen cover the record.)
        if only == nil && keptPaths.count + seen.reduce(0, { $0 + (old[$1] == nil ? 0 : 1) }) < old.count {
            let visited = seen.union(keptPaths)
            for (path, e) in old where !visited.contains(path) {
                for id in e.ids where !addedThisRun.contains(id) { try writer.deleteDocument(id: id); counts.deleted += 1 }
                next[path] = nil; nextEdited = true
            }
        }
        let liveAfter = next.values.reduce(0) { $0 + $1.ids.count }
        guard liveAfter > 0 else {
            throw CLIError.input("no documents found in \(fileMode ? paths.joined(separator: ", ") : paths[0]) (\(summary.filesSeen) files; supported: .txt .md .html .htm .json .jsonl .csv .tsv); the existing index was left unchanged")
        }
        if incremental, let p = previous {
            let oldTyped = p.schema.fields.filter { $0.type != .text }, newTyped = writer.schema.fields.filter { $0.type != .text }
            guard oldTyped.map(\.name).sorted() == newTyped.map(\.name).sorted(), oldTyped.allSatisfy({ writer.schema[$0.name] == $0 }) else {
                throw CLIError.input("the index at \(location.path) has the typed fields \(Self.describe(oldTyped)), this run would make \(Self.describe(newTyped)); the index was left unchanged: pass the same types (or --no-detect-dates), or --rebuild")
            }
        }
        // (A file read only to compare gets a new commit too, so that the record's walk time moves past it.)
        let changed = !incremental || counts.added + counts.updated + counts.deleted > 0 || (nextEdited && next != old) || compared > 0
        if changed {
            let stateName = try IngestState(root: rootPath, scannedAt: scannedAt, files: next).write(toIndex: location.path)
            // (Waiting for the merges the policy asks for: a batch run leaves a merged index.)
            try writer.commit(userData: ["source": rootPath, "indexed_at": ISO8601DateFormatter().string(from: Date()),
                                         IngestState.userDataKey: stateName], waitForMerges: true)
            IngestState.removeStale(inIndex: location.path, keep: stateName)
        }
        progress.finish()
        let seconds = Date().timeIntervalSince(start)
        let m = writer.lastCommit
        let dir = IndexDirectory(path: location.path)
        let bytes = m.referencedFiles.reduce(0) { $0 + dir.size(of: $1) }
        let terms = m.segments.reduce(0) { $0 + $1.fieldStats.reduce(0) { $0 + $1.termCount } }
        let live = m.segments.reduce(0) { $0 + $1.liveDocCount }
        var lines: [String] = []
        if incremental {
            lines.append("updated \(location.path): \(live) documents; \(counts.added) added, \(counts.updated) updated, \(counts.deleted) deleted, \(counts.unchanged) unchanged")
            lines.append("  files: \(summary.filesIndexed) indexed, \(summary.filesUnchanged) unchanged (\(compared) read to compare), \(summary.filesSkipped) skipped (\(summary.filesUnsupported) unsupported); \(summary.recordsSkipped) records skipped")
        } else {
            lines.append("indexed \(live) documents from \(summary.filesIndexed) files into \(location.path)")
            lines.append("  skipped: \(summary.filesSkipped) files, \(summary.recordsSkipped) records; unsupported files: \(summary.filesUnsupported)")
        }
        lines.append("  terms: \(terms), segments: \(m.segments.count), index size: \(Terminal.bytes(bytes))")
        lines.append(String(format: "  time: %.2f s", seconds) + (changed ? "" : " (nothing changed; no new commit)"))
        let typed = writer.schema.fields.filter { $0.type != .text }
        if !typed.isEmpty { lines.insert("  typed fields: \(Self.describe(typed))", at: 2) }
        if duplicates > 0 { lines.insert("  \(duplicates) documents had an id seen before; the last one was kept", at: 2) }
        print(lines.joined(separator: "\n"))
    }

    /// `name (type), …`, or "none".
    static func describe(_ fields: [FieldSpec]) -> String {
        fields.isEmpty ? "none" : fields.map { "\($0.name) (\($0.type.rawValue))" }.joined(separator: ", ")
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
