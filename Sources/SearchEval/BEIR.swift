import Foundation

extension TestCollection {
    /// Loads a collection in BEIR layout.
    ///
    /// The folder must contain:
    /// - `corpus.jsonl`: one JSON object per line with `_id`, `title` and `text`
    ///   (`title`/`text` may be missing or `null`; a numeric `_id` is converted to a string);
    /// - `queries.jsonl`: one JSON object per line with `_id` and `text`;
    /// - `qrels/<split>.tsv`: tab-separated `query-id  corpus-id  score` with an optional header line.
    ///
    /// Only queries that appear in the chosen split's qrels are kept, in `queries.jsonl` order.
    ///
    /// - Parameters:
    ///   - folder: The dataset folder (e.g. `.../scifact`).
    ///   - split: The qrels split to use (`"test"`, `"dev"`, `"train"`).
    /// - Throws: ``EvalError`` naming the file and line for unreadable or malformed input,
    ///   duplicate document ids, or qrels that reference a query missing from `queries.jsonl`.
    public static func loadBEIR(folder: URL, split: String = "test") throws -> TestCollection {
        let corpusURL = folder.appendingPathComponent("corpus.jsonl")
        let queriesURL = folder.appendingPathComponent("queries.jsonl")
        let qrelsURL = folder.appendingPathComponent("qrels").appendingPathComponent("\(split).tsv")

        let (qrels, firstLine) = try Qrels.readBEIR(qrelsURL)

        var documents: [EvalDocument] = []
        var seenDocs = Set<String>()
        try BEIRReader.forEachObject(in: corpusURL) { object, line in
            let id = try BEIRReader.id(object, path: corpusURL.path, line: line)
            guard seenDocs.insert(id).inserted else {
                throw EvalError.malformed(path: corpusURL.path, line: line, reason: "duplicate document _id \"\(id)\"")
            }
            let title = try BEIRReader.string(object, "title", path: corpusURL.path, line: line)
            let text = try BEIRReader.string(object, "text", path: corpusURL.path, line: line)
            documents.append(EvalDocument(id: id, title: title, text: text))
        }

        var queries: [EvalQuery] = []
        var seenQueries = Set<String>()
        try BEIRReader.forEachObject(in: queriesURL) { object, line in
            let id = try BEIRReader.id(object, path: queriesURL.path, line: line)
            guard qrels.judgments[id] != nil else { return }
            guard seenQueries.insert(id).inserted else {
                throw EvalError.malformed(path: queriesURL.path, line: line, reason: "duplicate query _id \"\(id)\"")
            }
            let text = try BEIRReader.string(object, "text", path: queriesURL.path, line: line)
            queries.append(EvalQuery(id: id, text: text))
        }
        if let missing = qrels.judgments.keys.filter({ !seenQueries.contains($0) }).min() {
            throw EvalError.malformed(path: qrelsURL.path, line: firstLine[missing] ?? 0,
                                      reason: "query \"\(missing)\" does not appear in queries.jsonl")
        }
        return TestCollection(name: folder.lastPathComponent, documents: documents, queries: queries, qrels: qrels)
    }
}

extension Qrels {
    /// Reads a BEIR qrels file (`query-id  corpus-id  score`, tab- or space-separated).
    ///
    /// A first line whose third field is not an integer is taken as the header and skipped;
    /// blank lines are ignored. A repeated (query, document) pair keeps the last value.
    ///
    /// - Throws: ``EvalError/malformed(path:line:reason:)`` for lines with fewer than three
    ///   fields or a non-integer score.
    public static func loadBEIR(_ url: URL) throws -> Qrels {
        try readBEIR(url).qrels
    }

    /// Reads BEIR qrels and also returns the first line each query appears on (for errors).
    static func readBEIR(_ url: URL) throws -> (qrels: Qrels, firstLine: [String: Int]) {
        let lines = TextInput.lines(try TextInput.readString(url))
        var judgments: [String: [String: Int]] = [:]
        var firstLine: [String: Int] = [:]
        for (index, line) in lines.enumerated() {
            let lineNo = index + 1
            if TextInput.isBlank(line) { continue }
            var fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            if fields.count < 3 { fields = TextInput.fields(line) }
            guard fields.count >= 3 else {
                throw EvalError.malformed(path: url.path, line: lineNo,
                                          reason: "expected 3 fields (query-id, corpus-id, score), found \(fields.count)")
            }
            let qid = fields[0].trimmingCharacters(in: .whitespaces)
            let docid = fields[1].trimmingCharacters(in: .whitespaces)
            let scoreField = fields[2].trimmingCharacters(in: .whitespaces)
            guard let score = TextInput.integer(scoreField) else {
                if lineNo == 1 { continue }  // header: query-id corpus-id score
                throw EvalError.malformed(path: url.path, line: lineNo, reason: "score \"\(scoreField)\" is not an integer")
            }
            guard !qid.isEmpty, !docid.isEmpty else {
                throw EvalError.malformed(path: url.path, line: lineNo, reason: "empty query or corpus id")
            }
            judgments[qid, default: [:]][docid] = score
            if firstLine[qid] == nil { firstLine[qid] = lineNo }
        }
        return (Qrels(judgments: judgments), firstLine)
    }
}

/// Internal JSON-lines reading for BEIR files.
enum BEIRReader {
    /// Calls `body` with each non-blank line's JSON object and its 1-based line number.
    static func forEachObject(in url: URL, _ body: ([String: Any], Int) throws -> Void) throws {
        let bytes = [UInt8](try TextInput.readData(url))
        var start = 0
        var lineNo = 0
        while start < bytes.count {
            lineNo += 1
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            var last = end
            while last > start && (bytes[last - 1] == 0x0D || bytes[last - 1] == 0x20 || bytes[last - 1] == 0x09) {
                last -= 1
            }
            var first = start
            while first < last && (bytes[first] == 0x20 || bytes[first] == 0x09) { first += 1 }
            if first < last {
                let slice = Data(bytes[first..<last])
                let parsed: Any
                do {
                    parsed = try JSONSerialization.jsonObject(with: slice, options: [])
                } catch {
                    throw EvalError.malformed(path: url.path, line: lineNo, reason: "invalid JSON")
                }
                guard let object = parsed as? [String: Any] else {
                    throw EvalError.malformed(path: url.path, line: lineNo, reason: "expected a JSON object")
                }
                try body(object, lineNo)
            }
            start = end + 1
        }
    }

    /// The `_id` field as a string (numbers are converted).
    static func id(_ object: [String: Any], path: String, line: Int) throws -> String {
        guard let value = object["_id"] else {
            throw EvalError.malformed(path: path, line: line, reason: "missing \"_id\"")
        }
        if let s = value as? String, !s.isEmpty { return s }
        if !(value is String), let n = value as? NSNumber { return n.stringValue }
        throw EvalError.malformed(path: path, line: line, reason: "\"_id\" must be a non-empty string or a number")
    }

    /// An optional string field (`""` when missing or `null`).
    static func string(_ object: [String: Any], _ key: String, path: String, line: Int) throws -> String {
        guard let value = object[key], !(value is NSNull) else { return "" }
        if let s = value as? String { return s }
        throw EvalError.malformed(path: path, line: line, reason: "\"\(key)\" must be a string")
    }
}
