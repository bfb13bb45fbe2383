import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Recursively walks a folder and turns supported files into documents.
///
/// Formats are chosen by extension (case-insensitive): `.txt`, `.md`/`.markdown`,
/// `.html`/`.htm`, `.json`, `.jsonl`/`.ndjson`, `.csv`, `.tsv`. Other files are skipped
/// silently (but counted); hidden files and directories are skipped unless
/// `IngestOptions.includeHidden` is set. Files are processed in byte order of their
/// relative paths, so the document order is deterministic.
public final class CorpusWalker: Sendable {
    /// The folder being walked (standardized).
    public let root: URL
    /// How files are read and mapped to documents.
    public let options: IngestOptions
    /// The listing ``prefetchListing()`` started, if any.
    private let prefetched = PrefetchedListing()

    enum Format {
        case text, markdown, html, json, jsonLines, csv, tsv

        init?(fileExtension ext: String) {
            switch ext.lowercased() {
            case "txt": self = .text
            case "md", "markdown": self = .markdown
            case "html", "htm": self = .html
            case "json": self = .json
            case "jsonl", "ndjson": self = .jsonLines
            case "csv": self = .csv
            case "tsv": self = .tsv
            default: return nil
            }
        }
    }

    struct FileEntry {
        var relPath: String
        /// The folder walked, `/`-terminated (the file's path is this and `relPath`).
        var rootPrefix: String
        var fullPath: String { rootPrefix + relPath }
        var size: Int?
        /// Modification time, nanoseconds since 1970 (0 when unknown).
        var modified: Int64 = 0

        var source: SourceFile { SourceFile(path: relPath, size: size ?? -1, modified: modified) }
    }

