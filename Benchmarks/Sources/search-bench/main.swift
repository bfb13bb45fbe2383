// The macro benchmark: speaks the protocol of ../shared/peers so one run yields one table.
//   search-bench DOCS_DIR QUERIES [--out RUN.tsv] [--k 10] [--repeat N] [--warmup N] [--index-dir DIR]
//                [--analyzer default|lucene-english|plain] [--k1 1.2] [--b 0.75] [--ram-mb 128] [--store]
//                [--stream] [--reuse] [--fuzzy N|auto] [--proximity W] [--proximity-depth N]
//                [--combine combined|max|sum] [--two-fields] [--title-weight W] [--expansion rm3]
//                [--mode or|and|phrase] [--shards N] [--latencies FILE] [--threads N] [--postings-cache-mb N]
//                [--merge-factor N] [--compression-level 1-9] [--replace]
//   search-bench CORPUS.jsonl QUERIES --mode filter|sort|facet [--facet-term WORD] [same options]
// With a Reuters-style JSONL corpus (id, date, title, body, topics, places), each record is indexed with the
// text title + blank line + body (as make_docs.py writes it), `date` as a date column and `topics`/`places`
// as keyword fields, and --mode adds to every query: `filter` the filter date in March 1987 AND places:usa
// (scores unchanged); `sort` the order newest first (the --out rows carry the date in ms); `facet` the top
// 10 `places` over all matches (no hits: the --out rows are then value and count). --facet-term WORD also times the places facet over every match
// of WORD (20 runs after 2 warm-ups) and reports facet_term_ms (median), facet_term_matches, facet_term_top.
// --mode and requires every word of a query (QueryParser's AND); --mode phrase searches each query's words as
// one phrase ("w1 w2"), like the peers' modes of the same names; or (the default) is any word.
// --two-fields (JSONL only) indexes title and body as two fields, so --combine (how a word's fields combine)
// matters, and --title-weight W weighs the title (FieldSpec.weight; default 1); --k1/--b default to the peers'
// BM25 (BM25.lucene: 1.2, 0.75), not ours; --proximity W turns the term-proximity re-ranking on (SearchOptions.proximityWeight).
// --reuse (with --index-dir): if DIR already holds an index, skip indexing and only run the queries (for
// profiling the query path alone); index_s is then 0.
// Like the peers, all documents are read into memory before the index timer starts (--stream reads each
// file inside the timed loop instead, which lowers peak RSS). --warmup N runs the query set N times untimed
// before the timed passes, like the Lucene peer's --warmup.
// --merge-factor N sets IndexWriterConfig.mergeFactor (0: no automatic merges; default: the library's policy);
// --compression-level L its compressionLevel (zlib's level for the postings; default 6).
// Documents are added with IndexWriter.appendDocument (ids are file names or JSONL ids, all distinct; the peers
// add without looking for an earlier version too); --replace uses addDocument, which replaces by id.
// --postings-cache-mb N sets the searcher's cache of decoded postings blocks (default: the library's; 0: off).
// The JSON then also has pass1_p50_ms / pass1_p99_ms (the first timed pass alone: with no --warmup, the cache
// starts empty there) and postings_cache (hits, misses, evictions, blocks held after the run).
// DOCS_DIR holds one .txt per document (file stem = doc id); QUERIES one query a line.
// Prints ONE JSON line: engine, version, docs, index_s, index_bytes, queries, query_total_s, qps, p50_ms,
// p99_ms, zero_hit_queries, plus peak_rss_mb (getrusage ru_maxrss of the whole run; index_peak_rss_mb: of the run
// until the index is built, before the searcher opens it and its checksums read every file), index_cpu_s (CPU seconds,
// user + system, of all threads while indexing; index_sys_s: the system part; index_csw: context switches while
// indexing, voluntary and not), rss_after_load_mb (after
// reading the docs, before indexing), analyzer, segments, warmup_passes. Queries are timed in process after the
// index is built and opened, each an OR of its words over the one text field, top k with stored ids.
import Foundation
import SearchIndex
#if canImport(Glibc)
import Glibc
#endif

