import ArgumentParser
import Foundation
import SearchIndex
import SearchIngest

/// `search delete <id>…`: deletes documents by id, in one commit.
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete documents by id (as `search --json` shows them), in one commit.",
        discussion: """
        Every id must exist: if one does not, nothing is deleted. A deleted document stays deleted when the
        folder is indexed again, until its file changes. Use `search -- delete` to search for the word.
        """)

    @OptionGroup var location: IndexOption
    @Argument(help: "Ids of the documents to delete.") var ids: [String] = []

    func run() throws {
        guard !ids.isEmpty else { throw CLIError.input("give the ids of the documents to delete") }
        let path = location.path
        let writer = try IndexWriter(path: path, create: false)
        defer { writer.close() }
        let searcher = try Searcher(path: path)
        var seen = Set<String>()
        let unique = ids.filter { seen.insert($0).inserted }
        let missing = try unique.filter { try searcher.document(id: $0) == nil }
        guard missing.isEmpty else {
            throw CLIError.input("no document with id \(missing.map(\.debugDescription).joined(separator: ", ")) in \(path); nothing was deleted")
        }
        for id in unique { try writer.deleteDocument(id: id) }
        var userData = writer.lastCommit.userData
        var keep: String? = nil
        if let name = userData[IngestState.userDataKey] {
            // The record of indexed files forgets the ids, so that a later `search index` does not count them.
            if var state = try? IngestState.read(fromIndex: path, name: name) {
                let gone = Set(unique)
                for (p, e) in state.files where e.ids.contains(where: gone.contains) {
                    state.files[p]?.ids = e.ids.filter { !gone.contains($0) }
                }
                keep = try state.write(toIndex: path)
                userData[IngestState.userDataKey] = keep
            } else {
                keep = name
            }
        }
        try writer.commit(userData: userData)
        if keep != nil { IngestState.removeStale(inIndex: path, keep: keep) }
        let live = writer.lastCommit.segments.reduce(0) { $0 + $1.liveDocCount }
        print("deleted \(unique.count) document\(unique.count == 1 ? "" : "s") from \(path); \(live) left")
    }
}
