import XCTest
@testable import SearchIndex

/// Ranking options beyond per-field BM25, against brute-force references.
final class RelevanceTests: XCTestCase {
    /// `FieldCombination.combined` (BM25F) equals a brute-force computation from the documents' words:
    /// per word, tf = Σ w_f · tf_f and dl = Σ w_f · len_f (lengths through the 1-byte norm), one saturation
    /// against the weighted average length, idf from the most documents any field has the word in. Random
    /// documents over a small vocabulary, three segments, field boosts, words missing from a field.
    func testCombinedFieldsEqualBruteForce() throws {
        var rng = SeededRNG(seed: 29)
        let vocab = (0..<40).map { "w\($0)" }
        func words(_ n: Int) -> [String] {
            (0..<n).map { _ in vocab[Int(min(rng.next() % 40, rng.next() % 40))] }   // skewed
        }
        var docs: [Document] = [], titles: [[String]] = [], bodies: [[String]] = []
        for i in 0..<300 {
            let t = i % 7 == 0 ? [] : words(Int(rng.next() % 6))
            let b = words(Int(rng.next() % 40) + 1)
            titles.append(t); bodies.append(b)
            docs.append(makeDoc("d\(i)", title: t.joined(separator: " "), body: b.joined(separator: " ")))
        }
        let dir = temporaryDirectory(self)
        try buildIndex(dir, docs, perSegment: 110, analyzer: plainAnalyzer())
        let s = try Searcher(path: dir)
        let fieldDocs = [titles, bodies]
        for (trial, titleBoost) in [Float(1), 2, 0.5].enumerated() {
            var o = SearchOptions(limit: 30)
            o.fieldCombination = .combined
            o.boosts = ["title": titleBoost]
            o.bm25 = BM25(k1: 1.1 + 0.2 * Float(trial), b: 0.6 + 0.1 * Float(trial))
            let weights: [Float] = [titleBoost, 1]
            for _ in 0..<20 {
                let query = words(Int(rng.next() % 3) + 1)
                // The reference.
                let docCount = fieldDocs.map { f in f.filter { !$0.isEmpty }.count }
                let n = docCount.max()!
                let avgdl = zip(fieldDocs, weights).reduce(Float(0)) { $0 + $1.1 * Float($1.0.reduce(0) { $0 + $1.count }) } / Float(n)
                var expected: [(Float, Int)] = []
                for d in 0..<docs.count {
                    var score: Float = 0, matched = false
                    let dl = zip(fieldDocs, weights).reduce(Float(0)) { $0 + $1.1 * NormCodec.table[Int(NormCodec.encode($1.0[d].count))] }
                    for w in query {
                        let df = fieldDocs.map { f in f.filter { $0.contains(w) }.count }.max()!
                        let tf = zip(fieldDocs, weights).reduce(Float(0)) { $0 + $1.1 * Float($1.0[d].filter { $0 == w }.count) }
                        guard tf > 0 else { continue }
                        matched = true
                        let k1 = o.bm25.k1, b = o.bm25.b
                        score += BM25.idf(docFreq: df, docCount: max(n, df)) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
                    }
                    if matched { expected.append((score, d)) }
                }
                expected.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
                let got = try s.search(query.joined(separator: " "), options: o)
                let label = "\(query) title^\(titleBoost)"
                XCTAssertEqual(got.hits.map { $0.score }.count, min(30, expected.count), label)
                for (h, e) in zip(got.hits, expected) {
                    XCTAssertEqual(h.score, e.0, accuracy: 1e-4 * max(1, e.0), label)
                }
                // Ranks agree wherever the reference's scores are not (nearly) tied.
                for (i, (h, e)) in zip(got.hits, expected).enumerated() where
                    (i == 0 || expected[i - 1].0 - e.0 > 1e-3) && (i + 1 >= expected.count || e.0 - expected[i + 1].0 > 1e-3) {
                    XCTAssertEqual(h.docID, e.1, "rank \(i) of \(label)")
                }
                // explain agrees with the scorer.
                if let top = got.hits.first {
                    let e = try s.explain(try Query.parse(query.joined(separator: " ")), docID: top.docID, options: o)
                    XCTAssertEqual(e?.value ?? -1, top.score, accuracy: 1e-5, label)
                }
            }
        }
    }