func fail(_ m: String) -> Never { FileHandle.standardError.write(Data((m + "\n").utf8)); exit(2) }

var positional: [String] = []
var opts: [String: String] = [:]
var flags: Set<String> = []
var it = CommandLine.arguments.dropFirst().makeIterator()
while let a = it.next() {
    if a == "--store" || a == "--stream" || a == "--reuse" || a == "--two-fields" || a == "--replace" { flags.insert(String(a.dropFirst(2))); continue }
    if a.hasPrefix("--") { guard let v = it.next() else { fail("missing value for \(a)") }; opts[String(a.dropFirst(2))] = v }
    else { positional.append(a) }
}
guard positional.count == 2 else { fail("usage: search-bench DOCS_DIR QUERIES [--out RUN.tsv] [--k 10] [--repeat N] [--index-dir DIR] [--analyzer default|lucene-english|plain]") }
let docsDir = positional[0], queriesPath = positional[1]
let k = Int(opts["k"] ?? "10") ?? 10
let repeatCount = max(1, Int(opts["repeat"] ?? "1") ?? 1)
let warmup = max(0, Int(opts["warmup"] ?? "0") ?? 0)
let analyzerName = opts["analyzer"] ?? "default"
// Like the peers (tantivy's and Lucene's defaults), unless --k1/--b say otherwise.
var bm25 = BM25.lucene
if let v = opts["k1"].flatMap(Float.init) { bm25.k1 = v }
if let v = opts["b"].flatMap(Float.init) { bm25.b = v }

let analyzer: StandardAnalyzer
do {
    switch analyzerName {
    case "default": analyzer = try StandardAnalyzer()
    case "lucene-english": analyzer = try StandardAnalyzer(stemmer: "porter", stopwords: StandardAnalyzer.englishStopwords)
    case "plain": analyzer = try StandardAnalyzer(stemmer: nil)
    default: fail("unknown analyzer \(analyzerName)")
    }
} catch { fail("\(error)") }

let fm = FileManager.default
/// A file's text by open/read (FileManager.contents costs several more system calls a file on Linux).
func readText(_ path: String) -> String? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    // An uninitialized read buffer: a zeroed 64 KiB array per file cost more instructions than indexing
    // the file (callgrind, 20k docs: 1.31 G of memset), which `--stream` timed.
    return withUnsafeTemporaryAllocation(byteCount: 1 << 16, alignment: 16) { chunk -> String? in
        var bytes: [UInt8] = []
        while true {
            let n = read(fd, chunk.baseAddress, chunk.count)
            if n < 0 { return nil }
            if n == 0 { break }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
let jsonl = docsDir.hasSuffix(".jsonl")
let mode = opts["mode"] ?? "plain"
guard ["plain", "or", "and", "phrase", "filter", "sort", "facet"].contains(mode) else { fail("--mode must be or, and, phrase, filter, sort or facet") }
guard ["plain", "or", "and", "phrase"].contains(mode) || jsonl else { fail("--mode \(mode) needs a JSONL corpus with date, topics and places") }
/// A JSONL record as indexed: id, text, date (ISO), topics, places.
struct Record { var id: String; var text: String; var title: String; var body: String; var date: String?; var topics: [String]; var places: [String] }
var records: [Record] = []
if jsonl {
    guard let data = fm.contents(atPath: docsDir) else { fail("cannot read \(docsDir)") }
    for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
        guard let o = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else { fail("bad JSON line in \(docsDir)") }
        let id = (o["id"] as? String) ?? (o["_id"] as? String) ?? "\(records.count)"
        let title = (o["title"] as? String) ?? "", body = (o["body"] as? String) ?? (o["text"] as? String) ?? ""
        records.append(Record(id: id, text: title + "\n\n" + body, title: title, body: body, date: o["date"] as? String, topics: (o["topics"] as? [String]) ?? [],
                              places: (o["places"] as? [String]) ?? []))
    }
}
let files: [String]
if jsonl { files = records.map { $0.id + ".txt" } } else {
    guard let names = try? fm.contentsOfDirectory(atPath: docsDir) else { fail("cannot read \(docsDir)") }
    files = names.filter { $0.hasSuffix(".txt") }.sorted()
}
let queries = ((try? String(contentsOfFile: queriesPath, encoding: .utf8)) ?? "")
    .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }

