import Foundation
import XCTest
import SearchIndex
#if canImport(Glibc)
import Glibc
#endif

/// Bad input, damaged indexes, huge files and interrupted runs: clear errors, right exit codes, and the
/// existing index is never lost.
final class CLIRobustnessTests: CLITestCase {
    /// A small good index in `idx` (3 documents).
    func makeSmallIndex(_ index: String = "idx") throws {
        try write("small/a.txt", "Tangier Police Arrest Three\nPolice in Tangier arrested three men on Monday.\n")
        try write("small/b.md", "# Zebra Notes\n\nZebras cross the river.\n")
        try write("small/c.json", #"{"id": "c-1", "title": "Penguin Colony", "body": "Penguins on ice."}"#)
        try expect(0, ["index", "small", "--index", index])
        XCTAssertEqual(try documentCount(index: index), 3)
    }

    /// The small index is still there, searchable and valid.
    func assertSmallIndexIntact(_ index: String = "idx", file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try documentCount(index: index, file: file, line: line), 3, file: file, line: line)
        XCTAssertEqual(try hitIDs("tangier", index: index, file: file, line: line), ["a.txt"], file: file, line: line)
        try expect(0, ["check", "--index", index], file: file, line: line)
    }

    func testMissingFolderExits2() throws {
        try makeSmallIndex()
        let r = try expect(2, ["index", "no/such/folder", "--index", "idx"])
        XCTAssertTrue(r.stderr.hasPrefix("search: "), r.summary)
        XCTAssertTrue(r.stderr.contains("no/such/folder: no such file or directory"), r.summary)
        try write("afile.txt", "Not A Folder\ntext\n")
        let f = try expect(2, ["index", "afile.txt", "--index", "idx"])
        XCTAssertTrue(f.stderr.contains("afile.txt is outside") && f.stderr.contains("small"), f.summary)
        let g = try expect(2, ["index", "small", "afile.txt", "--index", "idx"])
        XCTAssertTrue(g.stderr.contains("one folder, or files"), g.summary)
        try assertSmallIndexIntact()
    }

    /// An index whose files are of another format version (an older release's) cannot be updated: `search
    /// index` says so and builds it again from the folder, and the result is searchable.
    func testIndexOfAnotherFormatVersionIsRebuiltWithANote() throws {
        try makeSmallIndex()
        // Every file's header holds the version at bytes 8..<12: make them all version 3.
        let dir = tmp.appendingPathComponent("idx")
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where !name.hasPrefix(".") && name != "write.lock" {
            let url = dir.appendingPathComponent(name)
            guard var bytes = try? Data(contentsOf: url), bytes.count > 12, bytes.prefix(4) == Data("SIX1".utf8) else { continue }
            bytes.replaceSubrange(8..<12, with: [3, 0, 0, 0])
            try bytes.write(to: url)
        }
        let old = try search(["--index", "idx", "tangier"])
        XCTAssertNotEqual(old.status, 0, old.summary)
        XCTAssertTrue(old.stderr.contains("unsupported format version 3"), old.summary)
        let r = try expect(0, ["index", "small", "--index", "idx"])
        XCTAssertTrue(r.stderr.contains("cannot be read") && r.stderr.contains("rebuilding"), r.summary)
        try assertSmallIndexIntact()
    }

