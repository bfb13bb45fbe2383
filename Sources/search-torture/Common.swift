import Foundation
import SearchIndex
#if canImport(Glibc)
import Glibc
#endif

/// SplitMix64: a small seeded generator, so every trial can be replayed from its seed.
struct Rng {
    private var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    init(_ seed: UInt64, _ stream: UInt64) { self.init(seed: seed &* 0x100_0000_01B3 ^ (stream &+ 1) &* 0xD6E8_FEB8_6659_FD93) }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in `0..<n` (n > 0).
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    mutating func int(in r: ClosedRange<Int>) -> Int { r.lowerBound + int(r.count) }
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
    mutating func pick<T>(_ xs: [T]) -> T { xs[int(xs.count)] }
    /// Zipf-like: small indexes much more often than large ones.
    mutating func zipf(_ n: Int) -> Int {
        let u = Double(next() >> 11) / Double(1 << 53)
        return min(n - 1, Int(pow(Double(n), u * u)) - 1 < 0 ? 0 : Int(pow(Double(n), u * u)) - 1)
    }
}

/// A synthetic vocabulary: pronounceable ASCII words plus accented, Cyrillic, Greek and Han words, so
/// folding and multi-byte paths are exercised.
enum Vocabulary {
    static let words: [String] = {
        var rng = Rng(seed: 42)
        let onsets = ["b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br", "st", "tr", "ch"]
        let vowels = ["a", "e", "i", "o", "u", "ai", "ou", "é", "ü"]
        var out: [String] = [], seen = Set<String>()
        while out.count < 3000 {
            var w = ""
            for _ in 0..<rng.int(in: 1...3) { w += rng.pick(onsets) + rng.pick(vowels) }
            if rng.chance(0.3) { w += rng.pick(["n", "r", "s", "t", "ng"]) }
            if seen.insert(w).inserted { out.append(w) }
        }
        out += ["москва", "αθήνα", "東京", "zürich", "škoda", "naïve", "straße", "don't", "e-mail", "x2", "1987"]
        return out
    }()

    static func text(_ rng: inout Rng, words n: Int) -> String {
        var parts: [String] = []
        parts.reserveCapacity(n)
        for _ in 0..<n { parts.append(words[rng.zipf(words.count)]) }
        return parts.joined(separator: " ")
    }
}

/// A synthetic document: title and body are analyzed and stored, `date` and `v` (a version) only stored.
func syntheticDocument(id: String, version: Int, _ rng: inout Rng, bodyWords: Int? = nil) -> Document {
    var d = Document(id: id)
    d.addText("title", Vocabulary.text(&rng, words: rng.int(in: 2...8)))
    d.addText("body", Vocabulary.text(&rng, words: bodyWords ?? rng.int(in: 5...160)))
    d.addStored("date", "1987-03-\(10 + rng.int(20))")
    d.addStored("v", String(version))
    // Typed fields, so the column file holds data that damage can reach: a keyword (0 to 2 values) and a
    // date (missing in 1 document of 10).
    for _ in 0..<rng.int(3) { d.addKeyword("tag", rng.pick(["red", "green", "blue", "Ünïcode", "a b"])) }
    if !rng.chance(0.1) { d.addDate("when", milliseconds: Int64(rng.int(400 * 86_400)) * 1000 - 5 * 86_400_000) }
    return d
}

/// A fixed query set over the synthetic vocabulary: terms, phrases, prefixes, fields, AND, NOT.
func fixedQueries() -> [String] {
    let w = Vocabulary.words
    var qs = [w[0], w[1], "\(w[0]) \(w[2])", "\(w[3]) \(w[5]) \(w[8]) \(w[13])", "+\(w[0]) +\(w[1])",
              "\"\(w[0]) \(w[1])\"", "\"\(w[2]) \(w[0])\"", "title:\(w[4])", "body:\(w[7])", "\(w[1]) -\(w[0])",
              "\(w[9])*", "ba*", "\(w[0]) AND NOT \(w[3])", "(\(w[2]) OR \(w[6])) AND \(w[0])", "москва", "東京",
              "zürich", "title:(\(w[10]) \(w[11]))", w[100], w[500], "\(w[20]) \(w[40]) \(w[60])"]
    for i in stride(from: 30, to: 300, by: 37) { qs.append("\(w[i]) \(w[i + 1])") }
    qs += ["tag:red", "tag:\"a b\" \(w[0])", "when:[1970-02-01 TO 1970-06-30]", "\(w[1]) when:<1970-01-01"]
    return qs
}