let indexDir = opts["index-dir"] ?? NSTemporaryDirectory() + "search-bench-\(getpid())"
let reuse = flags.contains("reuse") && opts["index-dir"] != nil && (try? Searcher(path: indexDir)) != nil
if !reuse { try? fm.removeItem(atPath: indexDir) }
let ownsIndex = opts["index-dir"] == nil
defer { if ownsIndex { try? fm.removeItem(atPath: indexDir) } }

func now() -> Double { var t = timespec(); clock_gettime(CLOCK_MONOTONIC, &t); return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9 }
func maxRSSMB() -> Double { var u = rusage(); getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u); return Double(u.ru_maxrss) / 1024 }

let stream = flags.contains("stream")
// Peers load every document before their index timer starts; do the same unless --stream.
let preloaded: [String] = jsonl ? records.map(\.text) : stream || reuse ? [] : files.map { name in
    readText(docsDir + "/" + name) ?? ""
}
let rssAfterLoad = maxRSSMB()

/// CPU seconds (user + system) of the whole process so far.
func cpuSeconds() -> Double {
    var u = rusage(); getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
}
let cpu0 = cpuSeconds()
/// System CPU seconds and context switches of the whole process so far.
func sysAndSwitches() -> (Double, Int) {
    var u = rusage(); getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
    return (Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6, u.ru_nvcsw + u.ru_nivcsw)
}
let (sys0, csw0) = sysAndSwitches()
let t0 = now()
let titleWeight = opts["title-weight"].flatMap(Float.init) ?? 1
var schema = jsonl ? Schema([FieldSpec("date", .date, stored: false), FieldSpec("topics", .keyword, stored: false),
                             FieldSpec("places", .keyword, stored: false)]) : Schema()
