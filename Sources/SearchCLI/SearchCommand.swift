import ArgumentParser

/// The `search` command-line tool.
public struct SearchCommand: ParsableCommand {
    public init() {}
    public func run() throws {}
}
