import ArgumentParser
import Foundation
import SearchIndex

/// `search-torture`: tries to break the promises that data from disk or users never traps and that
/// committed data is never lost. Seeded, with counts on the command line; exits 1 on any failure.
///
///     search-torture all --quick                 # the short run CI does (a few minutes)
///     search-torture all                         # the full run quoted in the README
///     search-torture crash --trials 200 --cli-trials 200
///     search-torture corruption --trials 2000
///     search-torture fuzz --queries 200000 --index /path/to/reuters/Index
///     search-torture concurrency --seconds 60
///     search-torture diskfull --trials 20        # needs root (mounts a 2 MiB tmpfs)
@main
struct Torture: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search-torture",
        abstract: "Crash, corruption, query-fuzzing, concurrency and disk-full torture tests for SearchIndex.",
        subcommands: [All.self, Crash.self, Corruption.self, Fuzz.self, Concurrency.self, DiskFull.self,
                      CrashChild.self, CorruptionWorker.self, FuzzWorker.self, FuzzReplay.self])
}

struct Common: ParsableArguments {
    @Option(help: "Seed; the same seed replays the same trials.") var seed: UInt64 = 1
}

/// Prints a mode's summary and failures; returns whether it passed.
func report(_ mode: String, _ tally: Tally, _ failures: [String], extra: String = "", seconds: Double) -> Bool {
    let bad = tally["FAILED"] + tally["CRASH"] + tally["HANG"] + tally["SILENT"] + tally["SLOW"]
    print("\(mode): \(bad == 0 && failures.isEmpty ? "PASS" : "FAIL") in \(String(format: "%.1f", seconds)) s: \(tally)\(extra)")
    for f in failures.prefix(30) { print("  - \(f)") }
    if failures.count > 30 { print("  … \(failures.count - 30) more") }
    return bad == 0 && failures.isEmpty
}

/// Runs one mode's body, timing it and turning a harness error into a failure; returns whether it passed.
/// The body returns extra text for the summary line.
func runMode(_ name: String, _ body: (inout Tally, inout [String]) throws -> String) -> Bool {
    var tally = Tally(), failures: [String] = [], extra = ""
    let t0 = now()
    do { extra = try body(&tally, &failures) } catch { failures.append("harness: \(error)") }
    return report(name, tally, failures, extra: extra, seconds: now() - t0)
}

struct Crash: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "kill -9 a writer (library and CLI) at random moments.")
    @OptionGroup var common: Common
    @Option(help: "Library trials.") var trials = 200
    @Option(help: "CLI (`search index`) trials.") var cliTrials = 200
    @Option(help: "Longest time before the kill, in ms.") var maxMillis = 1500
    func run() throws { if !Crash.go(self) { throw ExitCode(1) } }
    static func go(_ c: Crash) -> Bool {
        let library = runMode("crash (library)") { t, f in
            try CrashMode.run(trials: c.trials, seed: c.common.seed, maxMillis: c.maxMillis, tally: &t, failures: &f); return ""
        }
        let cli = runMode("crash (CLI)") { t, f in
            try CrashMode.runCLI(trials: c.cliTrials, seed: c.common.seed, maxMillis: c.maxMillis, tally: &t, failures: &f); return ""
        }
        return library && cli
    }
}

struct Corruption: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Flip, zero, truncate or delete index files, with and without a recomputed CRC.")
    @OptionGroup var common: Common
    @Option(help: "Trials; odd-numbered ones recompute the CRC.") var trials = 2000
    func run() throws { if !Corruption.go(self) { throw ExitCode(1) } }
    static func go(_ c: Corruption) -> Bool {
        runMode("corruption") { t, f in
            var byKind: [String: Tally] = [:]
            try CorruptionMode.run(trials: c.trials, seed: c.common.seed, tally: &t, failures: &f, byKind: &byKind)
            return "\n  by file kind: " + byKind.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: "; ")
        }
    }
}

