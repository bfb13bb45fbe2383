import ArgumentParser
import Foundation
import SearchIndex
import SearchIngest
#if canImport(Glibc)
import Glibc
#endif

/// The `search` command-line tool: `search index <folder>`, `search "<query>"`, `delete`, `stats`, `check`, `eval`.
public struct SearchCommand: ParsableCommand {
    /// The command line: subcommands, help and version.
    public static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Index a folder of articles and search it with BM25.",
        discussion: """
        Index:  search index corpus/            (into ./Index; --index DIR or SEARCH_INDEX to change)
        Update: search index corpus/ again      (reads only changed files); search index corpus/a.txt; search delete ID
        Search: search "Tangier arrest"         (a query that is a subcommand name: search -- index)
        Query language: words (OR), +required, -excluded, AND/OR/NOT, "a phrase", title:word, prefix*, (groups)
        Exit codes: 0 success (also when nothing matches), 2 usage or input error, 1 other failure.
        """,
        version: "0.1.0",
        subcommands: [QueryCommand.self, IndexCommand.self, DeleteCommand.self, StatsCommand.self, CheckCommand.self, EvalCommand.self],
        defaultSubcommand: QueryCommand.self
    )
    /// Required by `ParsableCommand`; use ``run(arguments:)``.
    public init() {}

    /// Runs the tool with `arguments` (without the program name) and returns the exit code.
    public static func run(arguments: [String]) -> Int32 {
        var args = arguments
        // `search -- index` searches for the word "index" instead of running the subcommand.
        if args.first == "--" { args = ["query", "--"] + args.dropFirst() }
        do {
            var command = try parseAsRoot(args)
            try command.run()
            return 0
        } catch let e as CLIError {
            Terminal.error(e.message)
            return e.exitCode
        } catch let e as SearchIndexError {
            Terminal.error(e.cliMessage)
            return e.cliExitCode
        } catch let e as IngestError {
            Terminal.error(e.description)
            return 2
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                return 0
            }
            Terminal.error(fullMessage(for: error))
            return code == .validationFailure ? 2 : (code.rawValue == 0 ? 0 : (code == ExitCode(64) ? 2 : 1))
        }
    }
}

/// Errors the CLI reports itself.
struct CLIError: Error {
    var message: String
    var exitCode: Int32
    static func input(_ m: String) -> CLIError { CLIError(message: m, exitCode: 2) }
    static func failure(_ m: String) -> CLIError { CLIError(message: m, exitCode: 1) }
}

extension SearchIndexError {
    var cliMessage: String {
        switch self {
        case let .noIndex(dir): return "no index at \(dir) - run `search index <folder>` first"
        default: return description
        }
    }
    var cliExitCode: Int32 {
        switch self {
        // Another writer holding the lock is not a usage error: the same command succeeds once it is done.
        case .noIndex, .querySyntax, .invalidArgument: return 2
        default: return 1
        }
    }
}

/// The indexes a query searches: every `--index` (several are searched as one, with index-wide
/// statistics: `Searcher(paths:)`), else `$SEARCH_INDEX`, else `./Index`.
struct IndexesOption: ParsableArguments {
    @Option(name: .long, help: "Index directory (default: $SEARCH_INDEX or ./Index); repeat it to search several indexes (shards) as one.")
    var index: [String] = []

    var paths: [String] { index.isEmpty ? [IndexOption.defaultPath] : index }
}

/// Where the index lives: `--index`, else `$SEARCH_INDEX`, else `./Index` (spelled so in messages).
struct IndexOption: ParsableArguments {
    @Option(name: .long, help: "Index directory (default: $SEARCH_INDEX or ./Index).")
    var index: String?

    var path: String { index ?? Self.defaultPath }

    /// `$SEARCH_INDEX`, else `./Index`.
    static var defaultPath: String {
        if let env = ProcessInfo.processInfo.environment["SEARCH_INDEX"], !env.isEmpty { return env }
        return "./Index"
    }
}

enum Terminal {
    static var stdoutIsTTY: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stderrIsTTY: Bool { isatty(STDERR_FILENO) == 1 }
    static var colorAllowed: Bool { ProcessInfo.processInfo.environment["NO_COLOR"].map { $0.isEmpty } ?? true }
    static func error(_ m: String) { FileHandle.standardError.write(Data("search: \(m)\n".utf8)) }
    static func note(_ m: String) { FileHandle.standardError.write(Data((m + "\n").utf8)) }
    static func bytes(_ n: Int) -> String {
        let d = Double(n)
        if d >= 1_073_741_824 { return String(format: "%.2f GB", d / 1_073_741_824) }
        if d >= 1_048_576 { return String(format: "%.1f MB", d / 1_048_576) }
        if d >= 1024 { return String(format: "%.1f KB", d / 1024) }
        return "\(n) B"
    }
}
