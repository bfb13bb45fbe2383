import Foundation
import XCTest
@testable import SearchIndex

/// Typed fields, filters, sort, pagination and facets, each against a brute-force oracle over a random
/// index of several segments with deletions, replacements and multi-valued fields.
final class StructuredFieldsTests: XCTestCase {
    // MARK: - Dates

    /// Golden vectors from Foundation's ISO 8601 formatter (a reference implementation), over random
    /// instants from 1900 to 2100, and the formatter's output parsed back.
    func testDatesMatchFoundation() throws {
        var rng = SeededRNG(seed: 5)
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        for _ in 0..<2000 {
            let seconds = Int64(rng.next() % 6_311_390_400) - 2_208_988_800   // 1900-01-01 ... 2100-01-01
            let text = f.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            XCTAssertEqual(DateValue.parse(text)?.start, seconds * 1000, text)
            XCTAssertEqual(DateValue.format(seconds * 1000), text)
        }
        // Offsets, fractions, precision and periods.
        XCTAssertEqual(DateValue.parse("1970-01-01T01:00:00+01:00")?.start, 0)
        XCTAssertEqual(DateValue.parse("1969-12-31T23:59:59.999Z")?.start, -1)
        XCTAssertEqual(DateValue.format(-1), "1969-12-31T23:59:59.999Z")
        XCTAssertEqual(DateValue.parse("2017-03")?.end, DateValue.parse("2017-03-31T23:59:59.999Z")?.start)
        XCTAssertEqual(DateValue.parse("2016-02")?.end, DateValue.parse("2016-02-29T23:59:59.999Z")?.start)
        XCTAssertEqual(DateValue.parse("2017/2/7")?.start, DateValue.parse("2017-02-07")?.start)
        XCTAssertEqual(DateValue.parse("1987")?.precision, .year)
        for bad in ["2017-02-30", "2017-13-01", "17-03-01", "2017-03-01T25:00", "2017-03-01Z", "2017-03-01T10:00:00X",
                    "", "2017-03-01 junk", "1900-02-29"] {
            XCTAssertNil(DateValue.parse(bad), bad)
        }
    }