struct Fuzz: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Random and grammar-aware queries; none may crash, hang or take > 100 ms (<= 10 KB).")
    @OptionGroup var common: Common
    @Option(help: "Queries.") var queries = 200_000
    @Option(help: "An existing index to query (default: a small synthetic one).") var index: String?
    func run() throws { if !Fuzz.go(self) { throw ExitCode(1) } }
    static func go(_ c: Fuzz) -> Bool {
        runMode("fuzz") { t, f in
            var maxMs = 0.0, slowest = ""
            try FuzzMode.run(queries: c.queries, seed: c.common.seed, index: c.index, tally: &t, failures: &f, maxMillis: &maxMs, slowest: &slowest)
            return String(format: "; slowest query of <= 10 KB: %.1f ms", maxMs) + " (\(slowest))"
        }
    }
}

struct Concurrency: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "One writer, 4 readers and check loops at once.")
    @OptionGroup var common: Common
    @Option(help: "Seconds.") var seconds = 60.0
    func run() throws { if !Concurrency.go(self) { throw ExitCode(1) } }
    static func go(_ c: Concurrency) -> Bool {
        runMode("concurrency") { t, f in try ConcurrencyMode.run(seconds: c.seconds, seed: c.common.seed, tally: &t, failures: &f); return "" }
    }
}

struct DiskFull: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diskfull", abstract: "Commits into a full 2 MiB tmpfs (needs root).")
    @OptionGroup var common: Common
    @Option(help: "Trials.") var trials = 20
    func run() throws { if !DiskFull.go(self) { throw ExitCode(1) } }
    static func go(_ c: DiskFull) -> Bool {
        runMode("disk full") { t, f in try DiskFullMode.run(trials: c.trials, seed: c.common.seed, tally: &t, failures: &f); return "" }
    }
}

struct All: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Every mode, full counts (or --quick for CI).")
    @OptionGroup var common: Common
    @Flag(help: "Short counts: a few minutes in all.") var quick = false
    @Option(help: "Index for the fuzz mode (e.g. a Reuters index), else a synthetic one.") var fuzzIndex: String?
    func run() throws {
        let s = common.seed
        var ok = true
        ok = Crash.go(try Crash.parse(["--seed", "\(s)", "--trials", quick ? "12" : "200", "--cli-trials", quick ? "8" : "200"])) && ok
        ok = Corruption.go(try Corruption.parse(["--seed", "\(s)", "--trials", quick ? "300" : "2000"])) && ok
        var fa = ["--seed", "\(s)", "--queries", quick ? "10000" : "200000"]
        if let fuzzIndex { fa += ["--index", fuzzIndex] }
        ok = Fuzz.go(try Fuzz.parse(fa)) && ok
        ok = Concurrency.go(try Concurrency.parse(["--seed", "\(s)", "--seconds", quick ? "10" : "60"])) && ok
        ok = DiskFull.go(try DiskFull.parse(["--seed", "\(s)", "--trials", quick ? "5" : "20"])) && ok
        print(ok ? "torture: PASS" : "torture: FAIL")
        if !ok { throw ExitCode(1) }
    }
}

// MARK: - Child processes (not for direct use)

struct CrashChild: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "crash-child", shouldDisplay: false)
    @Option var dir: String
    @Option var seed: UInt64
    @Option var ack: String
    func run() throws { try CrashMode.child(dir: dir, seed: seed, ack: ack) }
}

struct CorruptionWorker: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "corruption-worker", shouldDisplay: false)
    @Option var seed: UInt64
    @Option var pristine: String
    @Option var from: Int
    @Option var to: Int
    @Option var out: String
    func run() throws { try CorruptionMode.worker(seed: seed, pristine: pristine, from: from, to: to, out: out) }
}

struct FuzzWorker: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fuzz-worker", shouldDisplay: false)
    @Option var index: String
    @Option var seed: UInt64
    @Option var from: Int
    @Option var to: Int
    @Option var out: String
    func run() throws { try FuzzMode.worker(index: index, seed: seed, from: from, to: to, out: out) }
}

struct FuzzReplay: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fuzz-replay", abstract: "Print and time one fuzzed query.", shouldDisplay: false)
    @Option var index: String
    @Option var seed: UInt64 = 1
    @Option var query: Int
    @Option var repeats = 3
    func run() throws { try FuzzMode.replay(index: index, seed: seed, i: query, repeats: repeats) }
}
