import Foundation
import XCTest
@testable import SearchIngest

final class IngestTests: XCTestCase {
    private var tempRoots: [URL] = []

    override func tearDown() {
        for url in tempRoots {
            // Restore permissions changed by tests so cleanup succeeds.
            if let e = FileManager.default.enumerator(atPath: url.path) {
                for case let rel as String in e {
                    try? FileManager.default.setAttributes([.posixPermissions: 0o755],
                                                           ofItemAtPath: url.appendingPathComponent(rel).path)
                }
            }
            try? FileManager.default.removeItem(at: url)
        }
        tempRoots = []
        super.tearDown()
    }

    /// Creates a temporary corpus folder with the given files (relative path → contents).
    private func makeCorpus(_ files: [String: Data]) throws -> URL {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("ingest-tests-\(UUID().uuidString)", isDirectory: true)
        tempRoots.append(root)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (rel, data) in files {
            let url = root.appendingPathComponent(rel)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            try data.write(to: url)
        }
        return root
    }

    private func makeCorpus(text files: [String: String]) throws -> URL {
        try makeCorpus(files.mapValues { Data($0.utf8) })
    }

    private func ingest(_ root: URL, _ options: IngestOptions = IngestOptions()) throws
        -> (docs: [IngestedDocument], issues: [IngestIssue], summary: IngestSummary) {
        let r = try CorpusWalker(root: root, options: options).collect()
        return (r.documents, r.issues, r.summary)
    }

    // MARK: Formats

    func testPlainText() throws {
        let root = try makeCorpus(text: [
            "a.txt": "\n\n  Hello Title  \nline two\n\nline three\n",
            "one.TXT": "Only a title line",
        ])
        let (docs, issues, summary) = try ingest(root)
        XCTAssertEqual(issues, [])
        XCTAssertEqual(docs.count, 2)
        XCTAssertEqual(docs[0], IngestedDocument(id: "a.txt", title: "Hello Title",
                                                 body: "line two\n\nline three", stored: [("path", "a.txt")]))
        XCTAssertEqual(docs[1].id, "one.TXT")
        XCTAssertEqual(docs[1].title, "Only a title line")
        XCTAssertEqual(docs[1].body, "")
        XCTAssertEqual(summary.filesSeen, 2)
        XCTAssertEqual(summary.filesIndexed, 2)
        XCTAssertEqual(summary.documents, 2)
    }

    func testVeryLongFirstLineIsShortenedForTitle() throws {
        let line = Array(repeating: "word", count: 100).joined(separator: " ")
        let root = try makeCorpus(text: ["long.txt": line])
        let doc = try XCTUnwrap(try ingest(root).docs.first)
        XCTAssertTrue(doc.title.hasSuffix("…"))
        XCTAssertLessThanOrEqual(doc.title.count, IngestText.shortenedTitleCharacters + 1)
        XCTAssertEqual(doc.body, line)
    }

    func testMarkdown() throws {
        let root = try makeCorpus(text: [
            "doc.md": """
                Intro paragraph.

                # The Real Title #

                Some *text* here.

                ## Section Two
                More text.

                ```sh
                # not a heading
                ```
                """,
            "plain.markdown": "First line\nsecond line\n",
            "front.md": "---\ntitle: \"From Front Matter\"\ndate: 2020-01-02\n---\n# Heading\nBody\n",
            "setext.md": "Setext Title\n============\n\nParagraph.\n",
        ])
        let docs = try ingest(root).docs
        XCTAssertEqual(docs.map(\.id), ["doc.md", "front.md", "plain.markdown", "setext.md"])
        let doc = docs[0]
        XCTAssertEqual(doc.title, "The Real Title")
        XCTAssertTrue(doc.body.contains("Intro paragraph."))
        XCTAssertTrue(doc.body.contains("Section Two"))
        XCTAssertFalse(doc.body.contains("## Section"))
        XCTAssertFalse(doc.body.contains("The Real Title"))
        XCTAssertTrue(doc.body.contains("# not a heading"), "code blocks are kept verbatim")

        XCTAssertEqual(docs[1].title, "From Front Matter")
        XCTAssertEqual(docs[1].storedValue("date"), "2020-01-02")
        XCTAssertEqual(docs[1].body, "Heading\nBody")

        XCTAssertEqual(docs[2].title, "First line")
        XCTAssertEqual(docs[2].body, "second line")

        XCTAssertEqual(docs[3].title, "Setext Title")
        XCTAssertEqual(docs[3].body, "Paragraph.")
    }