    func testClosenessGoldenValues() {
        XCTAssertEqual(Proximity.closeness([1], [2]), 1)                  // adjacent
        XCTAssertEqual(Proximity.closeness([2], [1]), 1)                  // either order
        XCTAssertEqual(Proximity.closeness([1], [3]), 0.25)
        XCTAssertEqual(Proximity.closeness([1], [6]), 1.0 / 25)           // the window's edge
        XCTAssertEqual(Proximity.closeness([1], [7]), 0)                  // past it
        XCTAssertEqual(Proximity.closeness([1, 10], [2, 8, 30]), 1.25, accuracy: 1e-6)   // 1-2: 1, 10-8: 1/4; 1-8 is 7 apart
        XCTAssertEqual(Proximity.closeness([], [1]), 0)
    }

    /// The proximity bonus re-ranks the best `proximityDepth` hits exactly as a brute-force computation from
    /// the documents' words says: BM25 (the engine's, without the bonus) plus weight × Σ over word pairs of
    /// min(idf) · acc · (k1 + 1) / (acc + K), acc = Σ 1/d² over occurrences at most 5 apart.
    func testProximityRerankEqualsBruteForce() throws {
        var rng = SeededRNG(seed: 31)
        let vocab = (0..<25).map { "w\($0)" }
        var docs: [Document] = [], bodies: [[String]] = []
        for i in 0..<250 {
            let b = (0..<(Int(rng.next() % 30) + 2)).map { _ in vocab[Int(min(rng.next() % 25, rng.next() % 25))] }
            bodies.append(b)
            docs.append(makeDoc("d\(i)", title: "", body: b.joined(separator: " ")))
        }
        let dir = temporaryDirectory(self)
        try buildIndex(dir, docs, perSegment: 90, analyzer: plainAnalyzer())
        let s = try Searcher(path: dir)
        let bodyField = try XCTUnwrap(s.manifest.fields.firstIndex(of: "body"))
        let avgdl = Float(s.totals.tokens[bodyField]) / Float(s.totals.docCount[bodyField])
        for trial in 0..<30 {
            let query = Array(Set((0..<(Int(rng.next() % 3) + 2)).map { _ in vocab[Int(rng.next() % 12)] })).sorted()
            guard query.count >= 2 else { continue }
            var plain = SearchOptions(limit: 40)
            let base = try s.search(query.joined(separator: " "), options: plain)
            var o = plain
            o.proximityWeight = 0.5 + Float(trial % 3) * 0.5
            o.proximityDepth = 40
            plain.limit = 15; o.limit = 15
            let got = try s.search(query.joined(separator: " "), options: o)
            let k1 = o.bm25.k1, b = o.bm25.b
            let idf = Dictionary(uniqueKeysWithValues: query.map { w in
                (w, BM25.idf(docFreq: bodies.filter { $0.contains(w) }.count, docCount: s.totals.docCount[bodyField]))
            })
            var expected: [(Float, Int)] = base.hits.map { h in
                let words = bodies[h.docID]
                let dl = NormCodec.table[Int(NormCodec.encode(words.count))]
                let K = k1 * (1 - b + b * dl / avgdl)
                var bonus: Float = 0
                for i in query.indices { for j in (i + 1)..<query.count {
                    var acc: Float = 0
                    for (p, x) in words.enumerated() where x == query[i] {
                        for (q, y) in words.enumerated() where y == query[j] && abs(p - q) <= 5 && p != q {
                            acc += 1 / Float((p - q) * (p - q))
                        }
                    }
                    if acc > 0 { bonus += min(idf[query[i]]!, idf[query[j]]!) * acc * (k1 + 1) / (acc + K) }
                } }
                return (h.score + o.proximityWeight * bonus, h.docID)
            }
            expected.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
            XCTAssertEqual(got.hits.count, min(15, expected.count))
            for (h, e) in zip(got.hits, expected) { XCTAssertEqual(h.score, e.0, accuracy: 1e-4, "\(query)") }
            for (i, (h, e)) in zip(got.hits, expected).enumerated() where
                (i == 0 || expected[i - 1].0 - e.0 > 1e-3) && (i + 1 >= expected.count || e.0 - expected[i + 1].0 > 1e-3) {
                XCTAssertEqual(h.docID, e.1, "rank \(i) of \(query)")
            }
            if let top = got.hits.first {
                let e = try s.explain(try Query.parse(query.joined(separator: " ")), docID: top.docID, options: o)
                XCTAssertEqual(e?.value ?? -1, top.score, accuracy: 1e-4, "explain of \(query)")
            }
        }
    }

