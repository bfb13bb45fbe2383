import Foundation
import SearchIndex
#if canImport(Glibc)
import Glibc
#endif

/// Crash mode: a child process writes (adds, replaces, deletes, commits, force-merges) with a tiny RAM
/// buffer and a small merge factor, so flushes and background merges happen all the time (a kill often lands
/// in a merge: the tally counts kills with one pending), and logs each acknowledged
/// commit to an fsync'd side file. The parent kills it with SIGKILL at a random moment, then checks that
/// the index opens, passes `check`, holds exactly the documents of the last acknowledged commit (or of the
/// one in flight), finds every one of them by id, and that a new writer opens, cleans up and commits.
enum CrashMode {
    /// The writes of commit number `k` (1-based), replayable from the seed: (id, version) adds and deletes.
    struct Batch { var adds: [(id: Int, version: Int)] = []; var deletes: [Int] = []; var forceMerge = false }

    static func batch(seed: UInt64, commit k: Int, live: inout [Int: Int]) -> Batch {
        var rng = Rng(seed, UInt64(k))
        var b = Batch()
        let n = rng.chance(0.15) ? rng.int(in: 200...600) : rng.int(in: 1...60)
        var ids = live.keys.sorted()   // kept sorted through the batch (ids are picked by rank)
        var nextID = (ids.last ?? 0) + 1
        for _ in 0..<n {
            let r = rng.int(10)
            if r < 6 || ids.isEmpty {
                b.adds.append((nextID, 1)); live[nextID] = 1; ids.append(nextID); nextID += 1
            } else if r < 8 {
                let id = ids[rng.int(ids.count)]
                let v = (live[id] ?? 0) + 1
                b.adds.append((id, v)); live[id] = v
            } else {
                let i = rng.int(ids.count)
                b.deletes.append(ids[i]); live[ids[i]] = nil; ids.remove(at: i)
            }
        }
        b.forceMerge = rng.chance(0.08)
        return b
    }

    static func document(seed: UInt64, id: Int, version: Int) -> Document {
        var rng = Rng(seed ^ 0xABCD, UInt64(id) << 20 | UInt64(version))
        return syntheticDocument(id: "d\(id)", version: version, &rng, bodyWords: rng.chance(0.1) ? rng.int(in: 500...3000) : nil)
    }

    /// The live documents (id -> version) after commit `k`.
    static func expected(seed: UInt64, after k: Int) -> [Int: Int] {
        var live: [Int: Int] = [:]
        if k > 0 { for c in 1...k { _ = batch(seed: seed, commit: c, live: &live) } }
        return live
    }

    /// The child: writes commits until killed.
    static func child(dir: String, seed: UInt64, ack: String) throws {
        var config = IndexWriterConfig(ramBufferMB: 1, compressionLevel: 1)
        config.mergeFactor = 3
        let w = try IndexWriter(path: dir, config: config)
        let acks = SyncedLog(path: ack)
        var live: [Int: Int] = [:]
        var k = 0
        while true {
            k += 1
            let b = batch(seed: seed, commit: k, live: &live)
            for (id, v) in b.adds { try w.addDocument(document(seed: seed, id: id, version: v)) }
            for id in b.deletes { try w.deleteDocument(id: "d\(id)") }
            // (A force merge commits what is buffered: it gets this commit's user data.)
            if b.forceMerge { try w.forceMerge(maxSegments: 1, userData: ["torture-commit": String(k)]) }
            else { try w.commit(userData: ["torture-commit": String(k)]) }
            acks.append("acked \(k) merges \(w.pendingMerges)")
        }
    }

    /// Verifies `dir` after a kill. Returns nil when all is well, or what was wrong.
    static func verify(dir: String, seed: UInt64, acked: Int) -> String? {
        do {
            if acked == 0, (try? Searcher(path: dir)) == nil { return nil }   // killed before the first commit
            _ = try checkIndex(path: dir)
            let s = try Searcher(path: dir)
            guard let c = Int(s.manifest.userData["torture-commit"] ?? "") else { return "commit has no torture-commit" }
            guard c == acked || c == acked + 1 else { return "index is at commit \(c), last acknowledged \(acked)" }
            let live = expected(seed: seed, after: c)
            guard s.documentCount == live.count else { return "\(s.documentCount) documents, expected \(live.count) at commit \(c)" }
            for (id, v) in live {
                guard let d = try s.document(id: "d\(id)") else { return "document d\(id) (commit \(c)) not found" }
                guard d["v"] == String(v) else { return "document d\(id) has version \(d["v"] ?? "-"), expected \(v)" }
            }
            // A new writer opens, removes what the killed one left, and commits on top.
            let w = try IndexWriter(path: dir)
            let leftovers = try orphanFiles(dir, manifest: s.manifest)
            guard leftovers.isEmpty else { return "orphan files after a writer opened: \(leftovers.prefix(5))" }
            var rng = Rng(seed, 999)
            try w.addDocument(syntheticDocument(id: "probe", version: 1, &rng))
            try w.commit(userData: ["torture-commit": String(c)])
            w.close()
            _ = try checkIndex(path: dir)
            guard try Searcher(path: dir).documentCount == live.count + 1 else { return "probe commit lost documents" }
            return nil
        } catch {
            return "\(error)"
        }
    }