    func testHTML() throws {
        let root = try makeCorpus(text: [
            "page.html": """
                <!DOCTYPE html>
                <html><head><title>Tom &amp; Jerry&#39;s &quot;Page&quot;</title>
                <style>body { color: red; }</style>
                <script type="text/javascript">var x = "<p>not text</p>";</script>
                </head>
                <body><!-- hidden comment -->
                <h1>Main   Heading</h1>
                <p>Caf&eacute; &lt;b&gt; a&nbsp;b &#65;&#x42; <b>bold</b>text</p>
                <div data-x="a > b">Next<br>line</div>
                </body></html>
                """,
            "noTitle.HTM": "<html><body><h1>Fallback <em>Title</em></h1><p>Text</p></body></html>",
        ])
        let docs = try ingest(root).docs
        XCTAssertEqual(docs.count, 2)
        XCTAssertEqual(docs[0].id, "noTitle.HTM")
        XCTAssertEqual(docs[0].title, "Fallback Title")
        XCTAssertEqual(docs[0].body, "Fallback Title Text")
        let page = docs[1]
        XCTAssertEqual(page.title, "Tom & Jerry's \"Page\"")
        XCTAssertEqual(page.body, "Main Heading Café <b> a b AB boldtext Next line")
        XCTAssertFalse(page.body.contains("color"))
        XCTAssertFalse(page.body.contains("not text"))
        XCTAssertFalse(page.body.contains("hidden comment"))
    }