    /// A schema's field weight scores exactly as the same query-time boost, a search's boost overrides it,
    /// reopening with another weight updates it (and nothing else), and a bad weight is refused.
    func testSchemaFieldWeightActsAsDefaultBoost() throws {
        let docs = generatedDocs(400, seed: 5)
        let weighted = temporaryDirectory(self), plain = temporaryDirectory(self)
        let schema = Schema([FieldSpec("title", .text, weight: 3)])
        let w = try IndexWriter(path: weighted, schema: schema)
        for d in docs { try w.addDocument(d) }
        try w.commit(); w.close()
        try buildIndex(plain, docs)
        let a = try Searcher(path: weighted), b = try Searcher(path: plain)
        XCTAssertEqual(a.manifest.schema["title"]?.weight, 3)
        for combination in [FieldCombination.combined, .max(tieBreaker: 0.1), .sum] {
            for q in ["crude oil", "new york stock", "\"crude oil\" w3", "w1*"] {
                var o = SearchOptions(limit: 20)
                o.fieldCombination = combination
                o.loadDocuments = false
                var boosted = o
                boosted.boosts = ["title": 3]
                let x = try a.search(q, options: o), y = try b.search(q, options: boosted)
                XCTAssertEqual(x.hits.map(\.docID), y.hits.map(\.docID), q)
                for (h, g) in zip(x.hits, y.hits) { XCTAssertEqual(h.score, g.score, accuracy: 1e-5) }
                // The search's own boost wins over the schema's.
                var unboosted = o
                unboosted.boosts = ["title": 1]
                XCTAssertEqual(try a.search(q, options: unboosted).hits.map(\.score), try b.search(q, options: o).hits.map(\.score), q)
            }
        }
        // Reopened with weight 2: updated in the next commit, the data untouched.
        let w2 = try IndexWriter(path: weighted, schema: Schema([FieldSpec("title", .text, weight: 2)]))
        try w2.commit(); w2.close()
        let c = try Searcher(path: weighted)
        XCTAssertEqual(c.manifest.schema["title"]?.weight, 2)
        XCTAssertEqual(c.documentCount, docs.count)
        // Reopened as stored-only text: refused, as any change to how values are indexed.
        XCTAssertThrowsError(try IndexWriter(path: weighted, schema: Schema([FieldSpec("title", .text, stored: false, weight: 2)])))
        for bad in [FieldSpec("title", .text, weight: 0), FieldSpec("title", .text, weight: .infinity), FieldSpec("n", .int, weight: 2)] {
            XCTAssertThrowsError(try IndexWriter(path: temporaryDirectory(self), schema: Schema([bad])), "\(bad)")
        }
    }
}

extension RelevanceTests {
    /// A declared field that no document fills still makes a commit that opens.
    func testDeclaredFieldWithoutValuesCommits() throws {
        let dir = temporaryDirectory(self)
        let w = try IndexWriter(path: dir, schema: Schema([FieldSpec("title", .text, weight: 3), FieldSpec("n", .int)]))
        var d = Document(id: "a")
        d.addText("body", "crude oil")
        try w.addDocument(d)
        try w.commit(); w.close()
        let s = try Searcher(path: dir)
        XCTAssertEqual(try s.search("crude").hits.count, 1)
        XCTAssertEqual(s.manifest.schema["title"]?.weight, 3)
    }
}

extension RelevanceTests {
    /// A keyword field used before any text field (so numbered below it) gets no norms and one set of
    /// statistics: the commit opens and checks clean.
    func testKeywordFieldNumberedBeforeTextField() throws {
        let dir = temporaryDirectory(self)
        let w = try IndexWriter(path: dir)
        var a = Document(id: "a")
        a.addKeyword("tags", "x")
        try w.addDocument(a)
        var b = Document(id: "b")
        b.addText("body", "crude oil")
        b.addKeyword("tags", "y")
        try w.addDocument(b)
        try w.commit(); w.close()
        XCTAssertNoThrow(try checkIndex(path: dir))
        let s = try Searcher(path: dir)
        XCTAssertEqual(try s.search("crude").hits.count, 1)
        XCTAssertEqual(try s.search("tags:x").hits.count, 1)
    }
}
