import Foundation

extension TestCollection {
    /// The collection formats understood by ``load(path:format:split:)``.
    public enum Format: String, CaseIterable, Sendable {
        /// BEIR: `corpus.jsonl`, `queries.jsonl`, `qrels/<split>.tsv`.
        case beir
        /// Cranfield: `cran.all.1400`, `cran.qry`, `cranqrel`.
        case cranfield
        /// TREC folder: a `topics*` file, a `qrels*` file and a `docs/` (or `documents/`) folder.
        case trec
    }

    /// Loads a collection from a folder, detecting its format unless `format` is given.
    ///
    /// Detection: a folder with `corpus.jsonl` is BEIR; one with `cran.all.1400` is Cranfield;
    /// one with a file whose name starts with `topics`, one starting with `qrels` and a `docs/`
    /// or `documents/` sub-folder is TREC (every non-hidden file below that sub-folder is a
    /// document file, read in path order).
    ///
    /// - Parameters:
    ///   - path: The collection folder.
    ///   - format: `"beir"`, `"cranfield"` or `"trec"` (case-insensitive), or `nil` to detect.
    ///   - split: The BEIR qrels split (ignored by other formats).
    /// - Throws: ``EvalError/unrecognizedFormat(path:reason:)`` when the format is unknown or
    ///   cannot be detected, otherwise the errors of the specific loader.
    public static func load(path: URL, format: String? = nil, split: String = "test") throws -> TestCollection {
        let chosen: Format
        if let name = format {
            guard let f = Format(rawValue: name.lowercased()) else {
                throw EvalError.unrecognizedFormat(
                    path: path.path,
                    reason: "unknown collection format \"\(name)\" (expected one of: \(Format.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            chosen = f
        } else {
            chosen = try detectFormat(path)
        }
        switch chosen {
        case .beir: return try loadBEIR(folder: path, split: split)
        case .cranfield: return try loadCranfield(folder: path)
        case .trec:
            let layout = try trecLayout(path)
            return try loadTREC(documents: layout.documents, topics: layout.topics, qrels: layout.qrels,
                                name: path.lastPathComponent)
        }
    }

    /// Detects the format of a collection folder (see ``load(path:format:split:)``).
    public static func detectFormat(_ path: URL) throws -> Format {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path.path, isDirectory: &isDir) else {
            throw EvalError.io(path: path.path, message: "no such file or folder")
        }
        guard isDir.boolValue else {
            throw EvalError.unrecognizedFormat(path: path.path, reason: "expected a collection folder")
        }
        if fm.fileExists(atPath: path.appendingPathComponent("corpus.jsonl").path) { return .beir }
        if fm.fileExists(atPath: path.appendingPathComponent("cran.all.1400").path) { return .cranfield }
        if (try? trecLayout(path)) != nil { return .trec }
        throw EvalError.unrecognizedFormat(
            path: path.path,
            reason: "cannot detect the collection format (no corpus.jsonl, cran.all.1400, or topics*/qrels*/docs/)")
    }

    /// Finds the files of a TREC collection folder.
    static func trecLayout(_ folder: URL) throws -> (documents: [URL], topics: URL, qrels: URL) {
        let fm = FileManager.default
        let names: [String]
        do {
            names = try fm.contentsOfDirectory(atPath: folder.path).sorted()
        } catch {
            throw EvalError.io(path: folder.path, message: "cannot list folder (\(error.localizedDescription))")
        }
        func isFile(_ name: String) -> Bool {
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: folder.appendingPathComponent(name).path, isDirectory: &isDir) && !isDir.boolValue
        }
        guard let topics = names.first(where: { $0.lowercased().hasPrefix("topics") && isFile($0) }) else {
            throw EvalError.unrecognizedFormat(path: folder.path, reason: "TREC folder without a topics* file")
        }
        guard let qrels = names.first(where: { $0.lowercased().hasPrefix("qrels") && isFile($0) }) else {
            throw EvalError.unrecognizedFormat(path: folder.path, reason: "TREC folder without a qrels* file")
        }
        guard let docsDir = names.first(where: { ($0 == "docs" || $0 == "documents") && !isFile($0) }) else {
            throw EvalError.unrecognizedFormat(path: folder.path, reason: "TREC folder without a docs/ sub-folder")
        }
        let docsURL = folder.appendingPathComponent(docsDir)
        var documents: [URL] = []
        if let enumerator = fm.enumerator(atPath: docsURL.path) {
            while let relative = enumerator.nextObject() as? String {
                let url = docsURL.appendingPathComponent(relative)
                var isDir: ObjCBool = false
                guard !url.lastPathComponent.hasPrefix("."),
                      fm.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue else { continue }
                documents.append(url)
            }
        }
        documents.sort { $0.path < $1.path }
        guard !documents.isEmpty else {
            throw EvalError.unrecognizedFormat(path: docsURL.path, reason: "no document files")
        }
        return (documents, folder.appendingPathComponent(topics), folder.appendingPathComponent(qrels))
    }
}
