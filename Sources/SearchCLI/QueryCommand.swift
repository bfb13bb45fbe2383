import ArgumentParser
import Foundation
import SearchIndex

/// `search "<query>"`: prints the top hits with snippets.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Search the index (the default command: `search \"Tangier arrest\"`).")

    @OptionGroup var location: IndexOption
    @Option(name: [.short, .long], help: "Number of hits to show.") var limit = 10
    @Flag(help: "One JSON object per hit on stdout (for scripts).") var json = false
    @Flag(help: "Show how each hit's BM25 score was computed.") var explain = false
    @Flag(help: "Require every word (AND instead of OR).") var all = false
    @Flag(help: "Typo tolerance: plain words also match terms one or two edits away (ranked below exact matches).") var fuzzy = false
    @Option(name: .long, help: "Search only this field (repeatable), e.g. --field title.") var field: [String] = []
    @Option(help: "BM25 k1.") var k1: Float = 1.2
    @Option(help: "BM25 b.") var b: Float = 0.75
    @Option(name: .long, help: "Boost a field, e.g. --boost title=2 (repeatable).") var boost: [String] = []
    @Option(help: "How a word's per-field scores combine: max (dis-max with tie-breaker 0.1) or sum.") var combine = "max"
    @Option(help: "Highlight matches: auto (on a terminal, unless NO_COLOR is set), always, never.") var color = "auto"
    @Argument(help: "The query (quote it, or put it after --).") var words: [String] = []

    func run() throws {
        var words = words
        if words.first == "--" { words.removeFirst() }
        let text = words.joined(separator: " ").trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw CLIError.input("no query given; try: search \"Tangier arrest\" (see search --help)") }
        guard limit >= 0 else { throw CLIError.input("--limit must be >= 0") }
        let searcher = try Searcher(path: location.path)
        var options = SearchOptions(limit: limit)
        options.countAllHits = true
        options.defaultOperator = all ? .and : .or
        options.typoTolerance = fuzzy
        options.suggestBelow = 3
        options.bm25 = BM25(k1: k1, b: b)
        guard ["auto", "always", "never"].contains(color) else { throw CLIError.input("--color must be auto, always or never") }
        guard combine == "sum" || combine == "max" else { throw CLIError.input("--combine must be sum or max") }
        if combine == "sum" { options.fieldCombination = .sum }
        if !field.isEmpty {
            let known = Set(searcher.textFields)
            for f in field where !known.contains(f) {
                throw CLIError.input("unknown field '\(f)'; fields: \(searcher.textFields.joined(separator: ", "))")
            }
            options.fields = field
        }
        for spec in boost {
            let kv = spec.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, let v = Float(kv[1]) else { throw CLIError.input("--boost wants FIELD=NUMBER, got '\(spec)'") }
            options.boosts[String(kv[0])] = v
        }
        let results = try searcher.search(text, options: options)
        let query = results.query
        let useColor = color == "always" || (color == "auto" && Terminal.stdoutIsTTY && Terminal.colorAllowed)
        var out = ""
        if !json {
            out += "\(results.totalHits) match\(results.totalHits == 1 ? "" : "es") for \(text)\n"
            if let s = results.suggestion { out += "did you mean: \(s)\n" }
        }
        for (i, hit) in results.hits.enumerated() {
            let doc = hit.document ?? StoredDocument(id: "?", fields: [])
            let title = doc["title"].flatMap { $0.isEmpty ? nil : $0 } ?? doc.id
            let date = doc["date"] ?? doc["publish_date"]
            let path = doc["path"]
            let snippet = searcher.snippet(for: hit, field: "body", in: results)
                ?? searcher.snippet(for: hit, field: "title", in: results)
                ?? searcher.snippet("", terms: results.highlightTerms)
            if json {
                var obj: [String: Any] = ["rank": i + 1, "score": Double(hit.score), "id": doc.id, "title": title,
                                          "snippet": snippet.rendered(), "highlights": Self.highlightOffsets(snippet)]
                if let date { obj["date"] = date }
                if let path { obj["path"] = path }
                var fields: [String: String] = [:]
                for (k, v) in doc.fields where k != "body" && k != "title" { fields[k] = v }
                obj["fields"] = fields
                if explain, let e = try searcher.explain(query, docID: hit.docID, options: options) { obj["explain"] = e.description }
                let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .withoutEscapingSlashes])
                out += String(decoding: data, as: UTF8.self) + "\n"
                continue
            }
            let bold = useColor ? "\u{1B}[1m" : "", hl = useColor ? "\u{1B}[1;33m" : "", dim = useColor ? "\u{1B}[2m" : "", reset = useColor ? "\u{1B}[0m" : ""
            let rank = i + 1 < 10 ? " \(i + 1)" : "\(i + 1)"
            out += "\(rank). \(bold)\(title)\(reset)  \(dim)(\(String(format: "%.3f", Double(hit.score))))\(reset)\n"
            var meta = [doc.id]
            if let date { meta.append(date) }
            if let path, path != doc.id { meta.append(path) }
            out += "    \(dim)\(meta.joined(separator: " · "))\(reset)\n"
            let s = snippet.rendered(open: useColor ? hl : "[", close: useColor ? reset : "]")
            if !s.isEmpty { out += "    \(s)\n" }
            if explain, let e = try searcher.explain(query, docID: hit.docID, options: options) {
                out += e.description.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n") + "\n"
            }
        }
        if json {
            var summary: [String: Any] = ["total": results.totalHits, "total_is_exact": results.totalHitsIsExact,
                                          "query": query.description]
            if let s = results.suggestion { summary["suggestion"] = s }
            let data = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys, .withoutEscapingSlashes])
            out += String(decoding: data, as: UTF8.self) + "\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    /// `[start, end)` of each highlighted run in `snippet.rendered()`, in Unicode scalars (code points).
    static func highlightOffsets(_ snippet: Snippet) -> [[Int]] {
        var offsets: [[Int]] = []
        var at = snippet.truncatedStart ? 1 : 0   // the leading "…"
        for f in snippet.fragments {
            let n = f.text.unicodeScalars.count
            if f.isMatch { offsets.append([at, at + n]) }
            at += n
        }
        return offsets
    }
}