/// Everything a user could observe from a searcher: per query the total, and each hit's id, score bits and
/// stored fields; plus the document count. Two indexes that answer alike have equal fingerprints.
func fingerprint(_ s: Searcher, queries: [String]) throws -> [String] {
    var out = ["docs \(s.documentCount)"]
    for q in queries {
        for countAll in [true, false] {
            var o = SearchOptions(limit: 10)
            o.countAllHits = countAll
            let r = try s.search(q, options: o)
            var line = "\(q) | \(r.totalHits) |"
            for h in r.hits {
                let d = h.document
                line += " \(d?.id ?? "?")@\(h.score.bitPattern)[\(d?.fields.map { "\($0.name)=\($0.value)" }.joined(separator: ";") ?? "")]"
            }
            out.append(line)
        }
        // The columns: newest first, and facets over every match.
        var o = SearchOptions(limit: 5)
        o.sort = [.descending("when"), .ascending("tag")]
        o.facets = [.terms("tag"), .dateHistogram("when", interval: .month)]
        o.loadDocuments = false
        let r = try s.search(q, options: o)
        out.append("\(q) sorted | \(r.totalHits) | " + r.hits.map { "\($0.docID)@\($0.sortValues)" }.joined(separator: " ")
                   + " | " + r.facets.map { "\($0.buckets.map { "\($0.value)=\($0.count)" })" }.joined(separator: " "))
    }
    return out
}

/// Recursively copies a directory of regular files.
func copyDirectory(_ from: String, _ to: String) throws {
    let fm = FileManager.default
    try? fm.removeItem(atPath: to)
    try fm.createDirectory(atPath: to, withIntermediateDirectories: true)
    for n in try fm.contentsOfDirectory(atPath: from) {
        try fm.copyItem(atPath: from + "/" + n, toPath: to + "/" + n)
    }
}

func makeTempDir(_ name: String) -> String {
    let p = NSTemporaryDirectory() + "search-torture-\(getpid())-\(name)"
    try? FileManager.default.removeItem(atPath: p)
    try? FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
    return p
}

/// This executable's path, for re-running itself as a child.
func selfPath() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}

/// The `search` CLI binary next to this one, if built.
func searchBinary() -> String? {
    let p = (selfPath() as NSString).deletingLastPathComponent + "/search"
    return FileManager.default.isExecutableFile(atPath: p) ? p : nil
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Appends a line to a file and fsyncs it: the side channel a child uses to report progress that must
/// survive a kill -9.
final class SyncedLog {
    private let fd: Int32
    init(path: String) { fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644) }
    deinit { close(fd) }
    func append(_ line: String, sync: Bool = true) {
        let b = Array((line + "\n").utf8)
        _ = b.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if sync { fsync(fd) }
    }
}

func readLines(_ path: String) -> [String] {
    guard let s = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
    return s.split(separator: "\n").map(String.init)
}

/// Runs a child process: returns its termination status and whether it ended by a signal.
func runProcess(_ path: String, _ args: [String], stdout: String? = nil) throws -> (status: Int32, signaled: Bool) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    if let stdout {
        _ = FileManager.default.createFile(atPath: stdout, contents: nil)
        p.standardOutput = FileHandle(forWritingAtPath: stdout)
    } else { p.standardOutput = FileHandle.nullDevice }
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    return (p.terminationStatus, p.terminationReason == .uncaughtSignal)
}

/// Runs items `0..<count` in worker processes: this executable with `args(first)` plus `--from first --to count
/// --out FILE`. A worker writes `start i` before item i and `done i …` after it (and any other lines) to FILE;
/// each line goes to `onLine`. A worker that dies, or writes nothing for `stallSeconds` (then it is killed),
/// is reported through `onFailure` with the item it had started, and a new worker continues after that item.
func runInWorkers(count: Int, work: String, stallSeconds: Double = 20, args: (Int) -> [String],
                  onLine: (String) -> Void, onFailure: (_ item: Int, _ hung: Bool) -> Void) throws {
    var next = 0
    while next < count {
        let out = work + "/worker-\(next)"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: selfPath())
        p.arguments = args(next) + ["--from", String(next), "--to", String(count), "--out", out]
        p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
        try p.run()
        var lastSize = -1, lastChange = now(), hung = false
        while p.isRunning {
            usleep(20_000)
            let size = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
            if size != lastSize { lastSize = size; lastChange = now() }
            else if now() - lastChange > stallSeconds { hung = true; kill(p.processIdentifier, SIGKILL) }
        }
        p.waitUntilExit()
        var lastStarted = next
        for line in readLines(out) {
            let parts = line.split(separator: " ", maxSplits: 2)
            if parts.count >= 2, let i = Int(parts[1]) {
                if parts[0] == "start" { lastStarted = i; continue }
                if parts[0] == "done" { next = i + 1 }
            }
            onLine(line)
        }
        if p.terminationReason == .uncaughtSignal || p.terminationStatus != 0 {
            onFailure(lastStarted, hung)
            next = max(next, lastStarted + 1)
        }
    }
}

/// A tally of outcomes, printed as `name: key n, key n`.
struct Tally: CustomStringConvertible {
    var counts: [String: Int] = [:]
    mutating func add(_ k: String, _ n: Int = 1) { counts[k, default: 0] += n }
    subscript(_ k: String) -> Int { counts[k] ?? 0 }
    var description: String { counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") }
}

func log(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}
