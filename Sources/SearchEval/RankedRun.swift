import Foundation

/// A retrieval run: for each query, the retrieved documents with their scores.
///
/// Evaluation (``Metrics``) does not rely on the stored order: like trec_eval it re-sorts each
/// query's results by score (compared as 32-bit floats) descending, ties broken by document id
/// descending. The stored order is what ``writeTREC(to:tag:)`` writes as ranks.
public struct RankedRun: Sendable {
    /// One retrieved document.
    public typealias Entry = (docID: String, score: Double)

    /// Query id → results in rank order (best first).
    public var results: [String: [(docID: String, score: Double)]]

    /// Creates a run.
    public init(results: [String: [(docID: String, score: Double)]] = [:]) {
        self.results = results
    }

    /// The number of queries with an entry in the run.
    public var queryCount: Int { results.count }

    /// A copy without results whose document id equals the query id.
    ///
    /// BEIR and Anserini drop such "self hits" for collections where queries are also documents
    /// (e.g. ArguAna, Quora).
    public func removingSelfHits() -> RankedRun {
        var copy = self
        for (qid, entries) in results where entries.contains(where: { $0.docID == qid }) {
            copy.results[qid] = entries.filter { $0.docID != qid }
        }
        return copy
    }

    /// A copy keeping at most the first `k` results of every query (in stored order).
    public func truncated(to k: Int) -> RankedRun {
        RankedRun(results: results.mapValues { Array($0.prefix(max(0, k))) })
    }

    /// Reads a TREC run file: whitespace-separated lines `qid Q0 docid rank score tag`.
    ///
    /// Results keep file order. The rank column must be an integer but is otherwise ignored
    /// (trec_eval ranks by score). Blank lines are skipped.
    ///
    /// - Throws: ``EvalError/malformed(path:line:reason:)`` for a line without six fields, a
    ///   non-numeric rank or score, or a document listed twice for the same query (which
    ///   trec_eval also rejects).
    public static func loadTREC(_ url: URL) throws -> RankedRun {
        let lines = TextInput.lines(try TextInput.readString(url))
        var results: [String: [(docID: String, score: Double)]] = [:]
        var seen: [String: Set<String>] = [:]
        for (index, line) in lines.enumerated() {
            let lineNo = index + 1
            if TextInput.isBlank(line) { continue }
            let fields = TextInput.fields(line)
            guard fields.count == 6 else {
                throw EvalError.malformed(path: url.path, line: lineNo,
                                          reason: "expected 6 fields (qid Q0 docid rank score tag), found \(fields.count)")
            }
            guard Int(fields[3]) != nil else {
                throw EvalError.malformed(path: url.path, line: lineNo, reason: "rank \"\(fields[3])\" is not an integer")
            }
            guard let score = Double(fields[4]), !score.isNaN else {
                throw EvalError.malformed(path: url.path, line: lineNo, reason: "score \"\(fields[4])\" is not a number")
            }
            let qid = String(fields[0]), docid = String(fields[2])
            guard seen[qid, default: []].insert(docid).inserted else {
                throw EvalError.malformed(path: url.path, line: lineNo,
                                          reason: "document \"\(docid)\" appears twice for query \"\(qid)\"")
            }
            results[qid, default: []].append((docid, score))
        }
        return RankedRun(results: results)
    }

    /// The run in TREC format, one line `qid Q0 docid rank score tag` per result.
    ///
    /// Queries are written in id order (numerically when both ids are integers), results in
    /// stored order with ranks 1, 2, …. Scores use the shortest representation that reads back
    /// as the same `Double`. Whitespace in `tag` is replaced by `_`.
    ///
    /// - Throws: ``EvalError/io(path:message:)`` (with path `"<run>"`) when a query or document
    ///   id is empty or contains whitespace, or a score is not finite, as the line could not be read back.
    public func trecFormatted(tag: String) throws -> String {
        let safeTag = tag.isEmpty ? "run" : String(tag.map { $0.isWhitespace ? "_" : $0 })
        var out = ""
        for qid in results.keys.sorted(by: RankedRun.queryIDPrecedes) {
            try RankedRun.checkID(qid)
            for (rank, entry) in (results[qid] ?? []).enumerated() {
                try RankedRun.checkID(entry.docID)
                guard entry.score.isFinite else {
                    throw EvalError.io(path: "<run>", message: "score of \(entry.docID) for query \(qid) is not finite")
                }
                out += "\(qid) Q0 \(entry.docID) \(rank + 1) \(entry.score) \(safeTag)\n"
            }
        }
        return out
    }

    /// Writes the run as a TREC run file (see ``trecFormatted(tag:)``).
    ///
    /// - Throws: ``EvalError/io(path:message:)`` when the file cannot be written or an id
    ///   cannot be represented.
    public func writeTREC(to url: URL, tag: String) throws {
        let text = try trecFormatted(tag: tag)
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw EvalError.io(path: url.path, message: "cannot write run (\(error.localizedDescription))")
        }
    }

    private static func checkID(_ id: String) throws {
        if id.isEmpty || id.contains(where: { $0.isWhitespace }) {
            throw EvalError.io(path: "<run>", message: "id \"\(id)\" is empty or contains whitespace")
        }
    }

    /// Orders query ids numerically when both are integers, otherwise as strings.
    static func queryIDPrecedes(_ a: String, _ b: String) -> Bool {
        if let x = Int(a), let y = Int(b), x != y { return x < y }
        return a < b
    }
}

/// Writes `run` as a TREC run file (`qid Q0 docid rank score tag`).
///
/// Equivalent to ``RankedRun/writeTREC(to:tag:)``.
public func writeTREC(run: RankedRun, to url: URL, tag: String) throws {
    try run.writeTREC(to: url, tag: tag)
}
