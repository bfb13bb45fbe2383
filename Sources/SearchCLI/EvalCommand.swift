import ArgumentParser
import Foundation
import SearchEval
import SearchIndex

/// `search eval <collection>`: relevance of our BM25 on a test collection, trec_eval-style metrics.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate ranking on a test collection (BEIR, TREC or Cranfield): nDCG@10, R@100, R@1000, MAP, MRR@10.",
        discussion: """
        Builds a temporary index of the collection (or uses --index), runs every query as a bag of words (top
        --hits), drops a hit whose id equals the query id (as BEIR and Anserini do) and scores the run against
        the qrels with trec_eval's conventions. --preset anserini reproduces Anserini's BM25 baseline
        (k1=0.9, b=0.4, Porter stemmer, Lucene's 33 stopwords, title and text as one field).
        """)

    @Argument(help: "Collection folder (BEIR: corpus.jsonl/queries.jsonl/qrels; Cranfield: cran.all.1400 …; TREC).")
    var collection: String
    @Option(help: "Collection format: beir, cranfield or trec (default: detected).") var format: String?
    @Option(help: "Qrels split for BEIR.") var split = "test"
    @Option(help: "Use this existing index instead of building a temporary one.") var index: String?
    @Option(help: "Configuration preset: default (our defaults) or anserini.") var preset = "default"
    @Option(help: "BM25 k1.") var k1: Float?
    @Option(help: "BM25 b.") var b: Float?
    @Option(help: "Snowball stemmer (english, porter, …) or none.") var stemmer: String?
    @Option(help: "Stopwords: none or english.") var stopwords: String?
    @Option(help: "Fields: 'title,body' (separate fields, scores summed) or 'flat' (title and text in one field).") var fields: String?
    @Option(name: .long, help: "Field weight, e.g. --boost title=0.5 (repeatable); overrides the index's (by default title 3, body 1).") var boost: [String] = []
    @Option(help: "How a word's per-field scores combine: combined (BM25F: the fields scored as one; our default), max (dis-max, tie-breaker 0.1), or sum (Lucene/Anserini multifield).") var combine: String?
    @Option(help: "Term proximity weight (0: off; see SearchOptions.proximityWeight).") var proximity: Float?
    @Option(help: "Pseudo-relevance feedback: none or rm3 (see SearchOptions.expansion; the index then stores the text).") var expansion = "none"
    @Option(name: .customLong("fb-docs"), help: "RM3 feedback documents.") var fbDocs = 10
    @Option(name: .customLong("fb-terms"), help: "RM3 expansion terms.") var fbTerms = 10
    @Option(name: .customLong("fb-weight"), help: "RM3 original query weight, in (0, 1].") var fbWeight: Float = 0.5
    @Option(name: .customLong("query-stopwords"), help: "Drop these stopwords from the queries only (none or english), the index keeping every word.") var queryStopwords = "none"
    @Option(help: "Hits retrieved per query.") var hits = 1000
    @Option(name: .customLong("run"), help: "Write the run in TREC format to this file.") var runFile: String?
    @Option(name: .customLong("per-query"), help: "Write each query's metrics to this file (TSV: query, nDCG@10, R@100, R@1000, AP, RR@10), as trec_eval -q does; for cross-validation over query subsets.") var perQueryFile: String?
    @Flag(help: "Print the metrics as one JSON object.") var json = false

    func run() throws {
        let url = URL(fileURLWithPath: collection)
        let coll: TestCollection
        do { coll = try TestCollection.load(path: url, format: format, split: split) }
        catch let e as EvalError { throw CLIError.input(e.description) }
        let anserini = preset == "anserini"
        guard preset == "default" || anserini else { throw CLIError.input("--preset must be default or anserini") }
        let stem = stemmer ?? (anserini ? "porter" : "english")
        let stop = stopwords ?? (anserini ? "english" : "none")
        let layout = fields ?? (anserini ? "flat" : "title,body")
        guard stop == "none" || stop == "english" else { throw CLIError.input("--stopwords must be none or english") }
        guard layout == "flat" || layout == "title,body" else { throw CLIError.input("--fields must be flat or title,body") }
        let analyzer = try StandardAnalyzer(stemmer: stem == "none" ? nil : stem,
                                            stopwords: stop == "english" ? StandardAnalyzer.englishStopwords : [])
        var options = SearchOptions(limit: hits + 1)
        options.bm25 = BM25(k1: k1 ?? (anserini ? 0.9 : BM25().k1), b: b ?? (anserini ? 0.4 : BM25().b))
        options.loadDocuments = false
        if let proximity { options.proximityWeight = anserini ? 0 : proximity }
        let comb = combine ?? (anserini ? "sum" : "combined")
        switch comb {
        case "sum": options.fieldCombination = .sum
        case "max": options.fieldCombination = .max(tieBreaker: 0.1)
        case "combined": options.fieldCombination = .combined
        default: throw CLIError.input("--combine must be sum, max or combined")
        }
        switch expansion {
        case "none": break
        case "rm3": options.expansion = QueryExpansion(feedbackDocuments: fbDocs, feedbackTerms: fbTerms, originalQueryWeight: fbWeight)
        default: throw CLIError.input("--expansion must be none or rm3")
        }
        let storeText = options.expansion != nil
        for spec in boost {
            let kv = spec.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, let v = Float(kv[1]) else { throw CLIError.input("--boost wants FIELD=NUMBER, got '\(spec)'") }
            options.boosts[String(kv[0])] = v
        }

        let t0 = Date()
        let path: String
        var temp: String?
        if let index { path = index } else {
            let p = NSTemporaryDirectory() + "search-eval-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
            temp = p; path = p
            // The title weighs FieldSpec.titleWeight in our defaults (--boost title=1 turns it off).
            let schema = layout == "flat" ? Schema() : Schema([FieldSpec("title", .text, stored: storeText, weight: anserini ? 1 : FieldSpec.titleWeight),
                                                              FieldSpec("body", .text, stored: storeText)])
            let w = try IndexWriter(path: p, analyzer: analyzer, create: true, schema: schema)
            for d in coll.documents {
                var doc = Document(id: d.id)
                if layout == "flat" { doc.addText("text", d.title.isEmpty ? d.text : d.title + "\n" + d.text, stored: storeText) }
                else { doc.addText("title", d.title, stored: storeText); doc.addText("body", d.text, stored: storeText) }
                try w.addDocument(doc)
            }
            try w.commit()
            w.close()
        }
        defer { if let temp { try? FileManager.default.removeItem(atPath: temp) } }
        let indexSeconds = Date().timeIntervalSince(t0)
        let searcher = try Searcher(path: path, analyzer: index == nil ? analyzer : nil)
        let total = searcher.manifest.segments.reduce(0) { $0 + $1.docCount }
        var ids: [String] = []
        ids.reserveCapacity(total)
        for d in 0..<total { ids.append(try searcher.document(d).id) }

        let t1 = Date()
        var results: [String: [(docID: String, score: Double)]] = [:]
        guard queryStopwords == "none" || queryStopwords == "english" else { throw CLIError.input("--query-stopwords must be none or english") }
        let queryAnalyzer: Analyzer = queryStopwords == "english"
            ? try StandardAnalyzer(stemmer: stem == "none" ? nil : stem, stopwords: StandardAnalyzer.englishStopwords) : searcher.analyzer
        for q in coll.queries {
            var clauses: [Query.Clause] = []
            queryAnalyzer.analyze(q.text) { t, _ in clauses.append(.init(.should, .exactTerm(field: nil, term: String(decoding: t, as: UTF8.self)))) }
            let r = clauses.isEmpty ? SearchResults(hits: [], totalHits: 0) : try searcher.search(.boolean(clauses), options: options)
            results[q.id] = r.hits.map { (docID: ids[$0.docID], score: Double($0.score)) }
        }
        let querySeconds = Date().timeIntervalSince(t1)
        let runData = RankedRun(results: results).removingSelfHits().truncated(to: hits)
        if let runFile { try runData.writeTREC(to: URL(fileURLWithPath: runFile), tag: "searchindex") }
        let (m, perQuery) = Metrics.evaluate(run: runData, qrels: coll.qrels)
        if let perQueryFile {
            var tsv = "query\tndcg@10\trecall@100\trecall@1000\tap\trr@10\n"
            for (q, x) in perQuery.sorted(by: { $0.key < $1.key }) {
                tsv += "\(q)\t\(x.ndcgAt10)\t\(x.recallAt100)\t\(x.recallAt1000)\t\(x.map)\t\(x.mrrAt10)\n"
            }
            try tsv.write(toFile: perQueryFile, atomically: true, encoding: .utf8)
        }
        let boostText = searcher.manifest.schema.fields.filter { $0.type == .text }.map { f in " \(f.name)=\(options.boosts[f.name] ?? f.weight)" }.joined()
        let config = "k1=\(options.bm25.k1) b=\(options.bm25.b) stemmer=\(stem) stopwords=\(stop) fields=\(layout)\(layout == "flat" ? "" : " combine=" + comb) proximity=\(options.proximityWeight)\(boostText)\(options.expansion.map { " rm3(docs=\($0.feedbackDocuments),terms=\($0.feedbackTerms),weight=\($0.originalQueryWeight))" } ?? "")"
        if json {
            let obj: [String: Any] = ["collection": coll.name, "config": config, "queries": m.queriesEvaluated,
                                      "ndcg@10": m.ndcgAt10, "recall@100": m.recallAt100, "recall@1000": m.recallAt1000,
                                      "map": m.map, "mrr@10": m.mrrAt10, "docs": coll.documents.count]
            print(String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self))
            return
        }
        print("""
        collection: \(coll.name) (\(coll.documents.count) docs, \(m.queriesEvaluated) queries evaluated)
        config:     \(config)
        time:       index \(String(format: "%.2f", indexSeconds)) s, queries \(String(format: "%.2f", querySeconds)) s

        | metric  | value  |
        |---------|--------|
        | nDCG@10 | \(String(format: "%.4f", m.ndcgAt10)) |
        | R@100   | \(String(format: "%.4f", m.recallAt100)) |
        | R@1000  | \(String(format: "%.4f", m.recallAt1000)) |
        | MAP     | \(String(format: "%.4f", m.map)) |
        | MRR@10  | \(String(format: "%.4f", m.mrrAt10)) |
        """)
    }
}
