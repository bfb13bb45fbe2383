import Foundation
import SearchIndex
#if canImport(Glibc)
import Glibc
#endif

/// Query fuzzing: random and grammar-aware query strings (Unicode, control characters, operators in odd
/// places, deep nesting, 100 KB strings) parsed and run in process. Every query must return or throw a
/// typed error; none may crash or hang, and none of 10 KB or less may take more than 100 ms.
enum FuzzMode {
    static let operators = ["AND", "OR", "NOT", "+", "-", "\"", "(", ")", "*", ":", "~", "^", "[", "]", "{", "}", "TO", "?", "\\", "/"]

    static func word(_ rng: inout Rng, _ vocab: [String]) -> String {
        switch rng.int(10) {
        case 0: return String(repeating: rng.pick(["a", "zz", "ü", "東"]), count: rng.int(in: 1...300))
        case 1: return randomScalars(&rng, rng.int(in: 1...8))
        default: return rng.pick(vocab)
        }
    }

    static func randomScalars(_ rng: inout Rng, _ n: Int) -> String {
        var s = ""
        for _ in 0..<n {
            let r = rng.int(6)
            let v: UInt32
            switch r {
            case 0: v = UInt32(rng.int(0x20))            // control characters
            case 1: v = UInt32(0x20 + rng.int(0x5F))      // ASCII punctuation and letters
            case 2: v = UInt32(0x80 + rng.int(0x780))     // Latin, Greek, Cyrillic, combining marks
            case 3: v = UInt32(0x3000 + rng.int(0x7000))  // CJK
            case 4: v = UInt32(0x1F300 + rng.int(0x300))  // emoji
            default: v = UInt32(rng.int(0x110000))
            }
            if let u = Unicode.Scalar(v) { s.unicodeScalars.append(u) }
        }
        return s
    }

    /// A grammar-aware query: clauses with operators, fields, phrases, prefixes and groups.
    static func structured(_ rng: inout Rng, _ vocab: [String], depth: Int = 0) -> String {
        var parts: [String] = []
        for _ in 0..<rng.int(in: 1...(depth == 0 ? 8 : 4)) {
            var c: String
            switch rng.int(9) {
            case 0: c = "\"" + (0..<rng.int(in: 1...4)).map { _ in word(&rng, vocab) }.joined(separator: " ") + "\""
            case 1: c = String(word(&rng, vocab).prefix(rng.int(in: 1...4))) + "*"
            case 2: c = rng.pick(["title", "body", "date", "nofield", "_id", ""]) + ":" + word(&rng, vocab)
            case 3 where depth < 6: c = "(" + structured(&rng, vocab, depth: depth + 1) + ")"
            case 4: c = rng.pick(operators)
            default: c = word(&rng, vocab)
            }
            if rng.chance(0.2) { c = rng.pick(["+", "-", "NOT ", ""]) + c }
            parts.append(c)
            if rng.chance(0.3) { parts.append(rng.pick(["AND", "OR", "NOT", "&&", "||"])) }
        }
        return parts.joined(separator: rng.chance(0.9) ? " " : rng.pick(["", "  ", "\t", "\n"]))
    }

    static func query(_ rng: inout Rng, _ vocab: [String]) -> String {
        switch rng.int(100) {
        case 0..<55: return structured(&rng, vocab)
        case 55..<75: return randomScalars(&rng, rng.int(in: 0...40))
        case 75..<85:   // many clauses: up to ~10 KB
            let n = rng.int(in: 50...2500)
            let pick = rng.int(3)
            return (0..<n).map { _ in pick == 0 ? rng.pick(vocab) : pick == 1 ? String(rng.pick(vocab).prefix(2)) + "*" : "\"\(rng.pick(vocab)) \(rng.pick(vocab))\"" }
                .joined(separator: " ")
        case 85..<90:   // deep nesting
            let d = rng.int(in: 10...5000)
            return String(repeating: rng.pick(["(", "(+", "(-", "(NOT "]), count: d) + rng.pick(vocab) + String(repeating: ")", count: rng.int(d + 1))
        case 90..<93:   // 100 KB
            return String(repeating: structured(&rng, vocab) + " ", count: 1).padding(toLength: 100_000, withPad: " " + rng.pick(vocab), startingAt: 0)
        default:
            return String(repeating: rng.pick(operators) + " ", count: rng.int(in: 1...20)) + rng.pick(vocab)
        }
    }