    static func orphanFiles(_ dir: String, manifest: Manifest) throws -> [String] {
        let keep = manifest.referencedFiles
        return try FileManager.default.contentsOfDirectory(atPath: dir).filter {
            IndexFileKind.isIndexFile($0) && !keep.contains($0)
        }
    }

    /// Library trials: each starts a fresh index, lets the child run for a random time, kills it, verifies.
    static func run(trials: Int, seed: UInt64, maxMillis: Int, tally: inout Tally, failures: inout [String]) throws {
        let work = makeTempDir("crash")
        defer { try? FileManager.default.removeItem(atPath: work) }
        for t in 0..<trials {
            let dir = work + "/idx", ack = work + "/acks"
            try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: ack)
            var rng = Rng(seed, UInt64(t))
            let childSeed = rng.next()
            let delay = rng.int(in: 20...maxMillis)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: selfPath())
            p.arguments = ["crash-child", "--dir", dir, "--seed", String(childSeed), "--ack", ack]
            p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32(delay * 1000))
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
            if p.terminationReason == .exit {
                tally.add("child exited on its own"); failures.append("trial \(t): child exited with \(p.terminationStatus)")
                continue
            }
            let lines = readLines(ack)
            let acked = lines.compactMap { l -> Int? in let w = l.split(separator: " "); return w.count >= 2 ? Int(w[1]) : nil }.max() ?? 0
            tally.add("kills"); tally.add("commits acknowledged", acked)
            // (The child logs the background merges pending after each commit.)
            if let last = lines.last, let m = Int(last.split(separator: " ").last ?? ""), m > 0 { tally.add("kills with a background merge pending") }
            if let problem = verify(dir: dir, seed: childSeed, acked: acked) {
                tally.add("FAILED"); failures.append("library trial \(t) (seed \(childSeed), killed at \(delay) ms): \(problem)")
            } else { tally.add("ok") }
        }
    }

    /// CLI trials: `search index` over one of two corpora, killed at a random moment. The index must hold
    /// either the previous complete build or the new one, pass `check`, and find every document by id.
    static func runCLI(trials: Int, seed: UInt64, maxMillis: Int, tally: inout Tally, failures: inout [String]) throws {
        guard let search = searchBinary() else { tally.add("skipped: no search binary"); return }
        let work = makeTempDir("crash-cli")
        defer { try? FileManager.default.removeItem(atPath: work) }
        var corpora: [[String]] = []
        for (c, n) in [(0, 1500), (1, 2200)].map({ $0 }) {
            let dir = work + "/corpus\(c)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            var rng = Rng(seed, 7000 + UInt64(c))
            var ids: [String] = [], lines = ""
            for i in 0..<n {
                let id = "c\(c)-\(i)"
                ids.append(id)
                let obj: [String: String] = ["id": id, "title": Vocabulary.text(&rng, words: 6),
                                             "body": Vocabulary.text(&rng, words: rng.int(in: 20...300))]
                lines += String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self) + "\n"
            }
            try lines.write(toFile: dir + "/docs.jsonl", atomically: true, encoding: .utf8)
            corpora.append(ids)
        }
        let index = work + "/Index"
        // One complete build first: it times a build, so kills land anywhere in one (and a few just after).
        let t0 = now()
        guard try runProcess(search, ["index", work + "/corpus1", "--index", index]).status == 0 else {
            failures.append("CLI: the first complete build failed"); tally.add("FAILED"); return
        }
        let buildMillis = Int((now() - t0) * 1000)
        var complete: Int? = 1   // the corpus of the last build known to have completed
        for t in 0..<trials {
            var rng = Rng(seed, 5000 + UInt64(t))
            let c = rng.int(2)
            let delay = rng.int(in: 5...max(20, min(maxMillis, buildMillis * 11 / 10)))
            let p = Process()
            p.executableURL = URL(fileURLWithPath: search)
            p.arguments = ["index", work + "/corpus\(c)", "--index", index]
            p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32(delay * 1000))
            let killed = p.isRunning
            if killed { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
            tally.add(killed ? "kills" : "runs completed before the kill")
            if !killed && p.terminationStatus != 0 { failures.append("CLI trial \(t): exit \(p.terminationStatus)"); tally.add("FAILED"); continue }
            do {
                if complete == nil, killed, (try? Searcher(path: index)) == nil { tally.add("ok"); continue }
                _ = try checkIndex(path: index)
                let s = try Searcher(path: index)
                let which: Int
                if s.documentCount == corpora[c].count { which = c }   // the corpora differ in size
                else if let prev = complete, s.documentCount == corpora[prev].count { which = prev }
                else { throw SearchIndexError.invalidArgument("\(s.documentCount) documents: neither the new build nor the previous one") }
                if !killed && which != c { throw SearchIndexError.invalidArgument("completed build not visible") }
                for id in corpora[which] {
                    if try s.document(id: id) == nil { throw SearchIndexError.invalidArgument("document \(id) missing") }
                }
                complete = which
                tally.add("ok")
            } catch {
                tally.add("FAILED"); failures.append("CLI trial \(t) (corpus \(c), killed at \(delay) ms): \(error)")
            }
        }
    }
}