    func testEmptyFolderExits2AndKeepsTheIndex() throws {
        try makeSmallIndex()
        let before = indexFiles("idx")
        try mkdir("empty")
        let r = try expect(2, ["index", "empty", "--index", "idx"])
        XCTAssertTrue(r.stderr.contains("no documents found in empty"), r.summary)
        XCTAssertTrue(r.stderr.contains("the existing index was left unchanged"), r.summary)
        XCTAssertEqual(indexFiles("idx"), before)
        try assertSmallIndexIntact()
        // A folder with only unsupported, empty or broken files is "empty" too.
        try write("junk/image.png", bytes: [0x89, 0x50, 0x4E, 0x47, 0, 0, 1])
        try write("junk/empty.txt", "")
        try write("junk/blank.md", "  \n\n\t\n")
        try write("junk/broken.json", "{\"title\": ")
        let j = try expect(2, ["index", "junk", "--index", "idx"])
        XCTAssertTrue(j.stderr.contains("no documents found in junk"), j.summary)
        XCTAssertTrue(j.stderr.contains("broken.json"), j.summary)
        try assertSmallIndexIntact()
        // Nor is a fresh location created with an empty index.
        try expect(2, ["index", "empty", "--index", "fresh"])
        try expect(2, ["--index", "fresh", "anything"])
    }

    func testBadFilesAreReportedAndTheRestIsIndexed() throws {
        try write("c/good.txt", "Good Document\nThe quick brown fox.\n")
        try write("c/binary.txt", bytes: Array("Looks Like Text\n".utf8) + [0, 1, 2, 0, 255, 0x7F, 0] + Array("binaryword".utf8))
        try write("c/latin1.txt", bytes: Array("Caf".utf8) + [0xE9] + Array(" Menu\nCr".utf8) + [0xE8, 0xFF, 0xFE] + Array("me brulee narwhal\n".utf8))
        try write("c/lines.jsonl", """
            {"id": "j-1", "title": "First Record", "body": "aardvark one"}
            {"id": "j-2", "title": "Broken Record", "body": "never indexed
            {"id": "j-3", "title": "Third Record", "body": "aardvark three"}
            ["an", "array"]
            {"id": "j-5", "title": "Fifth Record", "body": "aardvark five"}

            """)
        try write("c/table.csv", """
            id,title,body
            r-1,Row One,"capybara alpha"
            r-2,Row Two,"capybara beta",unexpected extra,field
            r-3,Row Three,"capybara gamma"
            r-4,"Row Four,"capybara unterminated

            """)
        var unreadableTested = false
        if getuid() != 0 {
            try write("c/secret.txt", "Secret\nhidden words\n")
            chmod(path("c/secret.txt"), 0o000)
            unreadableTested = true
        }
        let r = try expect(0, ["index", "c", "--index", "idx"])
        let err = r.stderr
        XCTAssertTrue(err.contains("binary.txt: binary file"), r.summary)
        XCTAssertTrue(err.contains("latin1.txt: invalid UTF-8"), r.summary)
        XCTAssertTrue(err.contains("lines.jsonl:2: invalid JSON"), r.summary)
        XCTAssertTrue(err.contains("lines.jsonl:4: "), r.summary)
        XCTAssertTrue(err.contains("table.csv:3: malformed record"), r.summary)
        XCTAssertTrue(err.contains("table.csv:5: malformed record"), r.summary)
        if unreadableTested { XCTAssertTrue(err.contains("secret.txt: unreadable"), r.summary) }
        XCTAssertFalse(err.contains("good.txt"), r.summary)
        // The lossily decoded file is indexed: its issue is a warning, not a skip.
        XCTAssertFalse(err.contains("skipped latin1.txt"), r.summary)
        XCTAssertTrue(r.stdout.contains("indexed 7 documents"), r.summary)

        XCTAssertEqual(try documentCount(index: "idx"), 7)
        XCTAssertEqual(try hitIDs("fox", index: "idx"), ["good.txt"])
        XCTAssertEqual(try hitIDs("narwhal", index: "idx"), ["latin1.txt"])
        XCTAssertEqual(try hitIDs("binaryword", index: "idx"), [])
        XCTAssertEqual(Set(try hitIDs("aardvark", index: "idx")), ["j-1", "j-3", "j-5"])
        XCTAssertEqual(Set(try hitIDs("capybara", index: "idx")), ["r-1", "r-3"])
        try expect(0, ["check", "--index", "idx"])
    }

