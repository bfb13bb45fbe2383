import CZlib
import Foundation
import SearchIndex
#if canImport(Glibc)
import Glibc
#endif

/// Corruption mode: damage one file of a pristine index (flip bits, zero a range, truncate, delete), either
/// leaving its CRC as it is or recomputing it (damage a checksum cannot see: a buggy writer, or bits that
/// flipped before the checksum was computed). Each trial must end in a typed error from `check` or from a
/// query, or in answers identical to the pristine index: never a crash, a hang or a silently different result.
///
/// Trials run in a worker process that reports each outcome on a line; the parent restarts the worker past
/// a trial that crashed it, and kills a worker that makes no progress for 20 s (a hang).
enum CorruptionMode {
    /// Builds the pristine index: several segments, replaced and deleted documents (so `.liv` files exist).
    static func buildPristine(_ dir: String, seed: UInt64) throws {
        var config = IndexWriterConfig(ramBufferMB: 1, compressionLevel: 6)
        config.mergeFactor = 0
        let w = try IndexWriter(path: dir, config: config, create: true)
        var rng = Rng(seed, 1)
        for batch in 0..<4 {
            for i in 0..<120 { try w.addDocument(syntheticDocument(id: "d\(batch * 120 + i)", version: 1, &rng)) }
            if batch > 0 {
                for _ in 0..<10 { try w.deleteDocument(id: "d\(rng.int(batch * 120))") }
                for _ in 0..<5 { let id = rng.int(batch * 120); try w.addDocument(syntheticDocument(id: "d\(id)", version: 2, &rng)) }
            }
            try w.commit()
        }
        w.close()
    }

    enum Op: String, CaseIterable { case flip, zero, truncate, delete }

    /// Damages `path` in place. With `recomputeCRC`, only the body changes and the footer CRC is rewritten.
    static func damage(_ path: String, op: Op, recomputeCRC: Bool, _ rng: inout Rng) throws -> String {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let n = bytes.count
        let lo = recomputeCRC ? min(12, n) : 0, hi = recomputeCRC ? max(lo, n - 8) : n
        var what = ""
        switch op {
        case .delete:
            try FileManager.default.removeItem(atPath: path)
            return "deleted"
        case .flip:
            guard hi > lo else { return "nothing to flip" }
            let at = lo + rng.int(hi - lo)
            let mask = UInt8(1 << rng.int(8)) | (rng.chance(0.3) ? UInt8(1 << rng.int(8)) : 0)
            bytes[at] ^= mask
            what = "flipped \(String(mask, radix: 2)) at \(at)"
        case .zero:
            guard hi > lo else { return "nothing to zero" }
            let at = lo + rng.int(hi - lo), len = min(hi - at, rng.int(in: 1...64))
            for i in at..<(at + len) { bytes[i] = 0 }
            what = "zeroed \(len) at \(at)"
        case .truncate:
            let at = lo + rng.int(max(1, hi - lo))
            if recomputeCRC {
                bytes = Array(bytes[0..<at]) + Array("SIXF".utf8) + [0, 0, 0, 0]
            } else {
                bytes = Array(bytes[0..<at])
            }
            what = "truncated to \(at)"
        }
        if recomputeCRC && bytes.count >= 8 {
            let crc = bytes.withUnsafeBytes { UInt32(truncatingIfNeeded: crc32(0, $0.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(bytes.count - 4))) }
            for i in 0..<4 { bytes[bytes.count - 4 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return what
    }

    /// The file kind of an index file name (`tdi`, `doc`, …, `liv`, `segments`).
    static func kind(_ name: String) -> String {
        if IndexFileKind(fileName: name) == .manifest { return "segments" }
        return (name as NSString).pathExtension
    }

    /// One trial; returns "check", "query" (a typed error), "same", or "SILENT …".
    static func trial(_ i: Int, seed: UInt64, pristine: String, expected: [String], queries: [String], work: String) throws -> String {
        var rng = Rng(seed, 100_000 + UInt64(i))
        let dir = work + "/t"
        try copyDirectory(pristine, dir)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0 != "write.lock" }.sorted()
        let kinds = Array(Set(names.map(kind))).sorted()
        let k = rng.pick(kinds)
        let file = rng.pick(names.filter { kind($0) == k })
        let recompute = i % 2 == 1
        let op: Op = recompute ? rng.pick([.flip, .flip, .zero, .truncate]) : rng.pick(Op.allCases)
        let what = try damage(dir + "/" + file, op: op, recomputeCRC: recompute, &rng)
        let label = "\(k) \(op.rawValue)\(recompute ? "+crc" : "") \(file) \(what)"
        do {
            _ = try checkIndex(path: dir)
        } catch is SearchIndexError {
            // check found it; a query must still not crash or hang.
            if let s = try? Searcher(path: dir) { for q in queries { _ = try? s.search(q) } }
            return "check \(label)"
        }
        do {
            let s = try Searcher(path: dir)
            let got = try fingerprint(s, queries: queries)
            if got == expected { return "same \(label)" }
            let diff = zip(got, expected).first { $0 != $1 }.map { "got «\($0.0.prefix(160))» want «\($0.1.prefix(160))»" } ?? "count differs"
            return "SILENT \(label): \(diff)"
        } catch is SearchIndexError {
            return "query \(label)"
        }
    }

    /// The worker: runs trials `from..<to`, one line per trial on `out` (synced).
    static func worker(seed: UInt64, pristine: String, from: Int, to: Int, out: String) throws {
        let queries = fixedQueries()
        let expected = try fingerprint(try Searcher(path: pristine), queries: queries)
        let work = makeTempDir("corrupt-w")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let log = SyncedLog(path: out)
        for i in from..<to {
            log.append("start \(i)", sync: false)
            let r = try trial(i, seed: seed, pristine: pristine, expected: expected, queries: queries, work: work)
            log.append("done \(i) \(r)", sync: false)
        }
    }

    static func run(trials: Int, seed: UInt64, tally: inout Tally, failures: inout [String], byKind: inout [String: Tally]) throws {
        let work = makeTempDir("corrupt")
        defer { if ProcessInfo.processInfo.environment["TORTURE_KEEP"] == nil { try? FileManager.default.removeItem(atPath: work) } }
        let pristine = work + "/pristine"
        try buildPristine(pristine, seed: seed)
        try runInWorkers(count: trials, work: work, args: { _ in ["corruption-worker", "--seed", String(seed), "--pristine", pristine] },
                         onLine: { line in
            // done <i> <outcome> <kind> …
            let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
            guard parts.count == 3, parts[0] == "done" else { return }
            let words = parts[2].split(separator: " ")
            let outcome = String(words.first ?? ""), fileKind = words.dropFirst().first.map(String.init) ?? "?"
            tally.add(outcome)
            byKind[fileKind, default: Tally()].add(outcome)
            byKind[words.dropFirst(2).first?.hasSuffix("+crc") == true ? "(CRC recomputed)" : "(CRC as is)", default: Tally()].add(outcome)
            if outcome == "SILENT" { failures.append("corruption trial \(parts[1]): \(parts[2])") }
        }, onFailure: { item, hung in
            tally.add(hung ? "HANG" : "CRASH")
            failures.append("corruption trial \(item): \(hung ? "hang" : "crash") (replay: corruption-worker --seed \(seed) --from \(item))")
        })
    }
}
