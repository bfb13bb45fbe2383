import Foundation
import XCTest
@testable import SearchIndex

/// RM3 pseudo-relevance feedback (``QueryExpansion``): the expanded query against a brute-force relevance
/// model, its effect end to end, and its errors.
final class FeedbackTests: XCTestCase {
    /// The expanded query equals a brute-force RM3 computed from the documents' words: each word of the best
    /// `fbDocs` hits weighs Σ score · tf / |d|, words in more than 10% of the documents are dropped, the
    /// heaviest `fbTerms` are kept and scaled to sum to 1, and the query is interpolated with the original.
    func testExpandedQueryEqualsBruteForceRM3() throws {
        var rng = SeededRNG(seed: 77)
        let vocab = (0..<60).map { "w\($0)" }
        var docs: [Document] = [], words: [[String]] = []
        for i in 0..<300 {
            // Skewed frequencies, so some words are in more than 10% of the documents and some are rare.
            let t = (0..<(Int(rng.next() % 12) + 1)).map { _ in vocab[Int(min(rng.next() % 60, rng.next() % 60))] }
            let b = (0..<(Int(rng.next() % 25) + 2)).map { _ in vocab[Int(min(rng.next() % 60, rng.next() % 60))] }
            words.append(t + b)
            docs.append(makeDoc("d\(i)", title: t.joined(separator: " "), body: b.joined(separator: " ")))
        }
        let dir = temporaryDirectory(self)
        try buildIndex(dir, docs, perSegment: 110, analyzer: plainAnalyzer())
        let s = try Searcher(path: dir)
        var checked = 0
        for trial in 0..<25 {
            let query = (0..<(Int(rng.next() % 3) + 1)).map { _ in vocab[Int(rng.next() % 40)] }
            var o = SearchOptions()
            o.expansion = QueryExpansion(feedbackDocuments: 3 + trial % 5, feedbackTerms: 2 + trial % 9,
                                         originalQueryWeight: [0.3, 0.5, 0.8][trial % 3])
            let e = try XCTUnwrap(o.expansion)
            var first = SearchOptions(limit: e.feedbackDocuments)
            first.loadDocuments = false
            let hits = try s.search(query.joined(separator: " "), options: first).hits
            guard !hits.isEmpty else { continue }
            var model: [String: Double] = [:]
            for h in hits {
                let ws = words[h.docID]
                for w in Set(ws) { model[w, default: 0] += Double(h.score) / Double(ws.count) * Double(ws.filter { $0 == w }.count) }
            }
            let kept = model.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .filter { w in Double(max(docs.filter { docHas($0, w.key, "title") }.count,
                                          docs.filter { docHas($0, w.key, "body") }.count)) <= 0.1 * 300 }
                .prefix(e.feedbackTerms)
            let total = kept.reduce(0) { $0 + $1.value }
            let original = try Query.parse(query.joined(separator: " "))
            let expanded = try s.expandedQuery(original, options: o)
            if kept.isEmpty { XCTAssertEqual(expanded, original); continue }
            checked += 1
            guard case let .boolean(clauses) = expanded else { return XCTFail("not a boolean: \(expanded)") }
            // The original, weighted originalQueryWeight / (its word count), may add documents (it is a disjunction).
            XCTAssertEqual(clauses.first?.occur, .should)
            guard case let .boosted(_, b0) = clauses[0].query else { return XCTFail("original not boosted") }
            XCTAssertEqual(b0, e.originalQueryWeight / Float(query.count), accuracy: 1e-6)
            var got: [String: Float] = [:]
            for c in clauses.dropFirst() {
                guard case let .boosted(.exactTerm(nil, w), b) = c.query, c.occur == .should else { return XCTFail("clause \(c)") }
                got[w] = b
            }
            XCTAssertEqual(Set(got.keys), Set(kept.map(\.key)), "trial \(trial) \(query)")
            for (w, x) in kept {
                XCTAssertEqual(got[w] ?? -1, (1 - e.originalQueryWeight) * Float(x / total), accuracy: 1e-5, "\(w) in trial \(trial)")
            }
            // And the search runs the expanded query.
            var plain = SearchOptions(limit: 20)
            plain.loadDocuments = false
            var withExpansion = plain
            withExpansion.expansion = e
            let a = try s.search(query.joined(separator: " "), options: withExpansion)
            let b = try s.search(expanded, options: plain)
            XCTAssertEqual(a.hits.map(\.docID), b.hits.map(\.docID))
            XCTAssertEqual(a.query, expanded)
        }
        XCTAssertGreaterThan(checked, 15, "too few trials had expansion terms to check")
    }