    /// Another writer holding the lock is not a usage error: exit 1 (the README reserves 2 for usage and input).
    func testLockedIndexExits1() throws {
        try makeSmallIndex("locked")
        let writer = try IndexWriter(path: path("locked"))
        let r = try search(["index", "small", "--index", "locked"])
        XCTAssertEqual(r.status, 1, r.summary)
        XCTAssertTrue(r.stderr.contains("locked by another writer"), r.summary)
        writer.close()
        try expect(0, ["index", "small", "--index", "locked"])
    }

    /// `check` lists files a killed writer left behind; opening a writer removes them.
    func testCheckListsLeftoverFiles() throws {
        try makeSmallIndex("left")
        _ = FileManager.default.createFile(atPath: path("left/_zz9.pos"), contents: Data([0]))
        let c = try expect(0, ["check", "--index", "left"])
        XCTAssertTrue(c.stdout.contains("_zz9.pos"), c.summary)
        try expect(0, ["index", "small", "--index", "left"])
        XCTAssertFalse(indexFiles("left").contains("_zz9.pos"))
    }

    func testCheckNamesADamagedSegmentFile() throws {
        try makeSmallIndex("good")
        let c = try expect(0, ["check", "--index", "good"])
        XCTAssertTrue(c.stdout.hasPrefix("ok: "), c.summary)
        let files = indexFiles("good")
        for ext in ["doc", "fdt", "tdi"] {
            guard let name = files.first(where: { $0.hasSuffix("." + ext) }) else { XCTFail("no .\(ext) in \(files)"); continue }
            let copy = "damaged-\(ext)"
            try FileManager.default.copyItem(atPath: path("good"), toPath: path(copy))
            let f = path("\(copy)/\(name)")
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: f)))
            bytes[bytes.count / 2] ^= 0x5A
            try Data(bytes).write(to: URL(fileURLWithPath: f))
            let r = try search(["check", "--index", copy])
            XCTAssertNotEqual(r.status, 0, r.summary)
            XCTAssertFalse(r.signaled, r.summary)
            XCTAssertTrue(r.stderr.contains(name), "check must name \(name): \(r.summary)")
            // Searching a damaged index is a clean failure too, never a crash.
            let s = try search(["--index", copy, "tangier"])
            XCTAssertEqual(s.status, 1, s.summary)
            XCTAssertFalse(s.signaled, s.summary)
            // Re-indexing over a damaged index repairs it.
            try expect(0, ["index", "small", "--index", copy])
            try expect(0, ["check", "--index", copy])
        }
        try expect(0, ["check", "--index", "good"])
    }

    /// A ~100 MB text file (the default limit is 256 MiB) is indexed whole; the index stays readable.
    /// SLOW: this is the slowest test (tokenizing 100 MB in a debug build takes 30-45 s on 2 cores);
    /// `SEARCH_CLI_BIG_FILE_MB=10` makes it quicker for local runs.
    func testHundredMegabyteTextFile() throws {
        try write("big/small.txt", "Small Neighbor\nA small document next to a big one.\n")
        let megabytes = ProcessInfo.processInfo.environment["SEARCH_CLI_BIG_FILE_MB"].flatMap { Int($0) } ?? 100
        let size = max(2, megabytes) * 1024 * 1024
        let u = tmp.appendingPathComponent("big/huge.txt")
        _ = FileManager.default.createFile(atPath: u.path, contents: nil)
        let h = try FileHandle(forWritingTo: u)
        try h.write(contentsOf: Data("Huge File Title\nneedlebegin and then a lot of filler\n".utf8))
        // Mostly separator runs (cheap to tokenize), with a word every 64 lines.
        var block = ""
        for i in 0..<64 { block += i == 0 ? "filler words " + String(repeating: "-", count: 114) + "\n" : String(repeating: "-", count: 127) + "\n" }
        let chunk = Data(String(repeating: block, count: 128).utf8)   // 1 MiB
        var written = 0
        while written + chunk.count <= size - 100 { try h.write(contentsOf: chunk); written += chunk.count }
        try h.write(contentsOf: Data("\nneedleend at the very end\n".utf8))
        try h.close()

        let start = Date()
        let r = try expect(0, ["index", "big", "--index", "idx"])
        let seconds = Date().timeIntervalSince(start)
        print("indexing a \(size >> 20) MB text file took \(String(format: "%.1f", seconds)) s")
        XCTAssertTrue(r.stdout.contains("indexed 2 documents from 2 files"), r.summary)
        XCTAssertFalse(r.stderr.contains("huge.txt"), r.summary)

        let end = try expect(0, ["--json", "--index", "idx", "needleend"]).jsonHits()
        XCTAssertEqual(end.first?["id"] as? String, "huge.txt")
        XCTAssertEqual(end.first?["title"] as? String, "Huge File Title")
        XCTAssertEqual(try hitIDs("needlebegin", index: "idx"), ["huge.txt"])
        XCTAssertEqual(try hitIDs("neighbor", index: "idx"), ["small.txt"])
        XCTAssertEqual(Set(try hitIDs("filler", index: "idx")), ["huge.txt"])
        let text = try expect(0, ["--index", "idx", "--color", "never", "needlebegin"])
        XCTAssertTrue(text.stdout.contains("[needlebegin]"), text.summary)
        try expect(0, ["check", "--index", "idx"])
        XCTAssertEqual(try documentCount(index: "idx"), 2)
    }

    /// SIGKILL during `search index` leaves the previous commit searchable, with its old document count, and
    /// the next run works (the write lock dies with the process).
    func testKilledIndexRunLeavesThePreviousIndex() throws {
        try makeSmallIndex()
        // ~12 MB of articles: several seconds of work in a debug build.
        var article = ""
        for i in 0..<600 { article += "word\(i % 97) market report trade \(i) " }
        for f in 0..<40 {
            var lines = ""
            for d in 0..<40 { lines += #"{"id": "big-\#(f)-\#(d)", "title": "Article \#(f) \#(d)", "body": "\#(article) bulkword"}"# + "\n" }
            try write("large/part\(f).jsonl", lines)
        }
        let p = makeProcess(["index", "large", "--index", "idx", "--ram-mb", "1"], env: [:], cwd: nil)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        Thread.sleep(forTimeInterval: 0.5)
        // Give it a little longer to flush an (uncommitted) segment, so the kill leaves one behind.
        let deadline = Date().addingTimeInterval(1.5)
        while p.isRunning, Date() < deadline, !indexFiles("idx").contains(where: { $0.hasPrefix("_2.") }) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertTrue(p.isRunning, "`search index` finished before it could be killed; make the corpus larger")
        let atKill = indexFiles("idx")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)
        print("killed `search index`; index files then: \(atKill.joined(separator: " "))")

        try assertSmallIndexIntact()
        XCTAssertEqual(try hitIDs("bulkword", index: "idx"), [])
        // The next run is not blocked by a stale lock and replaces the index.
        try FileManager.default.removeItem(atPath: path("large"))
        try write("large/one.txt", "Replacement\nbulkword\n")
        try expect(0, ["index", "large", "--index", "idx"])
        XCTAssertEqual(try documentCount(index: "idx"), 1)
        XCTAssertEqual(try hitIDs("bulkword", index: "idx"), ["one.txt"])
        try expect(0, ["check", "--index", "idx"])
    }

    func testUsageErrorsExit2() throws {
        try makeSmallIndex()
        try expect(2, ["--no-such-flag", "tangier"])
        try expect(2, ["--index", "idx"])                     // no query
        try expect(2, ["--index", "idx", "--limit", "many", "tangier"])
        try expect(2, ["index", "small", "--index", "idx", "--stopwords", "klingon"])
        try expect(2, ["index", "small", "--index", "idx", "--stemmer", "klingon"])
        try assertSmallIndexIntact()
        try expect(0, ["--help"])
        try expect(0, ["--version"])
    }
}
