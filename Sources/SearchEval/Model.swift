import Foundation

/// One document of a test collection.
public struct EvalDocument: Sendable, Equatable {
    /// The collection's identifier for the document (BEIR `_id`, TREC `DOCNO`, Cranfield `.I`).
    public var id: String
    /// The document title; empty when the collection has none.
    public var title: String
    /// The document body.
    public var text: String

    /// Creates a document.
    public init(id: String, title: String = "", text: String) {
        self.id = id
        self.title = title
        self.text = text
    }
}

/// One query (topic) of a test collection.
public struct EvalQuery: Sendable, Equatable {
    /// The query identifier, as used by the collection's relevance judgments.
    public var id: String
    /// The query text (for TREC topics: the `<title>` field).
    public var text: String

    /// Creates a query.
    public init(id: String, text: String) {
        self.id = id
        self.text = text
    }
}

/// Relevance judgments ("qrels"): graded relevance per query and document.
///
/// Following trec_eval, a judgment with a value `>= 1` marks a *relevant* document; `0`
/// and negative values are judged non-relevant (negative gains count as `0` in nDCG).
public struct Qrels: Sendable, Equatable {
    /// Query id → document id → graded relevance.
    public var judgments: [String: [String: Int]]

    /// Creates qrels from a nested dictionary.
    public init(judgments: [String: [String: Int]] = [:]) {
        self.judgments = judgments
    }

    /// The ids of all judged queries (in no particular order).
    public var queryIDs: [String] { Array(judgments.keys) }

    /// The number of relevant (relevance `>= 1`) documents judged for `queryID`.
    public func relevantCount(for queryID: String) -> Int {
        judgments[queryID]?.values.reduce(0) { $0 + ($1 >= 1 ? 1 : 0) } ?? 0
    }

    /// The total number of (query, document) judgments.
    public var judgmentCount: Int {
        judgments.values.reduce(0) { $0 + $1.count }
    }
}

/// A complete test collection: documents, queries and relevance judgments.
public struct TestCollection: Sendable {
    /// A short name, usually the folder name (e.g. `"scifact"`).
    public var name: String
    /// All documents, in file order.
    public var documents: [EvalDocument]
    /// The queries, in file order.
    public var queries: [EvalQuery]
    /// The relevance judgments for ``queries``.
    public var qrels: Qrels

    /// Creates a collection from its parts.
    public init(name: String, documents: [EvalDocument], queries: [EvalQuery], qrels: Qrels) {
        self.name = name
        self.documents = documents
        self.queries = queries
        self.qrels = qrels
    }
}

/// Errors raised while reading collections, qrels and runs.
///
/// Every case names the offending file; malformed input also names the 1-based line.
public enum EvalError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file or folder could not be read or written.
    case io(path: String, message: String)
    /// The file's content does not follow the expected format at `line` (1-based).
    case malformed(path: String, line: Int, reason: String)
    /// The path does not look like any supported collection format.
    case unrecognizedFormat(path: String, reason: String)

    /// A human-readable description naming the file (and line).
    public var description: String {
        switch self {
        case let .io(path, message):
            return "\(path): \(message)"
        case let .malformed(path, line, reason):
            return "\(path):\(line): \(reason)"
        case let .unrecognizedFormat(path, reason):
            return "\(path): \(reason)"
        }
    }

    /// The path of the file the error is about.
    public var path: String {
        switch self {
        case let .io(path, _), let .malformed(path, _, _), let .unrecognizedFormat(path, _):
            return path
        }
    }

    /// The 1-based line number for ``malformed(path:line:reason:)``, otherwise `nil`.
    public var line: Int? {
        if case let .malformed(_, line, _) = self { return line }
        return nil
    }
}
