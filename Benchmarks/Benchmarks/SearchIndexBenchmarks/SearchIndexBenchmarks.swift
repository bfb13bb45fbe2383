import Benchmark
import Foundation
import SearchIndex

// Micro benchmarks (package-benchmark). Run from Benchmarks/:
//   swift package --allow-writing-to-package-directory benchmark
// Compare two commits (see Benchmarks/README.md):
//   git checkout A && swift package --allow-writing-to-package-directory benchmark baseline update A
//   git checkout B && swift package --allow-writing-to-package-directory benchmark baseline compare A
//
// Units: every benchmark does a fixed amount of work per iteration, so throughput (# / s) converts directly:
//   tokenize/analyze:   1 iteration = Fixture.text = 1 MiB (words: see stderr) -> MB/s = throughput * 1.048576,
//                       words/s = throughput * Fixture.words
//   index+commit:       1 iteration = 2,000 docs = Fixture.smallPostings postings -> postings/s
//   decode:             1 iteration = one term's postings (Fixture.commonDocFreq docs) -> postings/s
//   queries:            1 iteration = 1 query
// The numbers of words and postings are printed to stderr once when the fixture is built.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
                                           maxDuration: .seconds(2), maxIterations: 10_000)

    let text = Fixture.text
    let plain = try! StandardAnalyzer(stemmer: nil)
    let english = try! StandardAnalyzer()
    let porter = try! StandardAnalyzer(stemmer: "porter", stopwords: StandardAnalyzer.englishStopwords)

    // Tokenizer alone: Unicode word splitting, case and diacritic folding (no stemming, no stopwords).
    Benchmark("tokenize, no stemming (1 MiB)") { benchmark in
        for _ in benchmark.scaledIterations {
            var n = 0
            plain.analyze(text) { _, _ in n += 1 }
            blackHole(n)
        }
    }
    // Tokenizer + Snowball english (libstemmer); the difference to the above is the stemmer's cost.
    Benchmark("analyze, Snowball english (1 MiB)") { benchmark in
        for _ in benchmark.scaledIterations {
            var n = 0
            english.analyze(text) { _, _ in n += 1 }
            blackHole(n)
        }
    }
    // Tokenizer + Lucene's 33 stopwords + Porter (what --analyzer lucene-english indexes with).
    Benchmark("analyze, Porter + stopwords (1 MiB)") { benchmark in
        for _ in benchmark.scaledIterations {
            var n = 0
            porter.analyze(text) { _, _ in n += 1 }
            blackHole(n)
        }
    }

    // Postings encode incl. zlib: buffer 2,000 docs, flush one segment (term dictionary, zlib doc/freq and
    // position blocks, norms, stored ids) and commit. Dominated by inversion + encoding; the fsyncs of a
    // commit are included (tmpfs or not, see README).
    Benchmark("index+commit 2,000 docs (postings encode incl. zlib)", configuration: .init(maxDuration: .seconds(3))) { benchmark in
        let dir = NSTemporaryDirectory() + "search-bench-encode-\(getpid())"
        for _ in benchmark.scaledIterations {
            try? FileManager.default.removeItem(atPath: dir)
            let w = try IndexWriter(path: dir, analyzer: plain)
            for d in Fixture.smallDocs { try w.addDocument(d) }
            try w.commit()
            w.close()
        }
        try? FileManager.default.removeItem(atPath: dir)
    }

    // Postings decode incl. zlib inflate: one single-term query on the most frequent term. MaxScore pruning only
    // applies to OR queries of 2+ terms and there is no block-max skipping inside a list, so this inflates,
    // decodes and scores the whole list.
    Benchmark("decode+score all postings of the most frequent term") { benchmark in
        let s = Fixture.searcher
        var o = SearchOptions(limit: 10); o.loadDocuments = false
        let q = Query.term(field: nil, text: Fixture.vocabulary[0])
        for _ in benchmark.scaledIterations { blackHole(try s.search(q, options: o)) }
    }

    // Term dictionary lookup: a rare term (a handful of postings), no stored-field loads.
    Benchmark("term lookup, rare term (dictionary + tiny postings)") { benchmark in
        let s = Fixture.searcher
        var o = SearchOptions(limit: 10); o.loadDocuments = false
        let terms = Fixture.rareTerms
        var i = 0
        for _ in benchmark.scaledIterations {
            blackHole(try s.search(.term(field: nil, text: terms[i % terms.count]), options: o))
            i += 1
        }
    }
    Benchmark("term lookup, absent term (dictionary miss)") { benchmark in
        let s = Fixture.searcher
        var o = SearchOptions(limit: 10); o.loadDocuments = false
        for _ in benchmark.scaledIterations { blackHole(try s.search(.term(field: nil, text: "qqqzzzx"), options: o)) }
    }

    Benchmark("top-10 OR query, 3 terms (with stored ids)") { benchmark in
        let s = Fixture.searcher
        for _ in benchmark.scaledIterations { blackHole(try s.search("market prices rise")) }
    }
    Benchmark("top-10 OR query, 3 mid-frequency terms") { benchmark in
        let s = Fixture.searcher
        let q = Fixture.vocabulary[200] + " " + Fixture.vocabulary[900] + " " + Fixture.vocabulary[3000]
        for _ in benchmark.scaledIterations { blackHole(try s.search(q)) }
    }
    Benchmark("phrase query \"interest rates\"") { benchmark in
        let s = Fixture.searcher
        for _ in benchmark.scaledIterations { blackHole(try s.search("\"interest rates\"")) }
    }
}

