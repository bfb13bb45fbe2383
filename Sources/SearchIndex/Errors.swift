/// Errors thrown by the SearchIndex library.
///
/// Data read from disk or typed by a user never traps: it produces one of these cases, naming the
/// file and offset, or the query position, that was wrong.
public enum SearchIndexError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A file of the index is damaged, truncated or of an unknown format.
    case corruptIndex(file: String, reason: String)
    /// There is no committed index in the directory.
    case noIndex(directory: String)
    /// Another writer holds the index's write lock.
    case lockHeld(directory: String, holder: String)
    /// An operating-system call failed.
    case io(path: String, message: String)
    /// A query could not be parsed; `position` is the 0-based character offset in the query string.
    case querySyntax(query: String, position: Int, message: String)
    /// An argument given to the API is invalid (an unknown stemmer language, a field limit exceeded…).
    case invalidArgument(String)
    /// The writer was used after `close()`.
    case writerClosed

    /// A one-line message (two more lines pointing at the position for query syntax errors).
    public var description: String {
        switch self {
        case let .corruptIndex(file, reason): return "corrupt index: \(file): \(reason)"
        case let .noIndex(directory): return "no index at \(directory)"
        case let .lockHeld(directory, holder): return "the index at \(directory) is locked by another writer (\(holder))"
        case let .io(path, message): return "\(path): \(message)"
        case let .querySyntax(query, position, message):
            return "query syntax error at position \(position): \(message)\n  \(query)\n  \(String(repeating: " ", count: max(0, position)))^"
        case let .invalidArgument(m): return "invalid argument: \(m)"
        case .writerClosed: return "the index writer is closed"
        }
    }
}
