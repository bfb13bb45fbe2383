import Foundation
import XCTest

/// End-to-end tests of the `search` binary: indexing every format, re-indexing, and the query options.
final class CLIEndToEndTests: CLITestCase {
    /// One document per format (two in the multi-document files), in nested folders.
    /// Every document has a unique word (for lookups) and the word "common".
    func writeCorpus(_ dir: String = "corpus") throws {
        try write("\(dir)/news/tangier.txt", "\n\n  Tangier Police Arrest Three  \nPolice in Tangier arrested three men on Monday. common\n")
        try write("\(dir)/notes/zebra.md", "Some preamble line\n\n# Zebra Migration Notes\n\nThe *zebras* cross the river in July. common\n")
        try write("\(dir)/web/volcano.html", """
            <!DOCTYPE html><html><head><title>Volcano Erupts Again</title>
            <script>var secretscriptword = 1;</script><style>.hiddenstyleword { color: red }</style></head>
            <body><h1>Eruption</h1><p>The <b>volcano</b> erupted &amp; lava flowed. common</p></body></html>
            """)
        try write("\(dir)/web/glacier.htm", "<html><head><title>Glacier Retreats</title></head><body><p>The glacier melted. common</p></body></html>")
        try write("\(dir)/data/penguin.json", #"{"id": "json-1", "title": "Penguin Colony Grows", "body": "Penguins thrive on the ice. common", "date": "2020-01-02"}"#)
        try write("\(dir)/data/marsupials.jsonl", """
            {"id": "jl-1", "title": "Kangaroo Census", "text": "Kangaroos counted in the outback. common"}
            {"_id": "jl-2", "title": "Koala Rescue", "content": "Koalas rescued from fires. common"}

            """)
        try write("\(dir)/data/rivers.csv", """
            article_id,title,content,author
            csv-1,Otter Returns,"Otters seen again, after years. common",Alice
            csv-2,Beaver Dam,"The ""beaver"" built a dam. common",Bob

            """)
        try write("\(dir)/ignored.bin", "unsupported extension walrus")
        try write("\(dir)/.hidden/secret.txt", "Hidden\nwalrus common\n")
    }

    /// Unique word → (id, title) of the document holding it.
    let expected: [(word: String, id: String, title: String)] = [
        ("tangier", "news/tangier.txt", "Tangier Police Arrest Three"),
        ("zebras", "notes/zebra.md", "Zebra Migration Notes"),
        ("lava", "web/volcano.html", "Volcano Erupts Again"),
        ("glacier", "web/glacier.htm", "Glacier Retreats"),
        ("penguins", "json-1", "Penguin Colony Grows"),
        ("kangaroos", "jl-1", "Kangaroo Census"),
        ("koalas", "jl-2", "Koala Rescue"),
        ("otters", "csv-1", "Otter Returns"),
        ("beaver", "csv-2", "Beaver Dam"),
    ]

    func testEveryFormatIsIndexedWithTitlesAndIds() throws {
        try writeCorpus()
        let r = try expect(0, ["index", "corpus", "--index", "idx"])
        XCTAssertTrue(r.stdout.contains("indexed 9 documents from 7 files into idx"), r.summary)
        XCTAssertEqual(try documentCount(index: "idx"), 9)

        for (word, id, title) in expected {
            let hits = try expect(0, ["--json", "--index", "idx", word]).jsonHits()
            XCTAssertEqual(hits.count, 1, "\(word): \(hits)")
            XCTAssertEqual(hits.first?["id"] as? String, id, word)
            XCTAssertEqual(hits.first?["title"] as? String, title, word)
        }
        // Titles are searchable too (the .md title comes from the heading, not the first line).
        XCTAssertEqual(try hitIDs("migration", index: "idx", extra: ["--field", "title"]), ["notes/zebra.md"])
        XCTAssertEqual(try hitIDs("preamble", index: "idx", extra: ["--field", "title"]), [])
        // Scripts and styles are stripped from HTML; unsupported and hidden files are skipped.
        for word in ["secretscriptword", "hiddenstyleword", "walrus"] {
            XCTAssertEqual(try hitIDs(word, index: "idx"), [], word)
        }
        // Extra CSV columns and JSON fields are stored and returned.
        let otter = try expect(0, ["--json", "--index", "idx", "otters"]).jsonHits().first
        XCTAssertEqual((otter?["fields"] as? [String: Any])?["author"] as? String, "Alice")
        let penguin = try expect(0, ["--json", "--index", "idx", "penguins"]).jsonHits().first
        XCTAssertEqual(penguin?["date"] as? String, "2020-01-02")
        XCTAssertEqual(penguin?["path"] as? String, "data/penguin.json")
        // The text output shows rank, title, score, id, date, path and a snippet.
        let text = try expect(0, ["--index", "idx", "--color", "never", "penguins"])
        XCTAssertTrue(text.stdout.contains(" 1. Penguin Colony Grows  ("), text.summary)
        XCTAssertTrue(text.stdout.contains("json-1 · 2020-01-02 · data/penguin.json"), text.summary)
        XCTAssertTrue(text.stdout.contains("[Penguins] thrive on the ice"), text.summary)
    }

    func testIdTitleAndBodyFieldFlags() throws {
        try write("c/items.csv", """
            sku,headline,description,notes
            A-1,Red Kettle,Boils water quickly,steel
            A-2,Blue Teapot,Brews leaves slowly,ceramic

            """)
        try write("c/items.jsonl", #"{"sku": "B-1", "headline": "Green Mug", "description": "Holds coffee", "notes": "glass"}"# + "\n")
        try expect(0, ["index", "c", "--index", "idx", "--id-field", "sku", "--title-field", "headline",
                       "--body-field", "description,notes"])
        let hits = try expect(0, ["--json", "--index", "idx", "ceramic"]).jsonHits()
        XCTAssertEqual(hits.first?["id"] as? String, "A-2")
        XCTAssertEqual(hits.first?["title"] as? String, "Blue Teapot")
        XCTAssertEqual(try hitIDs("coffee", index: "idx"), ["B-1"])
        XCTAssertEqual(try hitIDs("kettle", index: "idx", extra: ["--field", "title"]), ["A-1"])
    }

    func testReindexingTheSameFolderNeverDuplicates() throws {
        try writeCorpus()
        for _ in 0..<3 {
            try expect(0, ["index", "corpus"], env: ["SEARCH_INDEX": "idx"])
            XCTAssertEqual(try documentCount(index: "idx"), 9)
            let ids = try hitIDs("common", index: "idx")
            XCTAssertEqual(ids.count, 9)
            XCTAssertEqual(Set(ids).count, ids.count, "duplicate ids: \(ids)")
            XCTAssertEqual(Set(ids), Set(expected.map { $0.id }))
            let stats = try expect(0, ["stats", "--index", "idx"])
            XCTAssertFalse(stats.stdout.contains("deleted"), stats.summary)
        }
        XCTAssertEqual(try expect(0, ["check", "--index", "idx"]).status, 0)
    }

    /// A new index's documents are appended, but an id seen before in the same run still replaces: the last
    /// record with an id is the one kept, in one file or across files.
    func testRepeatedIDInOneBuildKeepsTheLast() throws {
        try write("d/a.jsonl", #"{"id": "x", "title": "First", "body": "alpha shared"}"# + "\n"
                  + #"{"id": "y", "title": "Other", "body": "gamma shared"}"# + "\n"
                  + #"{"id": "x", "title": "Second", "body": "beta shared"}"# + "\n")
        try write("d/b.jsonl", #"{"id": "y", "title": "Third", "body": "delta shared"}"# + "\n")
        let out = try expect(0, ["index", "d", "--index", "idx"])
        XCTAssertTrue(out.stdout.contains("2 documents had an id seen before"), out.summary)
        XCTAssertEqual(try documentCount(index: "idx"), 2)
        XCTAssertEqual(try hitIDs("alpha", index: "idx"), [])
        XCTAssertEqual(try hitIDs("beta", index: "idx"), ["x"])
        XCTAssertEqual(Set(try hitIDs("shared", index: "idx")), ["x", "y"])
        XCTAssertEqual(try hitIDs("gamma", index: "idx").count + (try hitIDs("delta", index: "idx")).count, 1)
    }

    func testReindexingAfterDeletingAFileRemovesItsDocuments() throws {
        try writeCorpus()
        try expect(0, ["index", "corpus", "--index", "idx"])
        XCTAssertEqual(try hitIDs("koalas", index: "idx"), ["jl-2"])
        try FileManager.default.removeItem(atPath: path("corpus/data/marsupials.jsonl"))
        try FileManager.default.removeItem(atPath: path("corpus/news/tangier.txt"))
        try expect(0, ["index", "corpus", "--index", "idx"])
        XCTAssertEqual(try documentCount(index: "idx"), 6)
        XCTAssertEqual(try hitIDs("koalas", index: "idx"), [])
        XCTAssertEqual(try hitIDs("kangaroos", index: "idx"), [])
        XCTAssertEqual(try hitIDs("tangier", index: "idx"), [])
        XCTAssertEqual(try hitIDs("common", index: "idx").count, 6)
        // A changed file's document is replaced, not added.
        try write("corpus/web/glacier.htm", "<html><head><title>Glacier Advances</title></head><body>Ice grows. common</body></html>")
        try expect(0, ["index", "corpus", "--index", "idx"])
        XCTAssertEqual(try documentCount(index: "idx"), 6)
        let hits = try expect(0, ["--json", "--index", "idx", "glacier"]).jsonHits()
        XCTAssertEqual(hits.map { $0["title"] as? String }, ["Glacier Advances"])
    }

    /// `search index` over the same folder again updates the index: unchanged files are not re-indexed,
    /// a changed file's documents are replaced, a removed file's deleted, a new file's added; files can be
    /// given one by one; `search delete` deletes by id; the summary counts it all.
    func testIncrementalIndexing() throws {
        try writeCorpus()
        try expect(0, ["index", "corpus", "--index", "idx"])
        XCTAssertEqual(try documentCount(index: "idx"), 9)
        func counts(_ r: CLIResult) -> String? { r.lines.first { $0.hasPrefix("updated idx: ") } }
        // Unchanged. Files written less than 2 s before they were indexed are read once more to compare
        // (their time may not show a change made in the same tick); after that, nothing is read.
        var r = try expect(0, ["index", "corpus", "--index", "idx"])
        XCTAssertEqual(counts(r), "updated idx: 9 documents; 0 added, 0 updated, 0 deleted, 9 unchanged", r.summary)
        XCTAssertTrue(r.stdout.contains("files: 0 indexed, 7 unchanged (7 read to compare)"), r.summary)
        Thread.sleep(forTimeInterval: 2.1)
        r = try expect(0, ["index", "corpus", "--index", "idx"])
        XCTAssertTrue(r.stdout.contains("files: 0 indexed, 7 unchanged (7 read to compare)"), r.summary)
        r = try expect(0, ["index", "corpus", "--index", "idx"])
        XCTAssertEqual(counts(r), "updated idx: 9 documents; 0 added, 0 updated, 0 deleted, 9 unchanged", r.summary)
        XCTAssertTrue(r.stdout.contains("files: 0 indexed, 7 unchanged (0 read to compare)"), r.summary)
        XCTAssertTrue(r.stdout.contains("no new commit"), r.summary)
        // Touched (same content): read, hashed, not re-indexed.
        let t = path("corpus/news/tangier.txt")
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: t)
        r = try expect(0, ["index", "corpus", "--index", "idx"])
        XCTAssertEqual(counts(r), "updated idx: 9 documents; 0 added, 0 updated, 0 deleted, 9 unchanged", r.summary)
        // Edited (same size, right away): exactly one document re-indexed.
        try write("corpus/news/tangier.txt", "\n\n  Tangier Police Arrest Three  \nPolice in Tangier arrested three men on Sunday. common\n")
        r = try expect(0, ["index", "corpus", "--index", "idx"])
        XCTAssertEqual(counts(r), "updated idx: 9 documents; 0 added, 1 updated, 0 deleted, 8 unchanged", r.summary)
        XCTAssertEqual(try hitIDs("sunday", index: "idx"), ["news/tangier.txt"])
        XCTAssertEqual(try hitIDs("monday", index: "idx"), [])
        // Removed, added, and a CSV that lost a row and gained one.
        try FileManager.default.removeItem(atPath: path("corpus/web/volcano.html"))
        try write("corpus/new/otter.txt", "Sea Otters\nOtters float. common\n")
        try write("corpus/data/rivers.csv", "article_id,title,content,author\ncsv-1,Otter Returns,\"Otters seen again. common\",Alice\ncsv-3,Heron,\"A heron. common\",Carol\n")
        r = try expect(0, ["index", "corpus", "--index", "idx"])
        XCTAssertEqual(counts(r), "updated idx: 9 documents; 2 added, 1 updated, 2 deleted, 6 unchanged", r.summary)
        XCTAssertEqual(try hitIDs("volcano", index: "idx"), [])
        XCTAssertEqual(try hitIDs("beaver", index: "idx"), [])
        XCTAssertEqual(Set(try hitIDs("heron OR float", index: "idx")), ["csv-3", "new/otter.txt"])
        XCTAssertEqual(try hitIDs("common", index: "idx").count, 9)
        // One file given: only it is looked at (the others, and removed ones, are left alone).
        try write("corpus/new/otter.txt", "Sea Otters\nOtters float and dive. common\n")
        try FileManager.default.removeItem(atPath: path("corpus/notes/zebra.md"))
        r = try expect(0, ["index", path("corpus/new/otter.txt"), "--index", "idx"])
        XCTAssertEqual(counts(r), "updated idx: 9 documents; 0 added, 1 updated, 0 deleted, 0 unchanged", r.summary)
        XCTAssertEqual(try hitIDs("dive", index: "idx"), ["new/otter.txt"])
        XCTAssertEqual(try hitIDs("zebras", index: "idx"), ["notes/zebra.md"])
        // Delete by id; an unknown id deletes nothing.
        r = try expect(2, ["delete", "csv-1", "no-such-id", "--index", "idx"])
        XCTAssertTrue(r.stderr.contains("no document with id \"no-such-id\""), r.summary)
        XCTAssertEqual(try documentCount(index: "idx"), 9)
        r = try expect(0, ["delete", "csv-1", "--index", "idx"])
        XCTAssertTrue(r.stdout.contains("deleted 1 document from idx; 8 left"), r.summary)
        XCTAssertEqual(try hitIDs("otters", index: "idx"), ["new/otter.txt"])
        // The folder again: the zebra file is gone now; the deleted row stays deleted (its file is unchanged).
        r = try expect(0, ["index", "corpus", "--index", "idx"])
        XCTAssertEqual(counts(r), "updated idx: 7 documents; 0 added, 0 updated, 1 deleted, 7 unchanged", r.summary)
        XCTAssertEqual(try hitIDs("zebras", index: "idx"), [])
        try expect(0, ["check", "--index", "idx"])
        // --rebuild reads everything again and brings the deleted row back.
        r = try expect(0, ["index", "corpus", "--index", "idx", "--rebuild"])
        XCTAssertTrue(r.stdout.contains("indexed 8 documents from 6 files into idx"), r.summary)
        // Another analyzer is an error without --rebuild.
        r = try expect(2, ["index", "corpus", "--index", "idx", "--stemmer", "none"])
        XCTAssertTrue(r.stderr.contains("--rebuild"), r.summary)
        // The record of indexed files is one file, replaced at each commit.
        XCTAssertEqual(indexFiles("idx").filter { $0.hasPrefix("ingest-") }.count, 1)
    }

    /// Shards built separately are searched as one with a repeated --index.
    func testSeveralIndexesSearchedAsOne() throws {
        try write("part1/a.txt", "Tangier Police\nPolice in Tangier arrested three men.\n")
        try write("part2/b.txt", "Tangier Port\nShips left the port of Tangier.\n")
        try write("part2/c.csv", "id,title,body,author\nc1,Otters,Otters swim.,Alice\n")
        try expect(0, ["index", "part1", "--index", "s1"])
        try expect(0, ["index", "part2", "--index", "s2"])
        XCTAssertEqual(Set(try hitIDs("tangier", index: "s1", extra: ["--index", "s2"])), ["a.txt", "b.txt"])
        XCTAssertEqual(try hitIDs("otters", index: "s1", extra: ["--index", "s2"]), ["c1"])
        XCTAssertEqual(try hitIDs("tangier", index: "s1"), ["a.txt"])
    }

    func testJSONOutput() throws {
        try writeCorpus()
        try expect(0, ["index", "corpus", "--index", "idx"])
        let r = try expect(0, ["--json", "--index", "idx", "tangier OR police OR common"])
        XCTAssertFalse(r.stdout.hasANSIEscape)
        let hits = r.jsonHits()
        XCTAssertEqual(hits.count, 9)
        for (i, h) in hits.enumerated() {
            for key in ["rank", "score", "id", "title", "snippet"] { XCTAssertNotNil(h[key], "\(key) missing in \(h)") }
            XCTAssertEqual(h["rank"] as? Int, i + 1)
            XCTAssertNotNil(h["score"] as? Double)
            XCTAssertNotNil(h["snippet"] as? String)
        }
        let scores = hits.compactMap { $0["score"] as? Double }
        XCTAssertEqual(scores, scores.sorted(by: >), "scores not descending")
        XCTAssertEqual(hits.first?["id"] as? String, "news/tangier.txt")
        XCTAssertTrue((hits.first?["snippet"] as? String ?? "").contains("Tangier"))
        // --explain adds the score's breakdown.
        let explained = try expect(0, ["--json", "--explain", "--index", "idx", "tangier"]).jsonHits()
        XCTAssertTrue((explained.first?["explain"] as? String ?? "").contains("idf"), "\(explained)")
        let text = try expect(0, ["--explain", "--index", "idx", "tangier"])
        XCTAssertTrue(text.stdout.contains("idf"), text.summary)
    }

    func testLimit() throws {
        for i in 1...12 { try write("c/doc\(i).txt", "Document \(i)\nshared word number \(i)\n") }
        try expect(0, ["index", "c", "--index", "idx"])
        XCTAssertEqual(try expect(0, ["--json", "--index", "idx", "shared"]).jsonHits().count, 10, "default limit is 10")
        XCTAssertEqual(try expect(0, ["--json", "--index", "idx", "--limit", "3", "shared"]).jsonHits().count, 3)
        XCTAssertEqual(try expect(0, ["--json", "--index", "idx", "-l", "1", "shared"]).jsonHits().count, 1)
        XCTAssertEqual(try expect(0, ["--json", "--index", "idx", "--limit", "50", "shared"]).jsonHits().count, 12)
        let text = try expect(0, ["--index", "idx", "--limit", "2", "shared"])
        XCTAssertTrue(text.stdout.hasPrefix("12 matches for shared\n"), text.summary)
        XCTAssertTrue(text.stdout.contains(" 2. "), text.summary)
        XCTAssertFalse(text.stdout.contains(" 3. "), text.summary)
        try expect(2, ["--index", "idx", "--limit=-1", "shared"])
    }

    func testAllRequiresEveryWord() throws {
        try writeCorpus()
        try expect(0, ["index", "corpus", "--index", "idx"])
        XCTAssertEqual(Set(try hitIDs("tangier zebras", index: "idx")), ["news/tangier.txt", "notes/zebra.md"])
        XCTAssertEqual(try hitIDs("tangier zebras", index: "idx", extra: ["--all"]), [])
        XCTAssertEqual(try hitIDs("tangier monday", index: "idx", extra: ["--all"]), ["news/tangier.txt"])
        let r = try expect(0, ["--all", "--index", "idx", "tangier zebras"])
        XCTAssertTrue(r.stdout.hasPrefix("0 matches"), r.summary)
    }

    func testFieldRestrictsTheSearch() throws {
        try write("c/a.txt", "Harbor News\nThe lighthouse keeper retired.\n")
        try write("c/b.txt", "Lighthouse Restored\nThe harbor tower was painted.\n")
        try expect(0, ["index", "c", "--index", "idx"])
        XCTAssertEqual(Set(try hitIDs("lighthouse", index: "idx")), ["a.txt", "b.txt"])
        XCTAssertEqual(try hitIDs("lighthouse", index: "idx", extra: ["--field", "title"]), ["b.txt"])
        XCTAssertEqual(try hitIDs("lighthouse", index: "idx", extra: ["--field", "body"]), ["a.txt"])
        XCTAssertEqual(try hitIDs("title:harbor", index: "idx"), ["a.txt"])
        let bad = try expect(2, ["--field", "nosuchfield", "--index", "idx", "lighthouse"])
        XCTAssertTrue(bad.stderr.contains("unknown field 'nosuchfield'"), bad.summary)
    }

    func testDoubleDashSearchesForASubcommandName() throws {
        try write("c/a.txt", "Library Catalogue\nThe index of the book lists every name.\n")
        try write("c/b.txt", "Other\nNothing here.\n")
        try expect(0, ["index", "c"], env: ["SEARCH_INDEX": "idx"])
        let r = try expect(0, ["--", "index"], env: ["SEARCH_INDEX": "idx"])
        XCTAssertTrue(r.stdout.hasPrefix("1 match for index\n"), r.summary)
        XCTAssertTrue(r.stdout.contains("Library Catalogue"), r.summary)
        let j = try expect(0, ["--json", "--", "stats"], env: ["SEARCH_INDEX": "idx"])
        XCTAssertEqual(j.jsonHits().count, 0)
        // Without `--`, `index` is the subcommand (and wants a folder).
        try expect(2, ["index"], env: ["SEARCH_INDEX": "idx"])
        XCTAssertEqual(try documentCount(index: "idx"), 2)
    }

    func testNoMatchesExitsZero() throws {
        try writeCorpus()
        try expect(0, ["index", "corpus", "--index", "idx"])
        let r = try expect(0, ["--index", "idx", "xyzzyplugh"])
        XCTAssertEqual(r.stdout, "0 matches for xyzzyplugh\n")
        XCTAssertEqual(r.stderr, "")
        let j = try expect(0, ["--json", "--index", "idx", "xyzzyplugh"])
        XCTAssertEqual(j.jsonHits().count, 0)
        XCTAssertEqual(j.jsonSummary()?["total"] as? Int, 0)
    }

    func testFuzzySuggestionsAndHighlightOffsets() throws {
        try writeCorpus()
        try expect(0, ["index", "corpus", "--index", "idx"])
        // A typo finds nothing, and the CLI suggests the word it is close to.
        let miss = try expect(0, ["--index", "idx", "tangir"])
        XCTAssertTrue(miss.stdout.hasPrefix("0 matches for tangir\ndid you mean: tangier\n"), miss.summary)
        let missJSON = try expect(0, ["--json", "--index", "idx", "tangir"]).jsonSummary()
        XCTAssertEqual(missJSON?["suggestion"] as? String, "tangier")
        // Typo tolerance and explicit fuzzy terms find it.
        XCTAssertEqual(try expect(0, ["--json", "--fuzzy", "--index", "idx", "tangir"]).jsonHits().first?["id"] as? String, "news/tangier.txt")
        XCTAssertEqual(try expect(0, ["--json", "--index", "idx", "tangir~1"]).jsonHits().first?["id"] as? String, "news/tangier.txt")
        // Highlight offsets point at the matched words of the snippet, in code points.
        let hit = try XCTUnwrap(try expect(0, ["--json", "--index", "idx", "body:tangier"]).jsonHits().first)
        let snippet = Array((hit["snippet"] as? String ?? "").unicodeScalars)
        let spans = try XCTUnwrap(hit["highlights"] as? [[Int]])
        XCTAssertFalse(spans.isEmpty)
        for span in spans {
            XCTAssertEqual(String(String.UnicodeScalarView(snippet[span[0]..<span[1]])).lowercased(), "tangier")
        }
        // An unknown field is an error that names the searchable ones.
        let bad = try expect(2, ["--index", "idx", "category:animals"])
        XCTAssertTrue(bad.stderr.contains("unknown field 'category'") && bad.stderr.contains("title, body"), bad.summary)
    }

    func testQuerySyntaxErrorShowsACaret() throws {
        try writeCorpus()
        try expect(0, ["index", "corpus", "--index", "idx"])
        for query in ["tangier AND (police", "tangier AND", "\"unclosed phrase", "title:"] {
            let r = try expect(2, ["--index", "idx", query])
            XCTAssertEqual(r.stdout, "", query)
            let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard let i = lines.firstIndex(where: { $0.hasPrefix("search: query syntax error at position ") }) else {
                XCTFail("\(query): \(r.summary)"); continue
            }
            XCTAssertGreaterThan(lines.count, i + 2, r.summary)
            guard lines.count > i + 2 else { continue }
            XCTAssertEqual(lines[i + 1], "  " + query, r.summary)
            // The caret sits under the reported position.
            let pos = Int(lines[i].dropFirst("search: query syntax error at position ".count).prefix { $0.isNumber }) ?? -1
            XCTAssertEqual(lines[i + 2], "  " + String(repeating: " ", count: pos) + "^", r.summary)
        }
    }

    func testNoIndexYetGivesTheHint() throws {
        let r = try expect(2, ["Tangier arrest"])
        XCTAssertEqual(r.stderr, "search: no index at ./Index - run `search index <folder>` first\n")
        XCTAssertEqual(r.stdout, "")
        let other = try expect(2, ["--index", "elsewhere", "Tangier"])
        XCTAssertEqual(other.stderr, "search: no index at elsewhere - run `search index <folder>` first\n")
        let env = try expect(2, ["Tangier"], env: ["SEARCH_INDEX": "fromenv"])
        XCTAssertEqual(env.stderr, "search: no index at fromenv - run `search index <folder>` first\n")
        try expect(2, ["stats"])
        try expect(2, ["check"])
        // Looking does not create an index directory.
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("Index")))
    }

    func testIndexLocationFromFlagEnvironmentAndDefault() throws {
        try write("one/a.txt", "Alpha Document\nalphaword\n")
        try write("two/b.txt", "Beta Document\nbetaword\n")
        // Default: ./Index in the working directory.
        try expect(0, ["index", "one"])
        XCTAssertTrue(indexFiles("Index").contains { $0.hasPrefix("segments_") })
        XCTAssertEqual(try expect(0, ["--json", "alphaword"]).jsonHits().count, 1)
        // SEARCH_INDEX.
        try expect(0, ["index", "two"], env: ["SEARCH_INDEX": "envidx"])
        XCTAssertTrue(indexFiles("envidx").contains { $0.hasPrefix("segments_") })
        XCTAssertEqual(try expect(0, ["--json", "betaword"], env: ["SEARCH_INDEX": "envidx"]).jsonHits().count, 1)
        XCTAssertEqual(try expect(0, ["--json", "alphaword"], env: ["SEARCH_INDEX": "envidx"]).jsonHits().count, 0)
        // --index wins over SEARCH_INDEX; an absolute SEARCH_INDEX works from another directory.
        XCTAssertEqual(try expect(0, ["--json", "--index", "Index", "alphaword"], env: ["SEARCH_INDEX": "envidx"]).jsonHits().count, 1)
        try mkdir("sub")
        XCTAssertEqual(try expect(0, ["--json", "betaword"], env: ["SEARCH_INDEX": path("envidx")], cwd: path("sub")).jsonHits().count, 1)
        XCTAssertEqual(try documentCount(index: "Index"), 1)
        XCTAssertEqual(try documentCount(index: "envidx"), 1)
        // The default index was not touched by the SEARCH_INDEX run.
        XCTAssertEqual(try expect(0, ["--json", "betaword"]).jsonHits().count, 0)
    }

    func testColor() throws {
        try writeCorpus()
        try expect(0, ["index", "corpus", "--index", "idx"])
        let q = ["--index", "idx", "tangier"]
        let always = try expect(0, ["--color", "always"] + q)
        XCTAssertTrue(always.stdout.hasANSIEscape, always.summary)
        XCTAssertTrue(always.stdout.contains("\u{1B}[1;33mTangier\u{1B}[0m"), always.summary)
        XCTAssertFalse(try expect(0, ["--color", "never"] + q).stdout.hasANSIEscape)
        XCTAssertFalse(try expect(0, q).stdout.hasANSIEscape, "auto, stdout not a terminal")
        XCTAssertFalse(try expect(0, q, env: ["NO_COLOR": "1"]).stdout.hasANSIEscape)
        XCTAssertFalse(try expect(0, ["--color", "never"] + q, env: ["NO_COLOR": "1"]).stdout.hasANSIEscape)
        XCTAssertFalse(try expect(0, ["--json", "--color", "always"] + q).stdout.hasANSIEscape, "JSON never has escapes")
        // On a terminal: auto colors unless NO_COLOR is set; never is never.
        guard let tty = try searchOnTerminal(q) else { throw XCTSkip("no pseudo-terminal available") }
        XCTAssertEqual(tty.status, 0, tty.summary)
        XCTAssertTrue(tty.stdout.hasANSIEscape, "auto on a terminal: \(tty.summary)")
        let noColor = try XCTUnwrap(searchOnTerminal(q, env: ["NO_COLOR": "1"]))
        XCTAssertEqual(noColor.status, 0, noColor.summary)
        XCTAssertTrue(noColor.stdout.contains("Tangier Police Arrest Three"), noColor.summary)
        XCTAssertFalse(noColor.stdout.hasANSIEscape, "NO_COLOR on a terminal: \(noColor.summary)")
        let never = try XCTUnwrap(searchOnTerminal(["--color", "never"] + q))
        XCTAssertFalse(never.stdout.hasANSIEscape, never.summary)
        XCTAssertTrue(never.stdout.contains("[Tangier]"), never.summary)
    }

    func testStatsAndCheckOnAGoodIndex() throws {
        try writeCorpus()
        try expect(0, ["index", "corpus", "--index", "idx"])
        let s = try expect(0, ["stats", "--index", "idx"])
        XCTAssertTrue(s.stdout.contains("documents: 9\n"), s.summary)
        XCTAssertTrue(s.stdout.contains("field title: "), s.summary)
        XCTAssertTrue(s.stdout.contains("field body: "), s.summary)
        let c = try expect(0, ["check", "--index", "idx"])
        XCTAssertTrue(c.stdout.hasPrefix("ok: "), c.summary)
        XCTAssertTrue(c.stdout.contains("9 documents"), c.summary)
    }

    // MARK: Typed fields

    func testFiltersSortFacetsAndPagesFromTheCommandLine() throws {
        try write("typed/news.jsonl", """
            {"id": "a", "title": "Oil prices rise", "body": "crude oil", "date": "1987-03-02T10:00:00Z", "topics": ["crude"], "places": ["usa", "uk"], "price": "18.5"}
            {"id": "b", "title": "Oil output", "body": "oil output cut", "date": "1987-03-20", "topics": ["crude", "ship"], "places": ["usa"], "price": "17"}
            {"id": "c", "title": "Oil and grain", "body": "oil prices and grain", "date": "1987-04-01", "topics": ["grain"], "places": ["uk"], "price": "n/a"}
            {"id": "d", "title": "Oil news", "body": "oil", "date": "1987-03-31T23:59:59Z", "topics": ["crude"], "places": [], "price": "19"}

            """)
        let idx = try search(["index", "typed", "--keyword", "topics,places", "--double", "price"])
        XCTAssertEqual(idx.status, 0, idx.stderr)
        XCTAssertTrue(idx.stdout.contains("typed fields: places (keyword), price (double), topics (keyword), date (date)"), idx.stdout)
        XCTAssertTrue(idx.stderr.contains("c: field 'price': \"n/a\" is not a number; value left out"), idx.stderr)
        let stats = try search(["stats"])
        XCTAssertTrue(stats.stdout.contains("date: date (stored, indexed, columnar)"), stats.stdout)

        let r = try search(["oil", "--filter", "topics:crude date:[1987-03-01 TO 1987-03-31]", "--sort", "-date", "--facet", "places", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(lines.dropLast().map { $0["id"] as? String }, ["d", "b", "a"])   // March 31 is in the range
        XCTAssertEqual(lines.first?["sort"] as? [String], ["1987-03-31T23:59:59Z"])
        let summary = try XCTUnwrap(lines.last)
        XCTAssertEqual(summary["total"] as? Int, 3)
        let places = (summary["facets"] as? [String: Any])?["places"] as? [[String: Any]]
        XCTAssertEqual(places?.map { "\($0["value"] ?? ""):\($0["count"] ?? "")" }, ["usa:2", "uk:1"])

        let page2 = try search(["oil", "--filter", "topics:crude", "--sort", "date", "--offset", "2", "--limit", "1", "--json"])
        XCTAssertEqual(page2.stdout.split(separator: "\n").first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }?["id"] as? String, "d")
        let browse = try search(["--filter", "price:<18", "--facet", "date:month", "--color", "never"])
        XCTAssertEqual(browse.status, 0, browse.stderr)
        XCTAssertTrue(browse.stdout.contains("1 match"), browse.stdout)
        XCTAssertTrue(browse.stdout.contains("date: 1987-03 1"), browse.stdout)

        let wrongType = try search(["title:[a TO b]"])
        XCTAssertEqual(wrongType.status, 2)
        XCTAssertTrue(wrongType.stderr.contains("field 'title' is text"), wrongType.stderr)
        let notColumnar = try search(["oil", "--sort", "title"])
        XCTAssertEqual(notColumnar.status, 2)

        // Changing the types needs --rebuild; the index stays as it was.
        let changed = try search(["index", "typed", "--keyword", "topics"])
        XCTAssertEqual(changed.status, 2)
        XCTAssertTrue(changed.stderr.contains("--rebuild"), changed.stderr)
        XCTAssertEqual(try search(["places:usa", "--limit", "0"]).stdout.prefix(9), "2 matches")
        let rebuilt = try search(["index", "typed", "--keyword", "topics", "--rebuild"])
        XCTAssertEqual(rebuilt.status, 0, rebuilt.stderr)
        XCTAssertEqual(try search(["places:usa"]).status, 2)   // places is stored-only now
    }
}
