import Foundation
import SearchIndex
#if canImport(Glibc)
import Glibc
#endif

/// Disk-full mode: an index on a 2 MiB tmpfs. Each trial fills the disk with a ballast file of random size,
/// adds documents and commits until the commit fails. The failure must be a typed `io` error; the previous
/// commit must still open, pass `check` and hold its documents; after the ballast is removed, the same
/// writer must commit everything it holds.
enum DiskFullMode {
    static func mount(_ dir: String, sizeKB: Int) -> Bool {
        (try? runProcess("/bin/mount", ["-t", "tmpfs", "-o", "size=\(sizeKB)k", "tmpfs", dir]))?.status == 0
    }
    static func unmount(_ dir: String) { _ = try? runProcess("/bin/umount", [dir]) }

    static func run(trials: Int, seed: UInt64, tally: inout Tally, failures: inout [String]) throws {
        let mnt = makeTempDir("diskfull")
        defer { try? FileManager.default.removeItem(atPath: mnt) }
        guard mount(mnt, sizeKB: 2048) else { tally.add("skipped: cannot mount a tmpfs (needs root)"); return }
        defer { unmount(mnt) }
        for t in 0..<trials {
            let dir = mnt + "/index", ballast = mnt + "/ballast"
            try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: ballast)
            var rng = Rng(seed, 9000 + UInt64(t))
            do {
                var config = IndexWriterConfig(ramBufferMB: 1, compressionLevel: 1)
                config.mergeFactor = rng.chance(0.5) ? 3 : 0
                var writer: IndexWriter? = try IndexWriter(path: dir, config: config)
                var committed = 0, added = 0
                for _ in 0..<rng.int(in: 1...3) {
                    for _ in 0..<rng.int(in: 10...60) { try writer!.addDocument(syntheticDocument(id: "d\(added)", version: 1, &rng)); added += 1 }
                    try writer!.commit(); committed = added
                }
                // Fill most of what is left.
                var st = statvfs()
                statvfs(mnt, &st)
                let free = Int(st.f_bavail) * Int(st.f_frsize)
                let fill = max(0, free - rng.int(in: 4_000...200_000))
                _ = FileManager.default.createFile(atPath: ballast, contents: Data(count: fill))
                var failure: SearchIndexError? = nil
                while failure == nil && added < committed + 20_000 {
                    do {
                        for _ in 0..<rng.int(in: 20...200) {
                            try writer!.addDocument(syntheticDocument(id: "d\(added)", version: 1, &rng)); added += 1
                        }
                        if rng.chance(0.3) { try writer!.forceMerge(maxSegments: 1) } else { try writer!.commit() }
                        committed = added
                    } catch let e as SearchIndexError { failure = e }
                }
                guard let failure else { tally.add("no failure (disk never filled)"); continue }
                guard case .io = failure else {
                    tally.add("FAILED"); failures.append("disk-full trial \(t): untyped or wrong error \(failure)"); continue
                }
                tally.add("typed io errors")
                // The previous commit is intact.
                _ = try checkIndex(path: dir)
                let s = try Searcher(path: dir)
                guard s.documentCount == committed else {
                    tally.add("FAILED"); failures.append("disk-full trial \(t): \(s.documentCount) documents after the failure, \(committed) committed"); continue
                }
                // Space freed: the same writer commits everything it holds.
                try FileManager.default.removeItem(atPath: ballast)
                if rng.chance(0.5) {
                    try writer!.commit()
                } else {
                    // Or a fresh writer (the old one closed) starts over from the last commit.
                    writer!.close(); writer = nil
                    writer = try IndexWriter(path: dir, config: config)
                    added = committed
                    try writer!.addDocument(syntheticDocument(id: "d\(added)", version: 1, &rng)); added += 1
                    try writer!.commit()
                }
                writer!.close()
                _ = try checkIndex(path: dir)
                let after = try Searcher(path: dir).documentCount
                guard after == added else {
                    tally.add("FAILED"); failures.append("disk-full trial \(t): \(after) documents after freeing space, \(added) added"); continue
                }
                tally.add("ok")
            } catch {
                tally.add("FAILED"); failures.append("disk-full trial \(t): \(error)")
            }
        }
    }
}