    private func docHas(_ d: Document, _ w: String, _ field: String) -> Bool {
        d.textFields.contains { $0.name == field && $0.value.split(separator: " ").contains(Substring(w)) }
    }

    /// A document that shares the best hits' vocabulary but not the query's word is found only with feedback;
    /// a required clause stays required.
    func testExpansionFindsRelatedDocumentsAndKeepsRequiredClauses() throws {
        var docs: [Document] = []
        for i in 0..<8 { docs.append(makeDoc("crude\(i)", title: "crude oil", body: "opec barrel output quota saudi \(i)")) }
        docs.append(makeDoc("related", title: "cartel", body: "opec barrel output quota saudi riyadh"))
        for i in 0..<100 { docs.append(makeDoc("other\(i)", title: "grain", body: "wheat harvest corn \(i)")) }
        let dir = temporaryDirectory(self)
        try buildIndex(dir, docs)
        let s = try Searcher(path: dir)
        var o = SearchOptions(limit: 20)
        XCTAssertFalse(try s.search("crude", options: o).hits.contains { $0.document?.id == "related" })
        o.expansion = QueryExpansion(feedbackDocuments: 5, feedbackTerms: 5)
        let r = try s.search("crude", options: o)
        XCTAssertTrue(r.hits.contains { $0.document?.id == "related" }, "\(r.query)")
        XCTAssertTrue(r.hits.prefix(8).allSatisfy { $0.document?.id.hasPrefix("crude") == true })
        // `+crude opec`: the expansion only re-ranks documents that have crude.
        let required = try s.search("+crude opec", options: o)
        XCTAssertEqual(required.hits.count, 8)
        XCTAssertFalse(required.hits.contains { $0.document?.id == "related" })
        // Nothing matches: the query comes back as it was.
        XCTAssertEqual(try s.expandedQuery(.term(field: nil, text: "zebra"), options: o), .term(field: nil, text: "zebra"))
    }

    func testExpansionErrors() throws {
        let dir = temporaryDirectory(self)
        var d = Document(id: "a")
        d.addText("body", "crude oil prices", stored: false)
        try buildIndex(dir, [d])
        let s = try Searcher(path: dir)
        var o = SearchOptions()
        o.expansion = .rm3
        XCTAssertThrowsError(try s.search("crude", options: o)) { e in
            guard case let SearchIndexError.invalidArgument(m) = e else { return XCTFail("\(e)") }
            XCTAssertTrue(m.contains("stored"), m)
        }
        for bad in [QueryExpansion(feedbackDocuments: 0), QueryExpansion(feedbackTerms: -1),
                    QueryExpansion(originalQueryWeight: 0), QueryExpansion(originalQueryWeight: 1.5),
                    QueryExpansion(originalQueryWeight: .nan), QueryExpansion(maxDocumentFrequency: 0)] {
            o.expansion = bad
            XCTAssertThrowsError(try s.search("crude", options: o), "\(bad)")
        }
    }

    func testFeedbackWordFilter() {
        XCTAssertTrue(Searcher.isFeedbackWord("oil"))
        XCTAssertTrue(Searcher.isFeedbackWord("1987"))
        XCTAssertTrue(Searcher.isFeedbackWord("übersee"))
        XCTAssertFalse(Searcher.isFeedbackWord("a"))
        XCTAssertFalse(Searcher.isFeedbackWord("5.93"))
        XCTAssertFalse(Searcher.isFeedbackWord(String(repeating: "x", count: 21)))
    }
}