    /// The index's own words, for queries that match: read from the first hits of a few probes.
    static func vocabulary(_ s: Searcher) -> [String] {
        var words = Set(Vocabulary.words.prefix(200))
        for probe in ["the", "oil", "a", Vocabulary.words[0], Vocabulary.words[1], "said", "pct"] {
            guard let r = try? s.search(probe, options: SearchOptions(limit: 5)) else { continue }
            for h in r.hits { for (_, v) in h.document?.fields ?? [] { for w in v.split(separator: " ").prefix(80) { words.insert(String(w)) } } }
        }
        return words.sorted()
    }

    /// Replays query `i` (prints it, its options and its time), for investigating a failure.
    static func replay(index: String, seed: UInt64, i: Int, repeats: Int) throws {
        let s = try Searcher(path: index)
        let vocab = vocabulary(s)
        var rng = Rng(seed, 1_000_000 + UInt64(i))
        let q = query(&rng, vocab)
        var options = SearchOptions(limit: 10)
        options.countAllHits = rng.chance(0.5)
        options.defaultOperator = rng.chance(0.2) ? .and : .or
        options.limit = rng.pick([0, 1, 10, 10, 100])
        print("query \(i): \(q.utf8.count) bytes, countAllHits \(options.countAllHits), \(options.defaultOperator), limit \(options.limit)")
        print(q.debugDescription)
        for _ in 0..<repeats {
            let t0 = now()
            let r = try? s.search(q, options: options)
            print(String(format: "%.1f ms, %d hits", (now() - t0) * 1000, r?.totalHits ?? -1))
        }
    }

    /// The worker: `count` queries from `from`; a line per 1,000 queries and one per slow query.
    static func worker(index: String, seed: UInt64, from: Int, to: Int, out: String) throws {
        let s = try Searcher(path: index)
        let vocab = vocabulary(s)
        let log = SyncedLog(path: out)
        var options = SearchOptions(limit: 10)
        var maxSmall = 0.0, maxSmallQuery = ""
        for i in from..<to {
            var rng = Rng(seed, 1_000_000 + UInt64(i))
            let q = query(&rng, vocab)
            options.countAllHits = rng.chance(0.5)
            options.defaultOperator = rng.chance(0.2) ? .and : .or
            options.limit = rng.pick([0, 1, 10, 10, 100])
            log.append("start \(i)", sync: false)
            let t0 = now()
            var outcome = "ok"
            do { _ = try s.search(q, options: options) }
            catch let e as SearchIndexError {
                switch e { case .querySyntax: outcome = "syntax"; case .invalidArgument: outcome = "invalid"; default: outcome = "other-error" }
            }
            let dt = now() - t0
            if q.utf8.count <= 10_240 && dt > maxSmall { maxSmall = dt; maxSmallQuery = String(q.prefix(80)) }
            if q.utf8.count <= 10_240 && dt > 0.1 {
                log.append("slow \(i) \(Int(dt * 1000)) ms \(q.utf8.count) bytes: \(q.prefix(100).debugDescription)", sync: false)
            }
            log.append("done \(i) \(outcome)", sync: false)
        }
        log.append("max \(maxSmall) \(maxSmallQuery.debugDescription)", sync: false)
    }

    static func run(queries: Int, seed: UInt64, index: String?, tally: inout Tally, failures: inout [String], maxMillis: inout Double,
                    slowest: inout String) throws {
        let work = makeTempDir("fuzz")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let idx: String
        if let index { idx = index } else {
            idx = work + "/index"
            try CorruptionMode.buildPristine(idx, seed: seed)
        }
        try runInWorkers(count: queries, work: work, args: { _ in ["fuzz-worker", "--index", idx, "--seed", String(seed)] },
                         onLine: { line in
            let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
            guard parts.count >= 2 else { return }
            switch parts[0] {
            case "done": tally.add(parts.count > 2 ? parts[2] : "?")
            case "slow": tally.add("SLOW"); failures.append("query \(line)")
            case "max":
                let ms = (Double(parts[1]) ?? 0) * 1000
                if ms > maxMillis { maxMillis = ms; slowest = parts.count > 2 ? parts[2] : "" }
            default: break
            }
        }, onFailure: { item, hung in
            tally.add(hung ? "HANG" : "CRASH")
            var rng = Rng(seed, 1_000_000 + UInt64(item))
            let vocab = (try? vocabulary(Searcher(path: idx))) ?? Vocabulary.words
            failures.append("query \(item): \(hung ? "hang" : "crash"): \(query(&rng, vocab).prefix(200).debugDescription)")
        })
    }
}
