import ArgumentParser
import Foundation
import SearchIndex

/// `search "<query>"`: prints the top hits with snippets.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Search the index (the default command: `search \"Tangier arrest\"`).")

    @OptionGroup var location: IndexesOption
    @Option(name: [.short, .long], help: "Number of hits to show.") var limit = 10
    @Flag(help: "One JSON object per hit on stdout (for scripts).") var json = false
    @Flag(help: "Show how each hit's BM25 score was computed.") var explain = false
    @Flag(help: "Require every word (AND instead of OR).") var all = false
    @Flag(help: "Typo tolerance: plain words also match terms one or two edits away (ranked below exact matches).") var fuzzy = false
    @Option(name: .long, help: "Search only this field (repeatable), e.g. --field title.") var field: [String] = []
    @Option(help: "BM25 k1 (Lucene's and tantivy's: 1.2).") var k1: Float = BM25().k1
    @Option(help: "BM25 b (Lucene's and tantivy's: 0.75).") var b: Float = BM25().b
    @Option(name: .long, help: "Boost a field, e.g. --boost title=2 (repeatable).") var boost: [String] = []
    @Option(help: "How a word's fields combine: combined (BM25F: the fields scored as one; the default), max (dis-max with tie-breaker 0.1) or sum.") var combine = "combined"
    @Flag(name: .customLong("expand"), help: "Pseudo-relevance feedback (RM3): add words from the best 10 hits to the query and run it again (about 3.6x slower; the index must store the text).") var expand = false
    @Option(help: "Term proximity weight: query words near each other lift a hit (0, the default: off; 0.25 is a good start; costs latency).") var proximity: Float = 0
    @Option(help: "Highlight matches: auto (on a terminal, unless NO_COLOR is set), always, never.") var color = "auto"
    @Option(help: "Keep only matches of this query, without changing scores; its clauses combine with AND, e.g. 'topics:crude date:[1987-03-01 TO 1987-03-31]'.") var filter: String?
    @Option(parsing: .unconditionalSingleValue, help: "Sort by a typed field: date (oldest first) or -date (newest first); repeat or comma-separate for ties; _score for the score.") var sort: [String] = []
    @Option(help: "Count the matches per value of a typed field: places, places:20 (top 20), date:year|month|day (repeatable).") var facet: [String] = []
    @Option(help: "Skip this many hits (paging: --offset 10 --limit 10 is page 2).") var offset = 0
    @Argument(help: "The query (quote it, or put it after --).") var words: [String] = []

    func run() throws {
        var words = words
        if words.first == "--" { words.removeFirst() }
        var text = words.joined(separator: " ").trimmingCharacters(in: .whitespaces)
        if text.isEmpty && (filter != nil || !sort.isEmpty || !facet.isEmpty) { text = "*:*" }   // browse: every document
        guard !text.isEmpty else { throw CLIError.input("no query given; try: search \"Tangier arrest\" (see search --help)") }
        guard limit >= 0 else { throw CLIError.input("--limit must be >= 0") }
        guard offset >= 0 else { throw CLIError.input("--offset must be >= 0") }
        let paths = location.paths
        let searcher = paths.count == 1 ? try Searcher(path: paths[0]) : try Searcher(paths: paths)
        var options = SearchOptions(limit: limit)
        options.countAllHits = true
        options.defaultOperator = all ? .and : .or
        options.typoTolerance = fuzzy
        options.suggestBelow = 3
        options.bm25 = BM25(k1: k1, b: b)
        guard ["auto", "always", "never"].contains(color) else { throw CLIError.input("--color must be auto, always or never") }
        switch combine {
        case "combined": options.fieldCombination = .combined
        case "max": options.fieldCombination = .max(tieBreaker: 0.1)
        case "sum": options.fieldCombination = .sum
        default: throw CLIError.input("--combine must be combined, max or sum")
        }
        guard proximity >= 0, proximity.isFinite else { throw CLIError.input("--proximity must be 0 or more") }
        options.proximityWeight = proximity
        if expand { options.expansion = .rm3 }
        if !field.isEmpty {
            let known = Set(searcher.textFields)
            for f in field where !known.contains(f) {
                throw CLIError.input("unknown field '\(f)'; fields: \(searcher.textFields.joined(separator: ", "))")
            }
            options.fields = field
        }
        options.offset = offset
        if let filter { try options.filter(filter) }
        options.sort = try sort.flatMap { $0.split(separator: ",") }.map { try SortField.parse(String($0)) }
        options.facets = try facet.map { try FacetRequest.parse($0) }
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
                if !options.sort.isEmpty { obj["sort"] = hit.sortValues.map(Self.jsonValue) }
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
            if !options.sort.isEmpty { meta.append("sort: " + hit.sortValues.map(\.description).joined(separator: ", ")) }
            out += "    \(dim)\(meta.joined(separator: " · "))\(reset)\n"
            let s = snippet.rendered(open: useColor ? hl : "[", close: useColor ? reset : "]")
            if !s.isEmpty { out += "    \(s)\n" }
            if explain, let e = try searcher.explain(query, docID: hit.docID, options: options) {
                out += e.description.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n") + "\n"
            }
        }
        if !json {
            for f in results.facets {
                let shown = f.buckets.map { "\($0.value) \($0.count)" }.joined(separator: " · ")
                var line = "\(f.field): \(shown.isEmpty ? "(no values)" : shown)"
                if f.distinctValues > f.buckets.count, case .terms = options.facets.first(where: { $0.field == f.field }) ?? .terms("") {
                    line += " · … \(f.distinctValues - f.buckets.count) more values"
                }
                if f.missing > 0 { line += " · (no value) \(f.missing)" }
                out += line + "\n"
            }
        }
        if json {
            var summary: [String: Any] = ["total": results.totalHits, "total_is_exact": results.totalHitsIsExact,
                                          "query": query.description]
            if let s = results.suggestion { summary["suggestion"] = s }
            if offset > 0 { summary["offset"] = offset }
            if !results.facets.isEmpty {
                var facets: [String: Any] = [:]
                for f in results.facets {
                    facets[f.field] = f.buckets.map { ["value": $0.value, "count": $0.count] as [String: Any] }
                }
                summary["facets"] = facets
            }
            let data = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys, .withoutEscapingSlashes])
            out += String(decoding: data, as: UTF8.self) + "\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    /// A sort value for JSON: numbers as numbers, dates in ISO 8601, a missing value as null.
    static func jsonValue(_ v: SortValue) -> Any {
        switch v {
        case let .score(s): return Double(s)
        case let .int(i): return i
        case let .double(d): return d.isFinite ? d : String(d)
        case let .date(ms): return DateValue.format(ms)
        case let .bool(b): return b
        case let .keyword(k): return k
        case .missing: return NSNull()
        }
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