/// Deterministic synthetic text (Zipf-like vocabulary) and an index built from it, shared by benchmarks.
enum Fixture {
    static let vocabulary: [String] = {
        var rng = SplitMix(seed: 42)
        let common = ["market", "prices", "rise", "interest", "rates", "bank", "trade", "oil", "said", "year", "the", "of", "and", "company", "shares"]
        var words = common
        while words.count < 20000 {
            let len = 3 + Int(rng.next() % 8)
            words.append(String((0..<len).map { _ in Character(UnicodeScalar(UInt8(97 + rng.next() % 26))) }))
        }
        return words
    }()
    static func word(_ rng: inout SplitMix) -> String {
        // Zipf(1) by inverse transform over ranks.
        let u = Double(rng.next() % 1_000_000) / 1_000_000
        let r = Int(pow(Double(vocabulary.count), u)) - 1
        return vocabulary[min(max(r, 0), vocabulary.count - 1)]
    }
    static let text: String = {
        var rng = SplitMix(seed: 7)
        var s = ""
        while s.utf8.count < 1 << 20 { s += word(&rng); s += rng.next() % 12 == 0 ? ". " : " " }
        let words = s.split(whereSeparator: { $0 == " " }).count
        FileHandle.standardError.write(Data("fixture text: \(s.utf8.count) bytes, \(words) words\n".utf8))
        return s
    }()
    /// 2,000 documents of 50-249 words for the encode benchmark.
    static let smallDocs: [Document] = {
        var rng = SplitMix(seed: 11)
        var postings = 0
        let docs = (0..<2000).map { i -> Document in
            var d = Document(id: "\(i)")
            let ws = (0..<(50 + Int(rng.next() % 200))).map { _ in word(&rng) }
            postings += Set(ws).count
            d.addText("body", ws.joined(separator: " "), stored: false)
            return d
        }
        FileHandle.standardError.write(Data("encode fixture: 2000 docs, \(postings) postings (doc, term) pairs\n".utf8))
        return docs
    }()
    static let searcher: Searcher = {
        let dir = NSTemporaryDirectory() + "search-bench-fixture-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        let w = try! IndexWriter(path: dir)
        var rng = SplitMix(seed: 9)
        for i in 0..<20000 {
            var d = Document(id: "\(i)")
            d.addText("body", (0..<(50 + Int(rng.next() % 200))).map { _ in word(&rng) }.joined(separator: " "), stored: false)
            try! w.addDocument(d)
        }
        try! w.commit()
        w.close()
        let s = try! Searcher(path: dir)
        var o = SearchOptions(limit: 1); o.loadDocuments = false; o.countAllHits = true
        let df = (try? s.search(.term(field: nil, text: vocabulary[0]), options: o).totalHits) ?? -1
        FileHandle.standardError.write(Data("search fixture: 20000 docs; '\(vocabulary[0])' in \(df) docs\n".utf8))
        return s
    }()
    /// Ranks 15,000-15,099: each occurs in a few of the 20,000 fixture documents.
    static let rareTerms: [String] = Array(vocabulary[15000..<15100])
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