    /// Throws `IngestError` if `root` is missing, not a directory, or cannot be listed.
    public init(root: URL, options: IngestOptions = IngestOptions()) throws {
        self.root = root.standardizedFileURL
        self.options = options
        let path = self.root.path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw IngestError.notFound(path)
        }
        guard isDir.boolValue else { throw IngestError.notADirectory(path) }
        // Listable? (opened only: reading a large folder's names twice cost 12 ms at 21,578 files.)
        guard let d = opendir(path) else {
            throw IngestError.unreadable(path, POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO).localizedDescription)
        }
        closedir(d)
    }

    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return POSIXError(code).localizedDescription
        }
        return error.localizedDescription
    }

    // MARK: Walking

    private struct NodeID: Hashable { var device: UInt64; var inode: UInt64 }

    private struct Status {
        enum Kind { case regular, directory, link, other }
        var kind: Kind
        var node: NodeID
        var size: Int
        /// Nanoseconds since 1970.
        var modified: Int64
    }

    /// `lstat` (or `stat` with `follow`) of `path`; nil when it fails.
    private static func status(_ path: String, follow: Bool) -> Status? {
        var s = stat()
        guard (follow ? stat(path, &s) : lstat(path, &s)) == 0 else { return nil }
        return status(of: s)
    }

    private static func status(of s: stat) -> Status {
        let kind: Status.Kind
        switch s.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .link
        default: kind = .other
        }
        #if canImport(Darwin)
        let mtime = Int64(s.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(s.st_mtimespec.tv_nsec)
        #else
        let mtime = Int64(s.st_mtim.tv_sec) * 1_000_000_000 + Int64(s.st_mtim.tv_nsec)
        #endif
        return Status(kind: kind, node: NodeID(device: UInt64(s.st_dev), inode: UInt64(s.st_ino)), size: Int(s.st_size), modified: mtime)
    }

    /// `lstat` of `name` in the open directory `dir` (no path walk from the root for each file); nil when it fails.
    private static func status(in dir: Int32, _ name: UnsafePointer<CChar>) -> Status? {
        var s = stat()
        guard fstatat(dir, name, &s, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        return status(of: s)
    }

    /// The names in directory `path` (without `.` and `..`), each with a status from `fstatat` (nil when
    /// that failed); throws the `opendir` error. One `getdents` per few hundred names and one `fstatat` a
    /// name: FileManager's listing and a path `lstat` walked the whole path again for every file.
    private static func list(_ path: String) throws -> (names: [String], statuses: [Status?]) {
        guard let d = opendir(path) else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        defer { closedir(d) }
        var names: [String] = []
        while true {
            // (errno tells the end of the folder from a failed read: a listing cut short would look like
            // deleted files to an update.)
            errno = 0
            guard let e = readdir(d) else {
                if errno != 0 { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
                break
            }
            let name: String? = withUnsafePointer(to: &e.pointee.d_name) { p in
                p.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: e.pointee.d_name)) { n in
                    // "." and ".."
                    n[0] == 0x2E && (n[1] == 0 || (n[1] == 0x2E && n[2] == 0)) ? nil : String(cString: n)
                }
            }
            if let name { names.append(name) }
        }
        // The fstatat calls, in parallel for a large folder (each is a system call of about a microsecond).
        let fd = dirfd(d), all = names   // (a let, for the workers)
        var statuses = [Status?](repeating: nil, count: names.count)
        let parts = names.count >= 4096 ? max(1, min(4, ProcessInfo.processInfo.activeProcessorCount)) : 1
        statuses.withUnsafeMutableBufferPointer { out in
            let out = UncheckedSendable(out)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                var i = part * all.count / parts
                let end = (part + 1) * all.count / parts
                while i < end { out.value[i] = all[i].withCString { status(in: fd, $0) }; i += 1 }
            }
        }
        return (all, statuses)
    }

    /// All candidate files under the root, sorted by relative path (byte order).
    /// Directory-level problems (unlistable subdirectories, broken links, special files) are
    /// reported through `onIssue`; `issueCount` counts them.
    func listFiles(onIssue: (IngestIssue) -> Void, issueCount: inout Int) -> [FileEntry] {
        var files: [FileEntry] = []
        var visited = Set<NodeID>()
        if let st = Self.status(root.path, follow: true) { visited.insert(st.node) }
        func report(_ issue: IngestIssue) {
            issueCount += 1
            onIssue(issue)
        }
        // Links are followed only to places inside the root: a link to `..` or `/` would index (and walk)
        // whatever lies outside the folder the user named.
        let realRoot = URL(fileURLWithPath: root.path).resolvingSymlinksInPath().path
        func inside(_ p: String) -> Bool { p == realRoot || p.hasPrefix(realRoot.hasSuffix("/") ? realRoot : realRoot + "/") }
        let rootPrefix = root.path.hasSuffix("/") ? root.path : root.path + "/"
        func walk(_ dir: String, _ rel: String) {
            let names: [String], statuses: [Status?]
            do {
                (names, statuses) = try Self.list(dir)
            } catch {
                report(IngestIssue(path: rel.isEmpty ? "." : rel,
                                   reason: "unreadable directory: " + Self.reason(error), kind: .skippedFile))
                return
            }
            let slash = dir.utf8.last == UInt8(ascii: "/")
            for (name, status) in zip(names, statuses) {
                if !options.includeHidden, name.utf8.first == UInt8(ascii: ".") { continue }
                let relName = rel.isEmpty ? name : rel + "/" + name
                // (lstat, not FileManager's attributes: those cost a dozen system calls a file.)
                guard var st = status else {
                    report(IngestIssue(path: relName, reason: "cannot stat file", kind: .skippedFile))
                    continue
                }
                var full: String { slash ? dir + name : dir + "/" + name }
                if st.kind == .link {
                    guard options.followSymlinks else { continue }
                    let target = URL(fileURLWithPath: full).resolvingSymlinksInPath().path
                    guard inside(target) else {
                        report(IngestIssue(path: relName, reason: "symbolic link points outside the folder; not followed", kind: .skippedFile))
                        continue
                    }
                    guard let t = Self.status(target, follow: false), t.kind != .link else {
                        report(IngestIssue(path: relName, reason: "broken symbolic link", kind: .skippedFile))
                        continue
                    }
                    st = t
                }
                switch st.kind {
                case .directory:
                    guard visited.insert(st.node).inserted else {
                        report(IngestIssue(path: relName, reason: "directory already visited (symbolic link cycle?)",
                                           kind: .warning))
                        continue
                    }
                    walk(full, relName)
                case .regular:
                    files.append(FileEntry(relPath: relName, rootPrefix: rootPrefix, size: st.size, modified: st.modified))
                default:
                    report(IngestIssue(path: relName, reason: "not a regular file", kind: .skippedFile))
                }
            }
        }
        walk(root.path, "")
        // Sorted by an 8-byte prefix of the path first (most comparisons end there), then by the whole path.
        let keys = files.map { f -> UInt64 in
            var p = f.relPath
            return p.withUTF8 { u in
                var k: UInt64 = 0
                for i in 0..<min(8, u.count) { k |= UInt64(u[i]) << (56 - 8 * i) }
                return k
            }
        }
        let order = files.indices.sorted { a, b in
            keys[a] != keys[b] ? keys[a] < keys[b] : utf8Precedes(files[a].relPath, files[b].relPath)
        }
        return order.map { files[$0] }
    }

    /// Starts listing the folder (names, sizes and times, sorted) on another thread, for the next
    /// ``forEach(_:onIssue:only:hooks:)`` to use: an update that finds most files unchanged spends most of
    /// its time listing, which can overlap the caller's own preparation (reading the index's state).
    public func prefetchListing() {
        prefetched.start { [self] in
            var issues: [IngestIssue] = [], n = 0
            let files = listFiles(onIssue: { issues.append($0) }, issueCount: &n)
            return (files, issues)
        }
    }

    /// A listing made on another thread: started once, taken once.
    private final class PrefetchedListing: @unchecked Sendable {
        private let lock = NSLock()
        private let group = DispatchGroup()
        private var started = false
        private var result: (files: [FileEntry], issues: [IngestIssue])? = nil

        func start(_ work: @escaping @Sendable () -> (files: [FileEntry], issues: [IngestIssue])) {
            // (The group is entered under the lock, so a `take` on another thread always waits for it.)
            guard lock.withLock({ () -> Bool in
                guard !started else { return false }
                started = true; group.enter(); return true
            }) else { return }
            DispatchQueue.global().async { [self] in
                let r = work()
                lock.withLock { result = r }
                group.leave()
            }
        }

        /// The listing, once finished (waits for it); nil if none was started or it was taken. `keep`
        /// leaves it for the next call.
        func take(keep: Bool = false) -> (files: [FileEntry], issues: [IngestIssue])? {
            guard lock.withLock({ started }) else { return nil }
            group.wait()
            return lock.withLock { defer { if !keep { result = nil } }; return result }
        }
    }

    // MARK: Processing

    /// Per-file issue reporting with a cap (`IngestOptions.maxIssuesPerFile`).
    final class FileIssues {
        let path: String
        let limit: Int
        let sink: (IngestIssue) -> Void
        var count = 0
        var suppressed = 0
        var recordsSkipped = 0

        init(path: String, limit: Int, sink: @escaping (IngestIssue) -> Void) {
            self.path = path
            self.limit = limit
            self.sink = sink
        }

        func report(_ reason: String, line: Int? = nil, kind: IngestIssue.Kind) {
            count += 1
            if kind == .skippedRecord { recordsSkipped += 1 }
            if count <= limit {
                sink(IngestIssue(path: path, line: line, reason: reason, kind: kind))
            } else {
                suppressed += 1
            }
        }

        func finish() {
            if suppressed > 0 {
                sink(IngestIssue(path: path, reason: "\(suppressed) more issue(s) in this file not shown", kind: .warning))
            }
        }
    }

    private enum Outcome {
        case indexed
        case skipped(String)
        /// The hooks found the content unchanged.
        case unchanged

        var isIndexed: Bool { if case .indexed = self { return true }; return false }
    }

    /// The files under the root whose format is supported, sorted by relative path (byte order), with their
    /// sizes and modification times; listing problems go to `onIssue`. A listing ``prefetchListing()``
    /// started is used, and left for the next ``forEach(_:onIssue:only:hooks:)``.
    public func supportedFiles(onIssue: (IngestIssue) -> Void = { _ in }) -> [SourceFile] {
        // (A prefetched listing is looked at, and left for the walk: a full build lists the folder once.)
        let files: [FileEntry]
        if let p = prefetched.take(keep: true) { p.issues.forEach(onIssue); files = p.files } else {
            var n = 0
            files = listFiles(onIssue: onIssue, issueCount: &n)
        }
        return files.filter { Self.format(of: $0.relPath) != nil }.map(\.source)
    }

    /// The format its extension names (after the last `.` of the last path component), if supported.
    static func format(of relPath: String) -> Format? {
        let u = relPath.utf8
        guard let dot = u.lastIndex(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "/") }),
              u[dot] == UInt8(ascii: ".") else { return nil }
        return Format(fileExtension: String(relPath[u.index(after: dot)...]))
    }

    /// Calls `body` for each document in a deterministic order (files sorted by relative
    /// path, then source order within a file) and reports problems through `onIssue`.
    /// Errors thrown by `body` stop the walk and are rethrown.
    ///
    /// - Parameters:
    ///   - only: when given, only these files (paths relative to the root) are read; the others are not
    ///     counted. A path in it that the walk does not find is reported as an issue.
    ///   - hooks: decide, file by file, what is read and parsed (incremental indexing; see ``IngestHooks``).
    @discardableResult
    public func forEach(_ body: (IngestedDocument) throws -> Void,
                        onIssue: (IngestIssue) -> Void = { _ in }, only: Set<String>? = nil,
                        hooks: IngestHooks = IngestHooks()) throws -> IngestSummary {
        var summary = IngestSummary()
        var listingIssues = 0
        var files: [FileEntry]
        if let p = prefetched.take() {
            for issue in p.issues { onIssue(issue) }
            files = p.files; listingIssues = p.issues.count
        } else {
            files = listFiles(onIssue: onIssue, issueCount: &listingIssues)
        }
        if let only {
            files = files.filter { only.contains($0.relPath) }
            for p in only.subtracting(files.map(\.relPath)).sorted() {
                listingIssues += 1
                onIssue(IngestIssue(path: p, reason: "not found in \(root.path) (or hidden, or not a regular file)", kind: .skippedFile))
            }
        }
        summary.issues += listingIssues

        try withoutActuallyEscaping(onIssue) { sink in
            for file in files {
                summary.filesSeen += 1
                guard let format = Self.format(of: file.relPath) else {
                    summary.filesSkipped += 1
                    summary.filesUnsupported += 1
                    continue
                }
                guard try hooks.shouldRead(file.source) else {
                    summary.filesUnchanged += 1
                    continue
                }
                let issues = FileIssues(path: file.relPath, limit: max(0, options.maxIssuesPerFile), sink: sink)
                var docs = 0
                var hash: UInt64? = nil
                let outcome = try process(file, format: format, issues: issues, bytesRead: &summary.bytesRead, hooks: hooks, hash: &hash) { doc in
                    docs += 1
                    try body(doc)
                }
                switch outcome {
                case .indexed:
                    summary.filesIndexed += 1
                case .unchanged:
                    summary.filesUnchanged += 1
                case .skipped(let reason):
                    summary.filesSkipped += 1
                    issues.report(reason, kind: .skippedFile)
                }
                if let hash {
                    let result: IngestFileResult
                    switch outcome {
                    case .indexed: result = .indexed
                    case .unchanged: result = .unchanged
                    case .skipped: result = .skipped
                    }
                    try hooks.didFinish(file.source, hash, result)
                }
                issues.finish()
                summary.documents += docs
                summary.issues += issues.count
                summary.recordsSkipped += issues.recordsSkipped
            }
        }
        return summary
    }

    /// All documents and issues, collected (convenient for small corpora and tests).
    public func collect() throws -> (documents: [IngestedDocument], issues: [IngestIssue], summary: IngestSummary) {
        var docs: [IngestedDocument] = []
        var issues: [IngestIssue] = []
        let summary = try forEach({ docs.append($0) }, onIssue: { issues.append($0) })
        return (docs, issues, summary)
    }

    private func process(_ file: FileEntry, format: Format, issues: FileIssues, bytesRead: inout Int,
                         hooks: IngestHooks, hash: inout UInt64?,
                         emit: (IngestedDocument) throws -> Void) throws -> Outcome {
        let limit = options.maxFileBytes
        if let size = file.size, size > limit {
            return .skipped("file too large (\(size) bytes; limit \(limit))")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file.fullPath))
        } catch {
            return .skipped("unreadable: " + Self.reason(error))
        }
        bytesRead += data.count
        let h = Self.contentHash(data)
        hash = h
        guard try hooks.willParse(file.source, h) else { return .unchanged }
        if data.count > limit { return .skipped("file too large (\(data.count) bytes; limit \(limit))") }
        if data.isEmpty { return .skipped("empty file") }

        var bytes = [UInt8](data)
        // UTF-16 with a byte-order mark: convert to UTF-8.
        if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            let littleEndian = bytes[0] == 0xFF
            var units: [UInt16] = []
            units.reserveCapacity(bytes.count / 2)
            var k = 2
            while k + 1 < bytes.count {
                let a = UInt16(bytes[k]), b = UInt16(bytes[k + 1])
                units.append(littleEndian ? a | b << 8 : a << 8 | b)
                k += 2
            }
            bytes = Array(String(decoding: units, as: UTF16.self).utf8)
        } else if bytes.prefix(8192).contains(0) {
            return .skipped("binary file")
        }
        let bomLength = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        if bytes[bomLength...].allSatisfy(IngestText.isSpaceByte) { return .skipped("empty file") }
        if String(validating: bytes, as: UTF8.self) == nil {
            issues.report("invalid UTF-8, decoded lossily", kind: .warning)
        }

        return try bytes.withUnsafeBufferPointer { whole -> Outcome in
            let p = UnsafeBufferPointer(rebasing: whole[bomLength...])
            let rel = file.relPath
            switch format {
            case .text:
                let (title, body) = IngestText.plainText(p)
                try emit(IngestedDocument(id: rel, title: title, body: body, stored: [("path", rel)]))
            case .markdown:
                let text = String(decoding: p, as: UTF8.self)
                let (title, body, extra) = IngestText.markdown(text)
                try emit(IngestedDocument(id: rel, title: title, body: body, stored: [("path", rel)] + extra))
            case .html:
                let (title, body) = IngestHTML.extract(p)
                try emit(IngestedDocument(id: rel, title: title, body: body, stored: [("path", rel)]))
            case .json:
                return try processJSON(p, rel: rel, issues: issues, emit: emit)
            case .jsonLines:
                try processJSONLines(p, rel: rel, issues: issues, emit: emit)
            case .csv:
                return try processCSV(p, delimiter: UInt8(ascii: ","), rel: rel, issues: issues, emit: emit)
            case .tsv:
                return try processCSV(p, delimiter: 0x09, rel: rel, issues: issues, emit: emit)
            }
            return .indexed
        }
    }

    private func mapper(_ rel: String, _ issues: FileIssues) -> IngestRecordMapper {
        IngestRecordMapper(options: options, relPath: rel) { message, line in
            issues.report(message, line: line, kind: .warning)
        }
    }

    /// 1-based line number of byte offset `offset`.
    private static func lineNumber(_ p: UnsafeBufferPointer<UInt8>, at offset: Int) -> Int {
        var line = 1
        for k in 0..<min(offset, p.count) where p[k] == 0x0A { line += 1 }
        return line
    }

    private func processJSON(_ p: UnsafeBufferPointer<UInt8>, rel: String, issues: FileIssues,
                             emit: (IngestedDocument) throws -> Void) throws -> Outcome {
        var parser = IngestJSONParser(p)
        let value: IngestJSONValue
        do {
            value = try parser.parseValue()
        } catch let e as IngestJSONSyntaxError {
            return .skipped("invalid JSON: \(e.message) (line \(Self.lineNumber(p, at: e.offset)))")
        }
        if !parser.atEndAfterWhitespace() {
            // Several concatenated objects: treat the file as JSON Lines.
            if case .object = value, parser.currentByte == UInt8(ascii: "{") {
                try processJSONLines(p, rel: rel, issues: issues, emit: emit)
                return .indexed
            }
            return .skipped("invalid JSON: unexpected characters after the JSON value (line \(Self.lineNumber(p, at: parser.pos)))")
        }
        let m = mapper(rel, issues)
        switch value {
        case .object(let members):
            try emit(m.makeDocument(object: members, row: nil, line: nil))
        case .array(let items):
            for (k, item) in items.enumerated() {
                if case .object(let members) = item {
                    try emit(m.makeDocument(object: members, row: k + 1, line: nil))
                } else {
                    issues.report("array element \(k + 1) is \(item.kindName), not an object; skipped", kind: .skippedRecord)
                }
            }
        default:
            return .skipped("JSON top level is \(value.kindName), not an object or array")
        }
        return .indexed
    }

    private func processJSONLines(_ p: UnsafeBufferPointer<UInt8>, rel: String, issues: FileIssues,
                                  emit: (IngestedDocument) throws -> Void) throws {
        let m = mapper(rel, issues)
        let n = p.count
        var start = 0
        var line = 0
        while start < n {
            line += 1
            var end = start
            while end < n, p[end] != 0x0A { end += 1 }
            let next = end + 1
            let (s, e) = IngestText.trimRange(p, start, end)
            start = next
            if s == e { continue }
            do {
                let v = try IngestJSONParser.parseComplete(p, start: s, end: e)
                guard case .object(let members) = v else {
                    issues.report("expected a JSON object, found \(v.kindName); line skipped", line: line, kind: .skippedRecord)
                    continue
                }
                try emit(m.makeDocument(object: members, row: line, line: line))
            } catch let err as IngestJSONSyntaxError {
                issues.report("invalid JSON (\(err.message) at column \(err.offset - s + 1)); line skipped",
                              line: line, kind: .skippedRecord)
            }
        }
    }

    private func processCSV(_ p: UnsafeBufferPointer<UInt8>, delimiter: UInt8, rel: String, issues: FileIssues,
                            emit: (IngestedDocument) throws -> Void) throws -> Outcome {
        var reader = IngestCSVReader(p, delimiter: delimiter)
        // Header: the first non-blank record.
        var header: [String]?
        while let item = reader.next() {
            switch item {
            case .blank: continue
            case .malformed(let line, let reason):
                return .skipped("malformed header row at line \(line): \(reason)")
            case .record(let fields, _, _):
                header = fields
            }
            break
        }
        guard let rawHeader = header else { return .skipped("empty file") }
        // Clean column names: trim, name empty columns, de-duplicate.
        var keys: [String] = []
        var seen = Set<String>()
        for (k, raw) in rawHeader.enumerated() {
            var name = IngestText.trimmed(raw)
            if name.isEmpty { name = "column_\(k + 1)" }
            var unique = name
            var suffix = 2
            while seen.contains(unique) { unique = "\(name)_\(suffix)"; suffix += 1 }
            seen.insert(unique)
            keys.append(unique)
        }
        let m = mapper(rel, issues)
        var row = 0
        while let item = reader.next() {
            switch item {
            case .blank:
                continue
            case .malformed(let line, let reason):
                row += 1
                issues.report("malformed record (\(reason)); skipped", line: line, kind: .skippedRecord)
            case .record(var fields, let line, let warning):
                if fields.count == 1, keys.count > 1, IngestText.isBlank(fields[0]) { continue }
                row += 1
                if fields.count > keys.count, fields[keys.count...].allSatisfy({ $0.isEmpty }) {
                    fields.removeLast(fields.count - keys.count)
                }
                guard fields.count == keys.count else {
                    issues.report("malformed record (expected \(keys.count) fields, found \(fields.count)); skipped",
                                  line: line, kind: .skippedRecord)
                    continue
                }
                if let w = warning { issues.report(w, line: line, kind: .warning) }
                try emit(m.makeDocument(keys: keys, values: fields, row: row, line: line))
            }
        }
        return .indexed
    }
}