if flags.contains("two-fields") { schema.add(FieldSpec("title", .text, stored: flags.contains("store"), weight: titleWeight)) }
if !flags.contains("two-fields") { schema.add(FieldSpec("body", .text, stored: flags.contains("store"))) }
/// Indexes the documents whose number `keep` accepts into `dir`.
func buildIndex(_ dir: String, keep: (Int) -> Bool) throws {
    var config = IndexWriterConfig(ramBufferMB: Int(opts["ram-mb"] ?? "128") ?? 128)
    if let t = opts["threads"].flatMap(Int.init) { config.threads = max(1, t) }
    if let m = opts["merge-factor"].flatMap(Int.init) { config.mergeFactor = m }
    if let l = opts["compression-level"].flatMap(Int32.init) { config.compressionLevel = l }
    let writer = try IndexWriter(path: dir, analyzer: analyzer, config: config, schema: schema)
    let replace = flags.contains("replace")
    func add(_ doc: Document) throws { if replace { try writer.addDocument(doc) } else { try writer.appendDocument(doc) } }
    for (i, name) in files.enumerated() where keep(i) {
        let text: String
        if jsonl {
            let rec = records[i]
            var doc = Document(id: rec.id)
            if flags.contains("two-fields") {
                // Title and body as two fields, so that the field combination (SearchOptions.fieldCombination) applies.
                doc.addText("title", rec.title, stored: flags.contains("store"))
                doc.addText("body", rec.body, stored: flags.contains("store"))
            } else { doc.addText("body", rec.text, stored: flags.contains("store")) }
            if let d = rec.date { try doc.addDate("date", iso: d) }
            for t in rec.topics { doc.addKeyword("topics", t) }
            for p in rec.places { doc.addKeyword("places", p) }
            try add(doc)
            continue
        }
        if stream {
            guard let t = readText(docsDir + "/" + name) else { continue }
            text = t
        } else { text = preloaded[i] }
        var doc = Document(id: String(name.dropLast(4)))
        doc.addText("body", text, stored: flags.contains("store"))
        try add(doc)
    }
    let added = now()
    try writer.commit(waitForMerges: true)   // (the merges it asks for are part of the build, as before)
    FileHandle.standardError.write(Data("# index phases: adds \(String(format: "%.2f", added - t0)) s, commit with merges \(String(format: "%.2f", now() - added)) s\n".utf8))
    writer.close()
}
if !reuse { do { try buildIndex(indexDir) { _ in true } } catch { fail("indexing failed: \(error)") } }
let indexSeconds = reuse ? 0 : now() - t0
let indexCPUSeconds = reuse ? 0 : cpuSeconds() - cpu0
let (sys1, csw1) = sysAndSwitches()
let indexSys = sys1 - sys0, indexCsw = csw1 - csw0
// The high-water mark so far: indexing (and loading the docs, unless --stream), before the searcher maps and
// checks every index file (whose pages then count as resident too).
let indexPeakRSS = maxRSSMB()
let indexBytes = ((try? fm.contentsOfDirectory(atPath: indexDir)) ?? []).reduce(0) { total, n in
    total + ((try? fm.attributesOfItem(atPath: indexDir + "/" + n)[.size] as? Int) ?? 0)
}