    func testJSONSingleObjectAndArray() throws {
        let root = try makeCorpus(text: [
            "one.json": """
                {"_id": "doc-7", "headline": "A Headline", "content": "The content.",
                 "score": 1.50, "flag": true, "tags": ["x", "y", 3], "missing": null,
                 "meta": {"a": 1}, "summary": "Short summary", "esc": "tab\\tquote\\" \\u00e9 \\ud83d\\ude00"}
                """,
            "many.json": #"[{"title": "First", "body": "B1"}, 5, {"title": "Second", "text": "B2"}]"#,
        ])
        let (docs, issues, summary) = try ingest(root)
        XCTAssertEqual(docs.count, 3)
        XCTAssertEqual(docs[0].id, "many.json#1")
        XCTAssertEqual(docs[0].title, "First")
        XCTAssertEqual(docs[0].body, "B1")
        XCTAssertEqual(docs[1].id, "many.json#3")
        XCTAssertEqual(docs[1].body, "B2")
        XCTAssertEqual(issues.count, 1)
        XCTAssertEqual(issues.first?.kind, .skippedRecord)
        XCTAssertEqual(summary.recordsSkipped, 1)

        let one = docs[2]
        XCTAssertEqual(one.id, "doc-7")
        XCTAssertEqual(one.title, "A Headline")
        XCTAssertEqual(one.body, "The content.")
        XCTAssertEqual(one.stored.map(\.0), ["path", "score", "flag", "tags", "meta", "summary", "esc"])
        XCTAssertEqual(one.storedValue("path"), "one.json")
        XCTAssertEqual(one.storedValue("score"), "1.50")
        XCTAssertEqual(one.storedValue("flag"), "true")
        XCTAssertEqual(one.storedValue("tags"), "x, y, 3")
        XCTAssertEqual(one.storedValue("meta"), #"{"a":1}"#)
        XCTAssertEqual(one.storedValue("summary"), "Short summary")
        XCTAssertEqual(one.storedValue("esc"), "tab\tquote\" é 😀")
    }

    func testJSONLinesMalformedLineIsReportedAndOthersIndexed() throws {
        let root = try makeCorpus(text: [
            "data.jsonl": """
                {"id": "a", "title": "Alpha", "body": "first", "date": "2001-01-01"}
                {"id": "b", "title": "Broken", "body": "oops"
                {"title": "No id", "text": "third"}

                [1, 2]
                {"id": 42, "title": "Delta", "body": "fourth"}
                """,
        ])
        let (docs, issues, summary) = try ingest(root)
        XCTAssertEqual(docs.map(\.id), ["a", "data.jsonl#3", "42"])
        XCTAssertEqual(docs[0].storedValue("date"), "2001-01-01")
        XCTAssertEqual(docs[1].body, "third")
        XCTAssertEqual(issues.map(\.line), [2, 5])
        XCTAssertTrue(issues.allSatisfy { $0.path == "data.jsonl" && $0.kind == .skippedRecord })
        XCTAssertTrue(issues[0].description.hasPrefix("data.jsonl:2: invalid JSON"), issues[0].description)
        XCTAssertEqual(summary.documents, 3)
        XCTAssertEqual(summary.recordsSkipped, 2)
        XCTAssertEqual(summary.filesIndexed, 1)
    }

    func testInvalidJSONFileIsSkipped() throws {
        let root = try makeCorpus(text: ["bad.json": "{\n\"title\": \"x\",\n oops\n}", "scalar.json": "42"])
        let (docs, issues, summary) = try ingest(root)
        XCTAssertEqual(docs, [])
        XCTAssertEqual(issues.count, 2)
        XCTAssertTrue(issues[0].reason.contains("line 3"), issues[0].reason)
        XCTAssertEqual(summary.filesSkipped, 2)
    }

    func testCSVQuotingNewlinesAndEscapedQuotes() throws {
        let csv = "id,title,text,publish_date\r\n"
            + "1,\"Hello, World\",\"He said \"\"hi\"\"\nand left.\",2017/2/7\r\n"
            + "2,Plain,Simple body,\r\n"
            + "3,Too,many,fields,here\n"
            + "\n"
            + "4,\"Multi\nline title\",\"x\",\n"
        let root = try makeCorpus(text: ["news.csv": csv])
        let (docs, issues, summary) = try ingest(root)
        XCTAssertEqual(docs.map(\.id), ["1", "2", "4"])
        XCTAssertEqual(docs[0].title, "Hello, World")
        XCTAssertEqual(docs[0].body, "He said \"hi\"\nand left.")
        XCTAssertEqual(docs[0].stored.map(\.0), ["path", "publish_date"])
        XCTAssertEqual(docs[0].storedValue("publish_date"), "2017/2/7")
        XCTAssertNil(docs[1].storedValue("publish_date"), "empty cells are not stored")
        XCTAssertEqual(docs[2].title, "Multi\nline title")
        XCTAssertEqual(issues.count, 1)
        XCTAssertEqual(issues.first?.line, 5)
        XCTAssertEqual(issues.first?.kind, .skippedRecord)
        XCTAssertEqual(summary.recordsSkipped, 1)
    }

    func testCSVWithoutIdUsesRowNumbersAndTSV() throws {
        let root = try makeCorpus(text: [
            "a.csv": "headline,content,description\nH1,C1,D1\n\"H2\",\"C2\",\n",
            "b.tsv": "title\tbody\turl\nT1\tB1, with comma\thttp://x\nT2\t\"quoted\ttab\"\thttp://y\n",
        ])
        let docs = try ingest(root).docs
        XCTAssertEqual(docs.map(\.id), ["a.csv#1", "a.csv#2", "b.tsv#1", "b.tsv#2"])
        XCTAssertEqual(docs[0].title, "H1")
        XCTAssertEqual(docs[0].body, "C1")
        XCTAssertEqual(docs[0].storedValue("description"), "D1")
        XCTAssertEqual(docs[2].body, "B1, with comma")
        XCTAssertEqual(docs[2].storedValue("url"), "http://x")
        XCTAssertEqual(docs[3].body, "quoted\ttab")
    }

    func testCSVUnterminatedQuoteDoesNotSwallowTheFile() throws {
        let root = try makeCorpus(text: ["x.csv": "id,body\n1,\"broken\n2,ok\n3,fine\n"])
        let (docs, issues, _) = try ingest(root)
        XCTAssertEqual(docs.map(\.id), ["2", "3"])
        XCTAssertEqual(issues.map(\.line), [2], "\(issues)")
    }

    func testFieldOptions() throws {
        let root = try makeCorpus(text: [
            "d.jsonl": #"{"key": "k1", "head": "H", "lead": "L", "rest": "R", "id": "ignored", "title": "t"}"# + "\n",
        ])
        let opts = IngestOptions(idField: "key", titleField: "head", bodyFields: ["lead", "rest", "nope"])
        let (docs, issues, _) = try ingest(root, opts)
        XCTAssertEqual(docs.count, 1)
        XCTAssertEqual(docs[0].id, "k1")
        XCTAssertEqual(docs[0].title, "H")
        XCTAssertEqual(docs[0].body, "L\n\nR")
        XCTAssertEqual(docs[0].storedValue("id"), "ignored")
        XCTAssertEqual(docs[0].storedValue("title"), "t")
        XCTAssertEqual(issues.count, 1, "missing body field 'nope' is warned about once")
        XCTAssertEqual(issues.first?.kind, .warning)
    }

    // MARK: Skips and warnings

    func testBinaryEmptyUnsupportedAndHiddenFiles() throws {
        var binary = Data("PK header".utf8)
        binary.append(contentsOf: [0, 1, 2, 3, 0])
        let root = try makeCorpus([
            "bin.txt": binary,
            "empty.txt": Data(),
            "blank.md": Data("  \n\n ".utf8),
            "image.png": Data([0x89, 0x50, 0x4E, 0x47]),
            "README": Data("no extension".utf8),
            ".hidden.txt": Data("secret".utf8),
            ".git/config.txt": Data("secret".utf8),
            "ok.txt": Data("Fine\nbody".utf8),
        ])
        let (docs, issues, summary) = try ingest(root)
        XCTAssertEqual(docs.map(\.id), ["ok.txt"])
        let reasons = Dictionary(uniqueKeysWithValues: issues.map { ($0.path, $0.reason) })
        XCTAssertEqual(reasons, ["bin.txt": "binary file", "empty.txt": "empty file", "blank.md": "empty file"])
        XCTAssertTrue(issues.allSatisfy { $0.kind == .skippedFile })
        XCTAssertEqual(summary.filesSeen, 6)
        XCTAssertEqual(summary.filesIndexed, 1)
        XCTAssertEqual(summary.filesSkipped, 5)
        XCTAssertEqual(summary.filesUnsupported, 2)
        XCTAssertEqual(summary.documents, 1)
    }

    func testInvalidUTF8IsDecodedLossilyWithAnIssue() throws {
        var data = Data("Caf".utf8)
        data.append(contentsOf: [0xE9, 0x20]) // Latin-1 é: invalid UTF-8
        data.append(contentsOf: Data("au lait\nbody text".utf8))
        let root = try makeCorpus(["latin1.txt": data])
        let (docs, issues, _) = try ingest(root)
        XCTAssertEqual(docs.count, 1)
        XCTAssertEqual(docs[0].title, "Caf\u{FFFD} au lait")
        XCTAssertEqual(docs[0].body, "body text")
        XCTAssertEqual(issues.count, 1)
        XCTAssertEqual(issues.first?.reason, "invalid UTF-8, decoded lossily")
        XCTAssertEqual(issues.first?.kind, .warning)
    }

    func testUTF8BOMAndUTF16() throws {
        var utf16 = Data([0xFF, 0xFE])
        for u in "Wide Title\nwide body".utf16 { utf16.append(contentsOf: [UInt8(u & 0xFF), UInt8(u >> 8)]) }
        let root = try makeCorpus([
            "bom.csv": Data([0xEF, 0xBB, 0xBF]) + Data("id,title,body\nx,Y,Z\n".utf8),
            "wide.txt": utf16,
        ])
        let (docs, issues, _) = try ingest(root)
        XCTAssertEqual(issues, [])
        XCTAssertEqual(docs.map(\.id), ["x", "wide.txt"])
        XCTAssertEqual(docs[1].title, "Wide Title")
        XCTAssertEqual(docs[1].body, "wide body")
    }

    func testTooLargeFileIsSkipped() throws {
        let root = try makeCorpus(text: ["big.txt": String(repeating: "x", count: 2000), "small.txt": "ok"])
        var opts = IngestOptions()
        opts.maxFileBytes = 1000
        let (docs, issues, _) = try ingest(root, opts)
        XCTAssertEqual(docs.map(\.id), ["small.txt"])
        XCTAssertEqual(issues.map(\.path), ["big.txt"])
        XCTAssertTrue(issues[0].reason.contains("too large"))
    }

    func testUnreadableFileIsSkipped() throws {
        let root = try makeCorpus(text: ["locked.txt": "secret", "open.txt": "fine"])
        let locked = root.appendingPathComponent("locked.txt").path
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: locked)
        if FileManager.default.isReadableFile(atPath: locked) {
            throw XCTSkip("running with privileges that ignore file permissions")
        }
        let (docs, issues, summary) = try ingest(root)
        XCTAssertEqual(docs.map(\.id), ["open.txt"])
        XCTAssertEqual(issues.map(\.path), ["locked.txt"])
        XCTAssertTrue(issues[0].reason.hasPrefix("unreadable"), issues[0].reason)
        XCTAssertEqual(summary.filesSkipped, 1)
    }