extension CorpusWalker {
    /// The hash incremental indexing compares file contents by: 64-bit FNV-1a over the bytes.
    public static func contentHash(_ data: Data) -> UInt64 {
        data.withUnsafeBytes { fnv1a64($0) }
    }
}

/// A value handed to `DispatchQueue.concurrentPerform`'s workers, which touch disjoint parts of it.
private struct UncheckedSendable<T>: @unchecked Sendable { var value: T; init(_ v: T) { value = v } }

/// Whether `a` sorts before `b` in UTF-8 byte order (what `a.utf8.lexicographicallyPrecedes(b.utf8)` says,
/// by `memcmp` on native strings).
func utf8Precedes(_ a: String, _ b: String) -> Bool {
    let r = a.utf8.withContiguousStorageIfAvailable { x in
        b.utf8.withContiguousStorageIfAvailable { y -> Bool in
            let n = min(x.count, y.count)
            guard n > 0, let xa = x.baseAddress, let ya = y.baseAddress else { return x.count < y.count }
            let c = memcmp(xa, ya, n)
            return c != 0 ? c < 0 : x.count < y.count
        }
    }
    if let r, let r { return r }
    return a.utf8.lexicographicallyPrecedes(b.utf8)
}

/// 64-bit FNV-1a: file contents (``CorpusWalker/contentHash(_:)``) and the ingest state's checksum.
func fnv1a64<C: Sequence>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return h
}