let searcher: Searcher
let cacheMB = opts["postings-cache-mb"].map { Int($0) ?? -1 } ?? Searcher.defaultPostingsCacheMB
do { searcher = try Searcher(path: indexDir, analyzer: analyzer, postingsCacheMB: cacheMB) } catch { fail("open failed: \(error)") }
var options = SearchOptions(limit: k)
options.bm25 = bm25
if let v = opts["proximity"].flatMap(Float.init) { options.proximityWeight = v }
if let v = opts["proximity-depth"].flatMap(Int.init) { options.proximityDepth = v }
// --expansion rm3 (needs --store: RM3 re-reads the feedback documents' stored text).
switch opts["expansion"] ?? "none" {
case "none": break
case "rm3": options.expansion = .rm3
default: fail("--expansion must be none or rm3")
}
switch opts["combine"] ?? "default" {
case "default": break
case "combined": options.fieldCombination = .combined
case "max": options.fieldCombination = .max(tieBreaker: 0.1)
case "sum": options.fieldCombination = .sum
default: fail("--combine must be combined, max or sum")
}
switch mode {
case "filter":
    options.filter = .boolean([.init(.must, .range(field: "date", lower: "1987-03-01", upper: "1987-03-31", includeLower: true, includeUpper: true)),
                               .init(.must, .term(field: "places", text: "usa"))])
case "sort": options.sort = [.descending("date")]
case "facet": options.facets = [.terms("places", limit: 10)]; options.limit = 0
default: break
}
// --fuzzy N: every word is a fuzzy term within N edits (AUTO when N is "auto"), as `word~N`.
let fuzzyOn = opts["fuzzy"] != nil
let fuzzyEdits: Int? = opts["fuzzy"].flatMap { Int($0) }   // nil with "auto"
let parsed: [Query] = queries.map { line in
    let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
    if mode == "phrase" { return .phrase(field: nil, text: words.joined(separator: " ")) }
    return .boolean(words.map { w in
        let occur: Query.Clause.Occur = mode == "and" ? .must : .should
        if fuzzyOn { return .init(occur, .fuzzy(field: nil, text: w, maxEdits: fuzzyEdits)) }
        return .init(occur, .term(field: nil, text: w))
    })
}
var latencies: [Double] = []
latencies.reserveCapacity(queries.count * repeatCount)
var results: [[(String, String)]] = []   // per query: (id or value, score, count or sort value as text)
var q0 = now()
do {
    for pass in -warmup..<repeatCount {
        if pass == 0 { q0 = now() }
        results = []
        for q in parsed {
            let s = now()
            let r = try searcher.search(q, options: options)
            if pass >= 0 { latencies.append(now() - s) }
            if mode == "facet" { results.append((r.facets.first?.buckets ?? []).map { ($0.value, String($0.count)) }) }
            else if mode == "sort" { results.append(r.hits.map { ($0.document?.id ?? "", $0.sortValues.first.map { v -> String in if case let .date(ms) = v { return String(ms) }; return v.description } ?? "") }) }
            else { results.append(r.hits.map { ($0.document?.id ?? "", String(format: "%.6f", $0.score)) }) }
        }
    }
} catch { fail("query failed: \(error)") }
let queryTotal = now() - q0
let sorted = latencies.sorted()
func pct(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(p * Double(sorted.count)))] * 1000 }
func r(_ x: Double, _ d: Double) -> Double { (x * d).rounded() / d }
let nq = queries.count * repeatCount
let record: [String: Any] = [
    "engine": "searchindex", "version": "0.1.0", "docs": files.count, "index_s": r(indexSeconds, 1e4),
    "index_bytes": indexBytes, "queries": nq, "query_total_s": r(queryTotal, 1e4),
    "qps": r(Double(nq) / max(queryTotal, 1e-9), 10), "p50_ms": r(pct(0.5), 1e3), "p99_ms": r(pct(0.99), 1e3),
    "zero_hit_queries": results.filter { $0.isEmpty }.count, "peak_rss_mb": r(maxRSSMB(), 10),
    "rss_after_load_mb": r(rssAfterLoad, 10), "analyzer": analyzerName, "segments": searcher.manifest.segments.count,
    "warmup_passes": warmup,
]
var keys = ["engine", "version", "docs", "index_s", "index_bytes", "queries", "query_total_s", "qps", "p50_ms",
            "p99_ms", "zero_hit_queries", "peak_rss_mb", "rss_after_load_mb", "analyzer", "segments", "warmup_passes"]