    func testIssueCapPerFile() throws {
        let lines = (1...10).map { _ in "not json" }.joined(separator: "\n")
        let root = try makeCorpus(text: ["bad.jsonl": lines])
        var opts = IngestOptions()
        opts.maxIssuesPerFile = 3
        let (_, issues, summary) = try ingest(root, opts)
        XCTAssertEqual(issues.count, 4)
        XCTAssertEqual(issues.last?.reason, "7 more issue(s) in this file not shown")
        XCTAssertEqual(summary.issues, 10)
        XCTAssertEqual(summary.recordsSkipped, 10)
    }

    // MARK: Walking

    func testMissingFolderAndNotADirectory() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString)")
        XCTAssertThrowsError(try CorpusWalker(root: missing, options: IngestOptions())) { error in
            guard case IngestError.notFound = error else { return XCTFail("got \(error)") }
            XCTAssertTrue("\(error)".contains("no such file or directory"))
        }
        let root = try makeCorpus(text: ["f.txt": "x"])
        XCTAssertThrowsError(try CorpusWalker(root: root.appendingPathComponent("f.txt"), options: IngestOptions())) { error in
            guard case IngestError.notADirectory = error else { return XCTFail("got \(error)") }
        }
    }

    func testDeterministicOrderAndRelativePaths() throws {
        let root = try makeCorpus(text: [
            "b.txt": "B", "a/z.txt": "AZ", "a/b/c.md": "# ABC", "a-b.txt": "A-B",
            "A.txt": "upper", "c.jsonl": "{\"title\": \"c1\"}\n{\"title\": \"c2\"}\n",
        ])
        let first = try ingest(root).docs
        XCTAssertEqual(first.map(\.id), ["A.txt", "a-b.txt", "a/b/c.md", "a/z.txt", "b.txt", "c.jsonl#1", "c.jsonl#2"])
        XCTAssertEqual(first.map(\.path), ["A.txt", "a-b.txt", "a/b/c.md", "a/z.txt", "b.txt", "c.jsonl", "c.jsonl"])
        for _ in 0..<3 { XCTAssertEqual(try ingest(root).docs, first) }
    }

    /// A folder large enough for the parallel `fstatat` (4,096 names or more), names sharing long prefixes
    /// (the sort's 8-byte key ties) and non-ASCII names: the walk, prefetched or not, visits files in UTF-8
    /// byte order of their paths, with the sizes the files have.
    func testLargeFolderListingOrderSizesAndPrefetch() throws {
        var files: [String: String] = [:]
        for i in 0..<4_200 { files["longprefix-\(4_200 - i).txt"] = String(repeating: "x", count: i % 7 + 1) }
        files["longprefix/inner.txt"] = "inner"; files["longprefix.txt"] = "dot"; files["é.txt"] = "e acute"
        files["Z.txt"] = "upper"; files["e.txt"] = "e"
        let root = try makeCorpus(text: files)
        let expected = files.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let walker = try CorpusWalker(root: root)
        var seen: [SourceFile] = []
        var hooks = IngestHooks()
        hooks.shouldRead = { seen.append($0); return false }
        try walker.forEach({ _ in }, hooks: hooks)
        XCTAssertEqual(seen.map(\.path), expected)
        XCTAssertEqual(seen.map(\.size), expected.map { files[$0]!.utf8.count })
        // Prefetched: the same files, in the same order; the prefetch is used once.
        let prefetched = try CorpusWalker(root: root)
        prefetched.prefetchListing()
        XCTAssertEqual(prefetched.supportedFiles(), seen)   // (looks at the prefetched listing, leaves it)
        var again: [SourceFile] = []
        hooks.shouldRead = { again.append($0); return false }
        try prefetched.forEach({ _ in }, hooks: hooks)
        XCTAssertEqual(again, seen)
        // A file added after the prefetched listing was used is seen by the next walk.
        try Data("new".utf8).write(to: root.appendingPathComponent("aaa-new.txt"))
        again = []
        try prefetched.forEach({ _ in }, hooks: hooks)
        XCTAssertEqual(again.count, seen.count + 1)
        XCTAssertEqual(again.first?.path, "Z.txt")
        XCTAssertEqual(again[1].path, "aaa-new.txt")
    }

    func testSymlinkCycleIsNotFollowedForever() throws {
        let root = try makeCorpus(text: ["sub/doc.txt": "Doc"])
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("sub/loop").path,
                                                   withDestinationPath: root.path)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("link.txt").path,
                                                   withDestinationPath: root.appendingPathComponent("sub/doc.txt").path)
        let (docs, issues, _) = try ingest(root)
        XCTAssertEqual(docs.map(\.id), ["link.txt", "sub/doc.txt"])
        XCTAssertEqual(issues.map(\.kind), [.warning])
    }

    /// A link that leads out of the folder (to `..`, or anywhere outside) is reported, not followed.
    func testSymlinkOutOfTheRootIsNotFollowed() throws {
        let root = try makeCorpus(text: ["in/doc.txt": "Doc"])
        let outside = try makeCorpus(text: ["secret.txt": "Outside"])
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("in/up").path, withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("parent").path, withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("other").path, withDestinationPath: outside.path)
        let (docs, issues, _) = try ingest(root)
        XCTAssertEqual(docs.map(\.id), ["in/doc.txt"])
        XCTAssertEqual(issues.filter { $0.reason.contains("outside the folder") }.map(\.path).sorted(), ["other", "parent"])
    }

    func testCallbackErrorStopsTheWalk() throws {
        struct Stop: Error {}
        let root = try makeCorpus(text: ["a.txt": "A", "b.txt": "B"])
        var seen: [String] = []
        XCTAssertThrowsError(try CorpusWalker(root: root, options: IngestOptions()).forEach({ doc in
            seen.append(doc.id)
            throw Stop()
        }, onIssue: { _ in })) { XCTAssertTrue($0 is Stop) }
        XCTAssertEqual(seen, ["a.txt"])
    }

    // MARK: Real corpora

    /// `../shared/corpora` next to the package root.
    private static var corporaDirectory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent() // SearchCLITests
            .deletingLastPathComponent() // Tests
            .deletingLastPathComponent() // package root
            .deletingLastPathComponent()
            .appendingPathComponent("shared/corpora", isDirectory: true)
    }

    private func corpus(_ name: String) throws -> URL {
        let url = Self.corporaDirectory.appendingPathComponent(name, isDirectory: true)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("corpus not available at \(url.path)")
        }
        return url
    }

    func testRealCorpusReuters() throws {
        let root = try corpus("reuters21578")
        var count = 0
        var first: IngestedDocument?
        var ids = Set<String>()
        var issues: [IngestIssue] = []
        let summary = try CorpusWalker(root: root, options: IngestOptions()).forEach({ doc in
            if first == nil { first = doc }
            ids.insert(doc.id)
            count += 1
        }, onIssue: { issues.append($0) })
        XCTAssertEqual(count, 21_578)
        XCTAssertEqual(ids.count, 21_578)
        XCTAssertEqual(summary.documents, 21_578)
        XCTAssertEqual(issues, [])
        XCTAssertEqual(first?.id, "1")
        XCTAssertEqual(first?.title, "BAHIA COCOA REVIEW")
        XCTAssertEqual(first?.storedValue("date"), "1987-02-26T15:01:01Z")
        XCTAssertEqual(first?.storedValue("topics"), "cocoa")
    }

    func testRealCorpusNewsArticles() throws {
        let root = try corpus("news-articles")
        let (docs, issues, summary) = try ingest(root)
        XCTAssertEqual(docs.count, 3_824)
        XCTAssertEqual(summary.documents, 3_824)
        XCTAssertEqual(issues, [])
        XCTAssertEqual(Set(docs.map(\.id)).count, 3_824)
        let morocco = try XCTUnwrap(docs.first { $0.title.contains("Morocco boasts success fighting terrorism") })
        XCTAssertEqual(morocco.id, "1941")
        XCTAssertEqual(morocco.title, "Morocco boasts success fighting terrorism")
        XCTAssertEqual(morocco.storedValue("publish_date"), "2017/3/3")
        XCTAssertTrue(morocco.storedValue("subtitle")?.hasPrefix("As German Chancellor Angela Merkel") ?? false)
        XCTAssertTrue(morocco.body.hasPrefix("In 2003 and 2011 Morocco was targeted"))
        XCTAssertEqual(docs.first?.id, "1")
        XCTAssertTrue(docs.first?.body.contains("DeVos\"?highly contentious") ?? false)
    }

    func testRealCorpusNews100() throws {
        let root = try corpus("news-100")
        let (docs, issues, _) = try ingest(root)
        XCTAssertEqual(docs.count, 100)
        XCTAssertEqual(issues, [])
        XCTAssertEqual(docs.first?.id, "2338")
    }
}
