import Benchmark
import Foundation
import SearchIndex

// Micro benchmarks. Run: cd Benchmarks && swift package benchmark
// Compare two commits: swift package benchmark baseline update main (on one commit), then on the other:
//   swift package benchmark baseline compare main
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(2))

    let text = Fixture.text
    let analyzer = try! StandardAnalyzer()
    let plain = try! StandardAnalyzer(stemmer: nil)

    Benchmark("tokenize (no stemming), 1 MB", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations {
            var n = 0
            plain.analyze(text) { _, _ in n += 1 }
            blackHole(n)
        }
    }
    Benchmark("analyze (English stemming), 1 MB") { benchmark in
        for _ in benchmark.scaledIterations {
            var n = 0
            analyzer.analyze(text) { _, _ in n += 1 }
            blackHole(n)
        }
    }
    Benchmark("top-10 OR query, 3 terms") { benchmark in
        let s = Fixture.searcher
        for _ in benchmark.scaledIterations { blackHole(try s.search("market prices rise")) }
    }
    Benchmark("phrase query") { benchmark in
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
        return s
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
        return try! Searcher(path: dir)
    }()
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