/// A file the walker found: its path relative to the root, its size and modification time.
public struct SourceFile: Sendable, Hashable {
    /// The path relative to the walked folder, `/`-separated.
    public var path: String
    /// Its size in bytes (-1 when unknown).
    public var size: Int
    /// Its modification time in nanoseconds since 1970 (0 when unknown).
    public var modified: Int64
    /// A source file.
    public init(path: String, size: Int, modified: Int64) { self.path = path; self.size = size; self.modified = modified }
}

/// How one file ended, for ``IngestHooks/didFinish``.
public enum IngestFileResult: Sendable, Equatable {
    /// Parsed: its documents went to the body (maybe none, e.g. a header-only CSV).
    case indexed
    /// ``IngestHooks/willParse`` said its content is unchanged.
    case unchanged
    /// Read but not parsed (binary, empty, invalid JSON, too large); reported as an issue.
    case skipped
}

/// Per-file decisions for incremental indexing (``CorpusWalker/forEach(_:onIssue:only:hooks:)``). Files are
/// visited in path order; for each supported one:
/// 1. ``shouldRead`` decides from its size and time whether to read it at all (false: it is counted
///    unchanged and nothing else is called);
/// 2. once read, ``willParse`` gets its content hash (``CorpusWalker/contentHash(_:)``) and decides whether
///    to parse it (false: unchanged); this is the place to remove what an earlier version of the file gave;
/// 3. ``didFinish`` reports the result. A file that cannot be read gets neither call after `shouldRead`.
public struct IngestHooks {
    /// Before reading: false leaves the file out unread. Default: always read.
    public var shouldRead: (SourceFile) throws -> Bool
    /// After reading, with the content hash: false leaves the file out as unchanged. Default: always parse.
    public var willParse: (SourceFile, UInt64) throws -> Bool
    /// After the file's documents (if any) went to the body.
    public var didFinish: (SourceFile, UInt64, IngestFileResult) throws -> Void
    /// Hooks that read and parse every file.
    public init(shouldRead: @escaping (SourceFile) throws -> Bool = { _ in true },
                willParse: @escaping (SourceFile, UInt64) throws -> Bool = { _, _ in true },
                didFinish: @escaping (SourceFile, UInt64, IngestFileResult) throws -> Void = { _, _, _ in }) {
        self.shouldRead = shouldRead; self.willParse = willParse; self.didFinish = didFinish
    }
}
