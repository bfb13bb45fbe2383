import Foundation
import SearchIndex
#if canImport(Glibc)
import Glibc
#endif

/// Concurrency mode: one writer commits adds, replaces and deletes for `seconds`, while 4 reader threads
/// open snapshots and query them, a thread runs `checkIndex` in a loop, and (when the CLI is built) a
/// `search check` process loops too. Every document carries the marker word `zzmarker`, and each commit
/// records its live count in its user data, so a reader can tell whether its snapshot is self-consistent:
/// the marker's exact hit count, `documentCount` and the recorded count must all agree.
enum ConcurrencyMode {
    /// (`@unchecked Sendable`: every field is behind `lock`.)
    final class Shared: @unchecked Sendable {
        private let lock = NSLock()
        private var _stop = false
        private var _tally = Tally()
        private var _failures: [String] = []
        var stop: Bool { lock.lock(); defer { lock.unlock() }; return _stop }
        func setStop() { lock.lock(); _stop = true; lock.unlock() }
        func add(_ k: String) { lock.lock(); _tally.add(k); lock.unlock() }
        func fail(_ s: String) { lock.lock(); _tally.add("FAILED"); if _failures.count < 50 { _failures.append(s) }; lock.unlock() }
        var result: (Tally, [String]) { lock.lock(); defer { lock.unlock() }; return (_tally, _failures) }
    }

    static func run(seconds: Double, seed: UInt64, tally: inout Tally, failures: inout [String]) throws {
        let work = makeTempDir("concurrency")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let dir = work + "/index"
        let shared = Shared()
        let config: IndexWriterConfig = {
            var c = IndexWriterConfig(ramBufferMB: 1, compressionLevel: 1)
            c.mergeFactor = 4
            return c
        }()
        let first = try IndexWriter(path: dir, config: config)
        try first.commit(userData: ["count": "0"])
        first.close()

        let writerThread = Thread {
            let writer: IndexWriter
            do { writer = try IndexWriter(path: dir, config: config) } catch { shared.fail("writer: \(error)"); shared.setStop(); return }
            var rng = Rng(seed, 1)
            var live = Set<Int>(), nextID = 0
            var commits = 0
            let end = now() + seconds
            do {
                while now() < end {
                    for _ in 0..<rng.int(in: 1...80) {
                        let r = rng.int(10)
                        if r < 6 || live.isEmpty {
                            var d = syntheticDocument(id: "d\(nextID)", version: 1, &rng)
                            d.addText("body", "zzmarker")
                            try writer.addDocument(d); live.insert(nextID); nextID += 1
                        } else if r < 8 {
                            let id = live.randomElement(using: &rng)!
                            var d = syntheticDocument(id: "d\(id)", version: 2, &rng)
                            d.addText("body", "zzmarker")
                            try writer.addDocument(d)
                        } else {
                            let id = live.randomElement(using: &rng)!
                            try writer.deleteDocument(id: "d\(id)"); live.remove(id)
                        }
                    }
                    // (A force merge commits what is buffered: it gets this commit's user data.)
                    if rng.chance(0.03) { try writer.forceMerge(maxSegments: 2, userData: ["count": String(live.count)]) }
                    else { try writer.commit(userData: ["count": String(live.count)]) }
                    commits += 1
                    shared.add("commits")
                }
            } catch { shared.fail("writer: \(error)") }
            writer.close()
            shared.setStop()
        }
        writerThread.stackSize = 8 << 20
        var threads = [writerThread]
        for r in 0..<4 {
            let t = Thread {
                while !shared.stop {
                    do {
                        let s = try Searcher(path: dir)
                        let expected = Int(s.manifest.userData["count"] ?? "") ?? -1
                        var o = SearchOptions(limit: 5); o.countAllHits = true
                        let hits = try s.search("zzmarker", options: o).totalHits
                        if s.documentCount != expected || hits != expected {
                            shared.fail("reader \(r): snapshot \(s.manifest.generation) has documentCount \(s.documentCount), marker hits \(hits), commit says \(expected)")
                        }
                        _ = try s.search("\(Vocabulary.words[r]) \(Vocabulary.words[r + 7])")
                        shared.add("reader snapshots")
                    } catch { shared.fail("reader \(r): \(error)") }
                }
            }
            t.stackSize = 8 << 20
            threads.append(t)
        }
        let checker = Thread {
            while !shared.stop {
                do { _ = try checkIndex(path: dir); shared.add("checks in process") }
                catch { shared.fail("checkIndex: \(error)") }
            }
        }
        checker.stackSize = 8 << 20
        threads.append(checker)
        let cli = searchBinary()
        if let cli {
            let t = Thread {
                while !shared.stop {
                    do {
                        let r = try runProcess(cli, ["check", "--index", dir])
                        if r.status != 0 { shared.fail("search check exited with \(r.status)") } else { shared.add("search check runs") }
                    } catch { shared.fail("search check: \(error)") }
                }
            }
            threads.append(t)
        }
        for t in threads { t.start() }
        while !shared.stop { usleep(100_000) }
        usleep(500_000)
        let (t, f) = shared.result
        for (k, v) in t.counts { tally.add(k, v) }
        failures += f
        _ = try checkIndex(path: dir)
    }
}

extension Set {
    func randomElement(using rng: inout Rng) -> Element? {
        guard !isEmpty else { return nil }
        let i = rng.int(count)
        return self[index(startIndex, offsetBy: i)]
    }
}