var extra: [String: String] = [:]
extra["index_peak_rss_mb"] = "\(r(indexPeakRSS, 10))"
extra["index_cpu_s"] = "\(r(indexCPUSeconds, 100))"
extra["index_sys_s"] = "\(r(indexSys, 100))"
extra["index_csw"] = "\(indexCsw)"
do {
    let first = latencies.prefix(queries.count).sorted()
    func p1(_ p: Double) -> Double { first.isEmpty ? 0 : first[min(first.count - 1, Int(p * Double(first.count)))] * 1000 }
    extra["pass1_p50_ms"] = "\(r(p1(0.5), 1e3))"; extra["pass1_p99_ms"] = "\(r(p1(0.99), 1e3))"
    let c = searcher.postingsCacheStatistics
    extra["postings_cache"] = "{\"mb\": \(cacheMB), \"hits\": \(c.hits), \"misses\": \(c.misses), \"evictions\": \(c.evictions), \"blocks\": \(c.blocks)}"
}
if jsonl {
    extra["mode"] = "\"\(mode)\""
    let colBytes = ((try? fm.contentsOfDirectory(atPath: indexDir)) ?? []).filter { $0.hasSuffix(".col") }.reduce(0) { total, n in
        total + ((try? fm.attributesOfItem(atPath: indexDir + "/" + n)[.size] as? Int) ?? 0)
    }
    extra["column_bytes"] = "\(colBytes)"
}
// --shards N: the same documents dealt into N indexes (by document number), searched together with
// Searcher(paths:); each query's top k must be the one index's (ids equal except among tied scores; scores
// within 1e-5). Reports shard_queries, shard_mismatches, shard_max_score_diff and the sharded p50.
if let n = opts["shards"].flatMap(Int.init), n > 1 {
    let dirs = (0..<n).map { indexDir + "-shard\($0)" }
    do {
        for (s, d) in dirs.enumerated() {
            try? fm.removeItem(atPath: d)
            try buildIndex(d) { $0 % n == s }
        }
        defer { for d in dirs { try? fm.removeItem(atPath: d) } }
        let sharded = try Searcher(paths: dirs, analyzer: analyzer)
        var o = options
        o.limit = k + 1
        var mismatches = 0, maxDiff: Float = 0, times: [Double] = []
        for q in parsed {
            let a = try searcher.search(q, options: o).hits
            let s = now()
            let b = try sharded.search(q, options: o).hits
            times.append(now() - s)
            var bad = a.count != b.count
            for i in 0..<min(k, a.count, b.count) {
                maxDiff = max(maxDiff, abs(a[i].score - b[i].score))
                if abs(a[i].score - b[i].score) > 1e-5 { bad = true }
                let tied = a.indices.contains { $0 != i && abs(a[$0].score - a[i].score) < 1e-4 }
                if !tied && a[i].document?.id != b[i].document?.id { bad = true }
            }
            if bad { mismatches += 1 }
        }
        times.sort()
        extra["shards"] = "\(n)"
        extra["shard_queries"] = "\(parsed.count)"
        extra["shard_mismatches"] = "\(mismatches)"
        extra["shard_max_score_diff"] = "\(maxDiff)"
        extra["shard_p50_ms"] = "\(r(times[times.count / 2] * 1000, 1e3))"
    } catch { fail("shards failed: \(error)") }
}
if let word = opts["facet-term"] {
    var fo = SearchOptions(limit: 0)
    fo.facets = [.terms("places", limit: 10)]
    var times: [Double] = []
    var last: SearchResults? = nil
    do {
        for run in 0..<22 {
            let s = now()
            let r = try searcher.search(Query.term(field: nil, text: word), options: fo)
            if run >= 2 { times.append(now() - s) }
            last = r
        }
    } catch { fail("facet query failed: \(error)") }
    times.sort()
    extra["facet_term_ms"] = "\(r(times[times.count / 2] * 1000, 1e3))"
    extra["facet_term_matches"] = "\(last?.totalHits ?? 0)"
    let top = (last?.facets.first?.buckets ?? []).prefix(3).map { "[\"\($0.value)\", \($0.count)]" }
    extra["facet_term_top"] = "[" + top.joined(separator: ", ") + "]"
}
let json = "{" + keys.map { key -> String in
    let v = record[key]!
    if let s = v as? String { return "\"\(key)\": \"\(s)\"" }
    return "\"\(key)\": \(v)"
}.joined(separator: ", ") + extra.sorted { $0.key < $1.key }.map { ", \"\($0.key)\": \($0.value)" }.joined() + "}"
print(json)
if let first = results.first, let q = queries.first {
    FileHandle.standardError.write(Data("# q0='\(q)' top\(k): \(first.map { "\($0.0):\($0.1)" }.joined(separator: ", "))\n".utf8))
}
// --latencies FILE: each timed query's latency (query number, ms), for finding what makes the tail.
if let out = opts["latencies"] {
    var s = ""
    for (i, t) in latencies.enumerated() { s += "\(i % max(parsed.count, 1))\t\(t * 1000)\n" }
    try? s.write(toFile: out, atomically: true, encoding: .utf8)
}
if let out = opts["out"] {
    var s = ""
    for (qi, hits) in results.enumerated() {
        for (rank, h) in hits.enumerated() { s += "\(qi)\t\(h.0)\t\(rank + 1)\t\(h.1)\n" }
    }
    try? s.write(toFile: out, atomically: true, encoding: .utf8)
}