    func testSortableDoublesKeepOrder() {
        var rng = SeededRNG(seed: 8)
        var xs: [Double] = [0, -0.0, .infinity, -.infinity, 1e-300, -1e-300, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        for _ in 0..<500 { xs.append(Double(Int64(bitPattern: rng.next()) % 1_000_000) / 7.0) }
        for a in xs {
            XCTAssertEqual(SortableNumber.decode(SortableNumber.encode(a)), a == 0 ? 0 : a)
            for b in xs.prefix(40) { XCTAssertEqual(a < b, SortableNumber.encode(a) < SortableNumber.encode(b), "\(a) \(b)") }
        }
    }

    // MARK: - The random index

    struct Model {
        var body: String
        var tags: [String]
        var price: Int64?
        var rating: Double?
        var when: Int64?
        var flag: Bool?
    }

    static let words = ["alpha", "bravo", "delta", "echo", "golf", "hotel", "kilo", "lima"]
    static let tagNames = ["red", "green", "blue", "cyan", "Ünïcode", "a b", "z"]

    /// Builds the index: 600 documents in 6+ segments, 60 deleted and 40 replaced; returns the live models.
    func buildRandomIndex(_ path: String, seed: UInt64) throws -> [String: Model] {
        var rng = SeededRNG(seed: seed)
        var schema = Schema()
        schema.add(FieldSpec("tags", .keyword))
        schema.add(FieldSpec("price", .int))
        schema.add(FieldSpec("rating", .double))
        schema.add(FieldSpec("when", .date))
        schema.add(FieldSpec("flag", .bool, stored: false))
        var config = IndexWriterConfig()
        config.mergeFactor = 0
        let w = try IndexWriter(path: path, config: config, schema: schema)
        var live: [String: Model] = [:]
        func randomModel() -> Model {
            let n = Int(rng.next() % 6) + 1
            let body = (0..<n).map { _ in Self.words[Int(rng.next() % UInt64(Self.words.count))] }.joined(separator: " ")
            let tags = (0..<Int(rng.next() % 4)).map { _ in Self.tagNames[Int(rng.next() % UInt64(Self.tagNames.count))] }
            let price: Int64? = rng.next() % 5 == 0 ? nil : Int64(rng.next() % 200) - 50
            let rating: Double? = rng.next() % 3 == 0 ? nil : Double(Int64(rng.next() % 2000) - 1000) / 8
            // 1950 to 2030, so some dates come before 1970.
            let when: Int64? = rng.next() % 6 == 0 ? nil : (Int64(rng.next() % 2_524_608_000) - 631_152_000) * 1000
            let flag: Bool? = rng.next() % 4 == 0 ? nil : rng.next() % 2 == 0
            return Model(body: body, tags: tags, price: price, rating: rating, when: when, flag: flag)
        }
        func add(_ id: String, _ m: Model) throws {
            var d = Document(id: id)
            d.addText("body", m.body)
            for t in m.tags { d.addKeyword("tags", t) }
            if let p = m.price { d.addInt("price", p) }
            if let r = m.rating { d.addDouble("rating", r) }
            if let t = m.when { d.addDate("when", milliseconds: t) }
            if let f = m.flag { d.addBool("flag", f) }
            try w.addDocument(d)
            live[id] = m
        }
        for i in 0..<600 {
            try add("d\(i)", randomModel())
            if i % 100 == 99 { try w.commit() }
            if i % 10 == 5 { let victim = "d\(rng.next() % UInt64(i))"; try w.deleteDocument(id: victim); live[victim] = nil }
            if i % 15 == 7 { try add("d\(rng.next() % UInt64(i))", randomModel()) }   // a replacement
        }
        try w.commit()
        w.close()
        return live
    }

    /// Every match of `query` by score (no filter), as (id, score, docID).
    func allMatches(_ s: Searcher, _ query: String) throws -> [Hit] {
        var o = SearchOptions(limit: 10_000)
        o.countAllHits = true
        return try s.search(query, options: o).hits
    }

    func testFiltersSortFacetsAndPagesEqualBruteForce() throws {
        let path = temporaryDirectory(self)
        let live = try buildRandomIndex(path, seed: 3)
        let report = try checkIndex(path: path)
        XCTAssertGreaterThan(report.segments, 4)
        let s = try Searcher(path: path)
        XCTAssertEqual(s.documentCount, live.count)
        var rng = SeededRNG(seed: 99)
        let dayMs: Int64 = 86_400_000
        func dateText(_ ms: Int64) -> String { String(DateValue.format(ms).prefix(10)) }

        for trial in 0..<64 {
            let query = trial % 10 == 0 ? "*:*" : (0..<Int(rng.next() % 2 + 1)).map { _ in Self.words[Int(rng.next() % UInt64(Self.words.count))] }.joined(separator: " ")
            let base = try allMatches(s, query)
            // A random filter and its predicate.
            var filterText: String
            var predicate: (Model) -> Bool
            switch trial % 8 {
            case 0:
                let t = Self.tagNames[Int(rng.next() % UInt64(Self.tagNames.count))]
                filterText = "tags:\"\(t)\""; predicate = { $0.tags.contains(t) }
            case 1:
                var lo = Int64(rng.next() % 200) - 60, hi = Int64(rng.next() % 200) - 60
                if trial % 16 == 1 { swap(&lo, &hi) }   // reversed ranges match nothing
                let il = rng.next() % 2 == 0, iu = rng.next() % 2 == 0
                filterText = "price:\(il ? "[" : "{")\(lo) TO \(hi)\(iu ? "]" : "}")"
                predicate = { m in m.price.map { (il ? $0 >= lo : $0 > lo) && (iu ? $0 <= hi : $0 < hi) } ?? false }
            case 2:
                let lo = (Int64(rng.next() % 2_524_608_000) - 631_152_000) * 1000
                let day = DateValue.bucket(lo, .day).start
                filterText = "when:[\(dateText(day)) TO *]"; predicate = { m in m.when.map { $0 >= day } ?? false }
            case 3:
                let hi = (Int64(rng.next() % 2_524_608_000) - 631_152_000) * 1000
                let day = DateValue.bucket(hi, .day).start
                filterText = "when:<=\(dateText(day))"; predicate = { m in m.when.map { $0 < day + dayMs } ?? false }
            case 4:
                let x = Double(Int64(rng.next() % 2000) - 1000) / 8
                filterText = "rating:>\(x)"; predicate = { m in m.rating.map { $0 > x } ?? false }
            case 5:
                filterText = "flag:true tags:red"; predicate = { $0.flag == true && $0.tags.contains("red") }
            case 6:
                let y = 1950 + Int(rng.next() % 80)
                filterText = "when:\(y) -tags:blue"
                predicate = { m in
                    guard let t = m.when, DateValue.components(t).year == y else { return false }
                    return !m.tags.contains("blue")
                }
            default:
                filterText = "price:[* TO *]"; predicate = { $0.price != nil }
            }
            var o = SearchOptions(limit: 10_000)
            o.countAllHits = true
            try o.filter(filterText)
            let filtered = try s.search(query, options: o)
            let expected = base.filter { h in live[h.document?.id ?? ""].map(predicate) ?? false }
            XCTAssertEqual(filtered.hits.map { $0.document?.id ?? "" }, expected.map { $0.document?.id ?? "" }, "\(query) | \(filterText)")
            XCTAssertEqual(filtered.hits.map(\.score), expected.map(\.score), "scores must not change: \(query) | \(filterText)")
            XCTAssertEqual(filtered.totalHits, expected.count)
            // The top 10 through MaxScore (not counting every hit) and through the count-only path agree.
            var top = SearchOptions(limit: 10)
            try top.filter(filterText)
            let pruned = try s.search(query, options: top)
            XCTAssertEqual(pruned.hits.map(\.docID), expected.prefix(10).map(\.docID), "pruned: \(query) | \(filterText)")
            XCTAssertEqual(pruned.hits.map(\.score), expected.prefix(10).map(\.score))
            top.limit = 0
            XCTAssertEqual(try s.search(query, options: top).totalHits, expected.count)
            // The filter checked against the columns, and iterated: the same hits either way.
            for mode in [SearchOptions.FilterMode.columns, .iterate] {
                var forced = SearchOptions(limit: 10)
                try forced.filter(filterText)
                forced.filterMode = mode
                XCTAssertEqual(try s.search(query, options: forced).hits.map(\.docID), expected.prefix(10).map(\.docID), "\(mode): \(query) | \(filterText)")
                forced.countAllHits = true
                forced.limit = 10_000
                XCTAssertEqual(try s.search(query, options: forced).hits.map(\.docID), expected.map(\.docID), "\(mode): \(query) | \(filterText)")
                forced.sort = [.descending("when")]
                forced.limit = 7
                XCTAssertEqual(try s.search(query, options: forced).totalHits, expected.count)
            }

            // Sort by a field (missing last, ties by doc id) against a sort of all matches.
            let sortField = ["price", "rating", "when", "tags", "flag"][trial % 5]
            let desc = trial % 3 == 0
            func key(_ m: Model) -> SortValue {
                switch sortField {
                case "price": m.price.map { .int($0) } ?? .missing
                case "rating": m.rating.map { .double($0) } ?? .missing
                case "when": m.when.map { .date($0) } ?? .missing
                case "flag": m.flag.map { .bool($0) } ?? .missing
                default:
                    m.tags.isEmpty ? .missing : .keyword((desc ? m.tags.max { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
                                                             : m.tags.min { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) ?? "")
                }
            }
            let oracle = base.sorted { a, b in
                let ka = key(live[a.document!.id]!), kb = key(live[b.document!.id]!)
                let c = Searcher.compare(ka, kb)
                if c != 0 {
                    if ka == .missing { return false }
                    if kb == .missing { return true }
                    return desc ? c > 0 : c < 0
                }
                return a.docID < b.docID
            }
            var so = SearchOptions(limit: 10_000)
            so.sort = [SortField(.field(sortField), descending: desc)]
            let sorted = try s.search(query, options: so)
            XCTAssertEqual(sorted.hits.map(\.docID), oracle.map(\.docID), "sort \(sortField) desc \(desc): \(query)")
            XCTAssertEqual(sorted.hits.map { $0.sortValues.first }, oracle.map { key(live[$0.document!.id]!) }, "sort values")
            XCTAssertEqual(sorted.hits.map(\.score), oracle.map(\.score), "scores of field-sorted hits")
            XCTAssertEqual(sorted.totalHits, base.count)
            XCTAssertTrue(sorted.totalHitsIsExact)

            // Pagination: offset pages and searchAfter pages both concatenate to the full list.
            let pageSize = Int(rng.next() % 20) + 4
            var byOffset: [Int] = [], byCursor: [Int] = []
            var cursor: SearchCursor? = nil
            var page = 0
            while page * pageSize <= oracle.count {
                var po = so
                po.limit = pageSize; po.offset = page * pageSize; po.loadDocuments = false
                byOffset += try s.search(query, options: po).hits.map(\.docID)
                var ao = so
                ao.limit = pageSize; ao.searchAfter = cursor; ao.loadDocuments = false
                let r = try s.search(query, options: ao)
                byCursor += r.hits.map(\.docID)
                cursor = r.nextCursor ?? cursor
                page += 1
            }
            XCTAssertEqual(byOffset, oracle.map(\.docID), "offset pages")
            XCTAssertEqual(byCursor, oracle.map(\.docID), "searchAfter pages")
            // By score, searchAfter too (the cursor holds the score).
            var sc = SearchOptions(limit: 3)
            sc.countAllHits = true
            var scored: [Int] = []
            var next: SearchCursor? = nil
            repeat {
                sc.searchAfter = next
                let r = try s.search(query, options: sc)
                scored += r.hits.map(\.docID)
                next = r.nextCursor
            } while next != nil && scored.count < base.count
            XCTAssertEqual(scored, base.map(\.docID), "score pages: \(query)")

            // Facets: counts over all matches, brute force.
            var fo = SearchOptions(limit: 0)
            fo.facets = [.terms("tags", limit: 3), .terms("price", limit: 5),
                         .ranges("rating", [FacetRange(to: "0"), FacetRange(from: "0", to: "50"), FacetRange("high", from: "50")]),
                         .dateHistogram("when", interval: .year), .dateHistogram("when", interval: .month)]
            let facets = try s.search(query, options: fo).facets
            let models = base.map { live[$0.document!.id]! }
            var tagCounts: [String: Int] = [:]
            for m in models { for t in Set(m.tags) { tagCounts[t, default: 0] += 1 } }
            let tagTop = tagCounts.sorted { $0.value != $1.value ? $0.value > $1.value : Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            XCTAssertEqual(facets[0].buckets, tagTop.prefix(3).map { FacetBucket(value: $0.key, count: $0.value) }, "tags: \(query)")
            XCTAssertEqual(facets[0].distinctValues, tagCounts.count)
            // One facet and no hits (the counting loop of its own), and the same under the trial's filter.
            var one = SearchOptions(limit: 0)
            one.facets = [.terms("tags", limit: 3)]
            XCTAssertEqual(try s.search(query, options: one).facets, [facets[0]], "one facet: \(query)")
            try one.filter(filterText)
            var kept: [String: Int] = [:]
            for h in expected { for t in Set(live[h.document!.id]!.tags) { kept[t, default: 0] += 1 } }
            let keptTop = kept.sorted { $0.value != $1.value ? $0.value > $1.value : Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            XCTAssertEqual(try s.search(query, options: one).facets.first?.buckets, keptTop.prefix(3).map { FacetBucket(value: $0.key, count: $0.value) }, "one facet, filtered: \(query) | \(filterText)")
            XCTAssertEqual(facets[0].missing, models.filter { $0.tags.isEmpty }.count)
            var priceCounts: [Int64: Int] = [:]
            for m in models { if let p = m.price { priceCounts[p, default: 0] += 1 } }
            XCTAssertEqual(facets[1].buckets, priceCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .prefix(5).map { FacetBucket(value: String($0.key), count: $0.value) })
            let ratings = models.compactMap(\.rating)
            XCTAssertEqual(facets[2].buckets.map(\.count), [ratings.filter { $0 < 0 }.count, ratings.filter { $0 >= 0 && $0 < 50 }.count, ratings.filter { $0 >= 50 }.count])
            XCTAssertEqual(facets[2].buckets.map(\.value), ["..0", "0..50", "high"])
            var years: [Int: Int] = [:], months: [String: Int] = [:]
            for m in models { if let t = m.when {
                let (y, mo, _) = DateValue.components(t)
                years[y, default: 0] += 1
                months[String(format: "%04d-%02d", y, mo), default: 0] += 1
            } }
            XCTAssertEqual(facets[3].buckets, years.sorted { $0.key < $1.key }.map { FacetBucket(value: String($0.key), count: $0.value) })
            XCTAssertEqual(facets[4].buckets, months.sorted { $0.key < $1.key }.map { FacetBucket(value: $0.key, count: $0.value) })
        }

        // After a merge into one segment (deleted documents dropped), the same answers.
        let before = try s.search("alpha golf", options: { var o = SearchOptions(limit: 50); o.sort = [.descending("when"), .ascending("price")]; o.facets = [.terms("tags")]; return o }())
        let w = try IndexWriter(path: path)
        try w.forceMerge()
        w.close()
        XCTAssertNoThrow(try checkIndex(path: path))
        let merged = try Searcher(path: path)
        XCTAssertEqual(merged.manifest.segments.count, 1)
        let after = try merged.search("alpha golf", options: { var o = SearchOptions(limit: 50); o.sort = [.descending("when"), .ascending("price")]; o.facets = [.terms("tags")]; return o }())
        XCTAssertEqual(after.hits.map { $0.document?.id }, before.hits.map { $0.document?.id })
        XCTAssertEqual(after.hits.map(\.sortValues), before.hits.map(\.sortValues))
        XCTAssertEqual(after.facets, before.facets)
    }

    // MARK: - Errors and the schema

    func testTypeErrorsNameTheFieldAndType() throws {
        let path = temporaryDirectory(self)
        _ = try buildRandomIndex(path, seed: 4)
        let s = try Searcher(path: path)
        func syntaxError(_ q: String, _ contains: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertThrowsError(try s.search(q), q, file: file, line: line) { e in
                guard case let .querySyntax(_, _, message)? = e as? SearchIndexError else { return XCTFail("\(e)", file: file, line: line) }
                XCTAssertTrue(message.contains(contains), "\(q): \(message)", file: file, line: line)
            }
        }
        syntaxError("body:[a TO b]", "field 'body' is text")
        syntaxError("tags:[a TO b]", "field 'tags' is keyword")
        syntaxError("nosuch:[1 TO 2]", "unknown field 'nosuch'")
        syntaxError("tags:red~", "field 'tags' is keyword")
        syntaxError("price:1*", "field 'price' is int")
        syntaxError("when:[2017-02-30 TO *]", "not an ISO 8601 date")
        syntaxError("price:>abc", "is not a number")
        syntaxError("alpha [1 TO 2]", "a range needs a field")
        syntaxError("price:[1 2]", "expected 'TO'")
        syntaxError("price:[1 TO 2", "unterminated range")
        // Bare words never search typed fields.
        XCTAssertEqual(try s.search("red", options: SearchOptions(limit: 5)).totalHits, 0)
        XCTAssertGreaterThan(try s.search("tags:red").totalHits, 0)
        // Sorting or faceting a field that has no column is an error.
        var o = SearchOptions(); o.sort = [.ascending("body")]
        XCTAssertThrowsError(try s.search("alpha", options: o))
        o = SearchOptions(); o.facets = [.dateHistogram("price", interval: .year)]
        XCTAssertThrowsError(try s.search("alpha", options: o))
        // A filter's syntax error points into the filter.
        o = SearchOptions()
        XCTAssertThrowsError(try o.filter("tags:(red"))
    }

    func testSchemaIsRecordedAndEnforced() throws {
        let path = temporaryDirectory(self)
        let w = try IndexWriter(path: path, schema: Schema([FieldSpec("topics", .keyword)]))
        var d = Document(id: "1")
        d.addText("body", "crude oil")
        d.addKeyword("topics", "crude")
        d.addInt("year", 1987)
        try w.addDocument(d)
        // A value of the wrong type: the document is refused, nothing of it stays.
        var bad = Document(id: "2")
        bad.addText("body", "wheat")
        bad.addInt("topics", 3)
        XCTAssertThrowsError(try w.addDocument(bad))
        var nan = Document(id: "3")
        nan.addDouble("price", .nan)
        XCTAssertThrowsError(try w.addDocument(nan))
        var dated = Document(id: "4")
        XCTAssertThrowsError(try dated.addDate("when", iso: "yesterday"))
        try w.commit()
        w.close()
        let s = try Searcher(path: path)
        XCTAssertEqual(s.manifest.schema["topics"]?.type, .keyword)
        XCTAssertEqual(s.manifest.schema["year"]?.type, .int)
        XCTAssertEqual(s.manifest.schema["body"]?.type, .text)
        XCTAssertEqual(s.documentCount, 1)
        XCTAssertEqual(try s.search("wheat").totalHits, 0)
        XCTAssertEqual(try s.search("year:1987").totalHits, 1)
        XCTAssertEqual(try s.search("*:*").hits.first?.document?["topics"], "crude")
        // Reopening with a changed field is refused; with create it rebuilds.
        XCTAssertThrowsError(try IndexWriter(path: path, schema: Schema([FieldSpec("topics", .text)])))
        XCTAssertThrowsError(try IndexWriter(path: path, schema: Schema([FieldSpec("body", .keyword)])))
        let again = try IndexWriter(path: path, create: true, schema: Schema([FieldSpec("topics", .text)]))
        again.close()
        XCTAssertThrowsError(try IndexWriter(path: path, schema: Schema([FieldSpec("x", .text, columnar: true)])))
    }

    // MARK: - Damage a file CRC cannot see (regressions found by the torture suite)

    /// Every byte of `file`'s body flipped in turn, the CRC recomputed: `check` must refuse the index, or
    /// its answers must equal the pristine ones. Covers a column block's minimum (which shifted every value
    /// of the block), a keyword dictionary byte, and the term dictionary's block index (whose damaged first
    /// key made lookups miss terms while `check` passed).
    func assertFlipsAreCaught(_ suffix: String, lastBytes: Int? = nil) throws {
        let pristine = temporaryDirectory(self)
        let w = try IndexWriter(path: pristine)
        var rng = SeededRNG(seed: 17)
        for var d in generatedDocs(150, seed: 21) {
            d.addKeyword("tag", ["red", "green", "blue"][Int(rng.next() % 3)])
            if rng.next() % 10 != 0 { d.addDate("when", milliseconds: Int64(rng.next() % 400) * 86_400_000 - 5 * 86_400_000) }
            try w.addDocument(d)
        }
        try w.commit()
        w.close()
        func answers(_ path: String) throws -> [String] {
            let s = try Searcher(path: path)
            var o = SearchOptions(limit: 20)
            o.sort = [.descending("when"), .ascending("tag")]
            o.facets = [.terms("tag"), .dateHistogram("when", interval: .month)]
            let r = try s.search("*:*", options: o)
            var out = [r.hits.map { "\($0.docID)\($0.sortValues)" }.joined(), "\(r.facets)"]
            for q in (0..<150).map({ "_id:doc-\($0)" }) + ["cocoa", "tangier", "zürich", "東京", "wheat", "tag:red", "when:<1970-01-01"] {
                out.append("\(q) \(try s.search(q).totalHits)")
            }
            return out
        }
        let expected = try answers(pristine)
        let name = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: pristine).first { $0.hasSuffix(suffix) })
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: pristine + "/" + name)))
        let bodyStart = FileEnvelope.headerSize, bodyEnd = original.count - FileEnvelope.footerSize
        let from = lastBytes.map { max(bodyStart, bodyEnd - $0) } ?? bodyStart
        let work = temporaryDirectory(self)
        var caught = 0
        for at in from..<bodyEnd {
            try? FileManager.default.removeItem(atPath: work)
            try FileManager.default.copyItem(atPath: pristine, toPath: work)
            var bytes = original
            bytes[at] ^= at % 2 == 0 ? 0x01 : 0x80
            let crc = bytes.withUnsafeBytes { crc32Of(UnsafeRawBufferPointer(rebasing: $0[0 ..< bytes.count - 4])) }
            for k in 0..<4 { bytes[bytes.count - 4 + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k))) }
            try Data(bytes).write(to: URL(fileURLWithPath: work + "/" + name))
            do { _ = try checkIndex(path: work) } catch is SearchIndexError { caught += 1; continue }
            XCTAssertEqual(try? answers(work), expected, "\(name): byte \(at) flipped, check passed, answers differ")
        }
        XCTAssertGreaterThan(caught, (bodyEnd - from) / 2, name)
    }

    func testFlippedColumnBytesAreCaught() throws { try assertFlipsAreCaught(".col") }

    func testFlippedTermBlockIndexIsCaught() throws { try assertFlipsAreCaught(".tdi", lastBytes: 160) }
}
