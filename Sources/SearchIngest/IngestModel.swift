import Foundation

// Public value types of the ingestion layer. This folder depends only on Foundation.

/// One document produced from a file (or from one line / record of a multi-document file).
public struct IngestedDocument: Sendable, Equatable {
    /// From an id field (`id`, `_id`, `article_id`, `docid`, `doc_id`, or `IngestOptions.idField`);
    /// otherwise the relative path, or `relative/path#row` for multi-document files
    /// (row = 1-based line for JSON Lines, 1-based data-record number for CSV/TSV,
    /// 1-based element number for a JSON array).
    public var id: String
    /// The title: a heading, `<title>`, the first line, or the mapped title field.
    public var title: String
    /// The body text.
    public var body: String
    /// Other fields in source order (e.g. `date`, `url`). Always starts with `("path", relativePath)`.
    /// A JSON array appears here joined with ", ", and element by element in ``lists``.
    public var stored: [(String, String)]
    /// The elements of fields that were JSON arrays of strings, numbers or booleans (for keyword fields).
    public var lists: [String: [String]] = [:]

    /// A document with its id, title, body and other stored fields.
    public init(id: String, title: String, body: String, stored: [(String, String)]) {
        self.id = id
        self.title = title
        self.body = body
        self.stored = stored
    }

    /// The first stored value with this name, if any.
    public func storedValue(_ name: String) -> String? {
        for (k, v) in stored where k == name { return v }
        return nil
    }

    /// The relative path of the source file (the `path` stored field).
    public var path: String { storedValue("path") ?? "" }

    /// Equal when every field, stored ones included and in order, is equal.
    public static func == (a: IngestedDocument, b: IngestedDocument) -> Bool {
        guard a.id == b.id, a.title == b.title, a.body == b.body,
              a.stored.count == b.stored.count else { return false }
        for (x, y) in zip(a.stored, b.stored) where x.0 != y.0 || x.1 != y.1 { return false }
        return a.lists == b.lists
    }
}

/// How ``CorpusWalker`` reads a folder: field mapping, hidden files, links and size limits.
public struct IngestOptions: Sendable {
    /// Field/column holding the document id (JSON/CSV). Default: first of `id`, `_id`, `article_id`, `docid`, `doc_id`.
    public var idField: String?
    /// Field/column holding the title. Default: first of `title`, `headline`, `name`.
    public var titleField: String?
    /// Fields/columns making up the body, joined with a blank line. Default: first of `body`, `text`, `content`, `article`.
    public var bodyFields: [String]?
    /// Files larger than this are skipped. Default 256 MiB.
    public var maxFileBytes: Int
    /// Include files and directories whose name starts with '.'. Default false.
    public var includeHidden: Bool
    /// Follow symbolic links (cycles are detected). Default true.
    public var followSymlinks: Bool
    /// At most this many issues are reported individually per file; the rest are summarized in one issue.
    public var maxIssuesPerFile: Int

    /// Files larger than this (256 MiB) are skipped by default.
    public static let defaultMaxFileBytes = 256 * 1024 * 1024

    /// Options; nil field names mean the defaults (`id`/`_id`/`article_id`, `title`, `body`/`text`/`content`).
    public init(idField: String? = nil, titleField: String? = nil, bodyFields: [String]? = nil,
                maxFileBytes: Int = IngestOptions.defaultMaxFileBytes, includeHidden: Bool = false,
                followSymlinks: Bool = true, maxIssuesPerFile: Int = 100) {
        self.idField = idField
        self.titleField = titleField
        self.bodyFields = bodyFields
        self.maxFileBytes = maxFileBytes
        self.includeHidden = includeHidden
        self.followSymlinks = followSymlinks
        self.maxIssuesPerFile = maxIssuesPerFile
    }
}

/// A skipped file, a skipped line/record, or a warning (e.g. lossy UTF-8 decoding).
public struct IngestIssue: Sendable, Equatable, CustomStringConvertible {
    /// How serious an issue is: a whole file skipped, one record skipped, or a warning.
    public enum Kind: String, Sendable, Equatable {
        /// The whole file produced no documents (binary, too large, unreadable, empty, unparseable).
        case skippedFile
        /// One line or record of a multi-document file was skipped.
        case skippedRecord
        /// Documents were still produced, but something was off.
        case warning
    }

    /// Path relative to the walked root (or the root path itself for directory-level problems).
    public var path: String
    /// 1-based line number, when the issue concerns a specific line or record.
    public var line: Int?
    /// What was wrong, for people.
    public var reason: String
    /// What was skipped because of it.
    public var kind: Kind

    /// An issue at `path` (and `line`, when known).
    public init(path: String, line: Int? = nil, reason: String, kind: Kind) {
        self.path = path
        self.line = line
        self.reason = reason
        self.kind = kind
    }

    /// `path:line: reason`, the form the CLI prints.
    public var description: String {
        if let line = line { return "\(path):\(line): \(reason)" }
        return "\(path): \(reason)"
    }
}

/// Totals returned by `CorpusWalker.forEach`.
public struct IngestSummary: Sendable, Equatable, CustomStringConvertible {
    /// Regular, non-hidden files encountered (indexed + skipped).
    public var filesSeen = 0
    /// Files that were parsed (possibly yielding zero documents, e.g. a header-only CSV).
    public var filesIndexed = 0
    /// Files not parsed: unsupported extension, binary, empty, too large, unreadable, unparseable.
    public var filesSkipped = 0
    /// Of `filesSkipped`, those skipped silently because of an unsupported extension.
    public var filesUnsupported = 0
    /// Documents passed to the callback.
    public var documents = 0
    /// Lines/records skipped inside otherwise indexed files.
    public var recordsSkipped = 0
    /// Issues produced (including ones suppressed by `maxIssuesPerFile`).
    public var issues = 0
    /// Bytes read from files that were read.
    public var bytesRead = 0
    /// Files left out because ``IngestHooks`` found them unchanged.
    public var filesUnchanged = 0

    /// An empty summary.
    public init() {}

    /// One line of counts: files seen, indexed and skipped, documents.
    public var description: String {
        "\(filesSeen) files seen, \(filesIndexed) indexed, \(filesSkipped) skipped "
            + "(\(filesUnsupported) unsupported), \(documents) documents, "
            + "\(recordsSkipped) records skipped, \(issues) issues, \(bytesRead) bytes read"
    }
}

/// Why a folder cannot be walked at all (unlike ``IngestIssue``, which skips one file or record).
public enum IngestError: Error, Equatable, CustomStringConvertible {
    /// The path does not exist.
    case notFound(String)
    /// The path is not a folder.
    case notADirectory(String)
    /// The folder cannot be listed: path, reason.
    case unreadable(String, String)

    /// `path: what is wrong`, the form the CLI prints.
    public var description: String {
        switch self {
        case .notFound(let p): return "\(p): no such file or directory"
        case .notADirectory(let p): return "\(p): not a directory"
        case .unreadable(let p, let why): return "\(p): cannot read: \(why)"
        }
    }
}

extension IngestError: LocalizedError {
    /// The same text as `description`.
    public var errorDescription: String? { description }
}
