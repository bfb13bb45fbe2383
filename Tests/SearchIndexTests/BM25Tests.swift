import Foundation
import XCTest
@testable import SearchIndex

/// BM25 scores of the searcher against a hand computation in Double on a tiny corpus.
///
/// Field lengths stay below 24 tokens so the one-byte norms are exact, and the analyzer neither stems
/// nor drops stopwords, so the test can tokenize by splitting on spaces.
final class BM25Tests: XCTestCase {
    struct Doc {
        let id: String
        let fields: [String: [String]]   // field -> values (a field may have several values)
    }

    let corpus: [Doc] = [
        Doc(id: "d0", fields: ["title": ["cocoa prices rise"], "body": ["cocoa cocoa harvest in bahia"]]),
        Doc(id: "d1", fields: ["title": ["cocoa exports"], "body": ["bahia exports rise sharply as the harvest improves"]]),
        Doc(id: "d2", fields: ["title": [""], "body": ["weather in bahia was dry"]]),
        Doc(id: "d3", fields: ["body": ["cocoa"]]),
        Doc(id: "d4", fields: ["title": ["rise of the cocoa trade cocoa cocoa"], "body": ["trade talks stall"]]),
        Doc(id: "d5", fields: ["title": ["grain"], "body": ["wheat and corn", "cocoa harvest"]]),
        Doc(id: "d6", fields: ["title": ["harvest festival"], "body": ["harvest harvest harvest harvest moon over bahia cocoa farms and harvest songs"]]),
        Doc(id: "d7", fields: ["title": ["markets"], "body": ["stocks fell in heavy trade"]]),
    ]

    lazy var dir: String = {
        let d = temporaryDirectory(self)
        var docs: [Document] = []
        for c in corpus {
            var doc = Document(id: c.id)
            for f in ["title", "body"] { for v in c.fields[f] ?? [] { doc.addText(f, v) } }
            doc.addStored("source", "cocoa")   // stored only: never searched
            docs.append(doc)
        }
        try! buildIndex(d, docs, analyzer: plainAnalyzer())
        return d
    }()

    // MARK: the hand computation

    func tokens(_ d: Doc, _ f: String) -> [[String]] {
        (d.fields[f] ?? []).map { $0.split(separator: " ").map(String.init) }
    }
    func length(_ d: Doc, _ f: String) -> Int { tokens(d, f).reduce(0) { $0 + $1.count } }
    func tf(_ d: Doc, _ f: String, _ t: String) -> Int { tokens(d, f).reduce(0) { $0 + $1.filter { $0 == t }.count } }
    func docsWithField(_ f: String) -> Int { corpus.filter { length($0, f) > 0 }.count }
    func avgdl(_ f: String) -> Double { Double(corpus.reduce(0) { $0 + length($1, f) }) / Double(docsWithField(f)) }
    func idf(_ f: String, _ t: String) -> Double {
        let n = Double(docsWithField(f)), df = Double(corpus.filter { tf($0, f, t) > 0 }.count)
        return log(1 + (n - df + 0.5) / (df + 0.5))
    }
    func tfNorm(_ freq: Double, _ d: Doc, _ f: String, k1: Double, b: Double) -> Double {
        freq * (k1 + 1) / (freq + k1 * (1 - b + b * Double(length(d, f)) / avgdl(f)))
    }
    func termScore(_ d: Doc, _ f: String, _ t: String, k1: Double, b: Double, boost: Double) -> Double {
        let x = tf(d, f, t)
        return x == 0 ? 0 : boost * idf(f, t) * tfNorm(Double(x), d, f, k1: k1, b: b)
    }
    /// Occurrences of t1 immediately followed by t2 within one value of the field.
    func phraseFreq(_ d: Doc, _ f: String, _ t1: String, _ t2: String) -> Int {
        tokens(d, f).reduce(0) { acc, v in acc + (v.count < 2 ? 0 : (0..<(v.count - 1)).filter { v[$0] == t1 && v[$0 + 1] == t2 }.count) }
    }
    func phraseScore(_ d: Doc, _ f: String, _ t1: String, _ t2: String, k1: Double, b: Double, boost: Double) -> Double {
        let pf = phraseFreq(d, f, t1, t2)
        return pf == 0 ? 0 : boost * (idf(f, t1) + idf(f, t2)) * tfNorm(Double(pf), d, f, k1: k1, b: b)
    }

    /// BM25 parameters, field boosts, and how a word's per-field scores combine (nil: the default options).
    struct Setting { let k1: Double; let b: Double; let boosts: [String: Double]; let combination: FieldCombination? }
    let settings = [
        Setting(k1: 1.2, b: 0.75, boosts: [:], combination: .sum),
        Setting(k1: 0.9, b: 0.4, boosts: [:], combination: .sum),
        Setting(k1: 0.9, b: 0.4, boosts: ["title": 2.5, "body": 0.5], combination: .sum),
        Setting(k1: 2.0, b: 1.0, boosts: ["title": 0.3], combination: .max(tieBreaker: 0.1)),
        Setting(k1: 1.5, b: 0.0, boosts: ["body": 3], combination: .max(tieBreaker: 0)),
        Setting(k1: 1.2, b: 0.75, boosts: [:], combination: nil),
    ]

    func options(_ s: Setting) -> SearchOptions {
        var o = SearchOptions(limit: 100)
        o.bm25 = BM25(k1: Float(s.k1), b: Float(s.b))
        o.boosts = s.boosts.mapValues { Float($0) }
        o.fieldCombination = s.combination ?? .max(tieBreaker: 0.1)
        return o
    }

    /// One word's score over the default fields: the per-field scores summed, or the best plus a tie-breaker share of the rest.
    func combine(_ s: Setting, _ perField: (String) -> Double) -> Double {
        let scores = ["title", "body"].map(perField)
        let total = scores.reduce(0, +), best = scores.max()!
        switch s.combination ?? .max(tieBreaker: 0.1) {
        case .sum: return total
        case let .max(tie): return best + Double(tie) * (total - best)
        case .combined: XCTFail("per-field scores do not model .combined (RelevanceTests covers it)"); return total
        }
    }

    /// Runs `query` and checks hits, scores (1e-5), order and explanations against `expected` (doc id -> score; 0 = no match).
    func check(_ query: String, _ s: Setting, expected: (Doc) -> Double, file: StaticString = #filePath, line: UInt = #line) throws {
        let searcher = try Searcher(path: dir)
        let o = options(s)
        let r = try searcher.search(query, options: o)
        let want = Dictionary(uniqueKeysWithValues: corpus.map { ($0.id, expected($0)) }).filter { $0.value > 0 }
        let label = "\(query) k1=\(s.k1) b=\(s.b) boosts=\(s.boosts) \(String(describing: s.combination))"
        XCTAssertFalse(want.isEmpty, "the query should match something: \(label)", file: file, line: line)
        XCTAssertEqual(Set(ids(r)), Set(want.keys), label, file: file, line: line)
        XCTAssertEqual(r.totalHits, want.count, label, file: file, line: line)
        var previous = Float.infinity
        for h in r.hits {
            let id = h.document?.id ?? "?"
            XCTAssertEqual(Double(h.score), want[id] ?? -1, accuracy: 1e-5, "\(id) for \(label)", file: file, line: line)
            XCTAssertLessThanOrEqual(h.score, previous, "hits are in descending score order", file: file, line: line)
            previous = h.score
            let e = try searcher.explain(try Query.parse(query), docID: h.docID, options: o)
            XCTAssertNotNil(e, "explain of a hit", file: file, line: line)
            XCTAssertEqual(e?.value ?? -1, h.score, accuracy: 1e-6, "explain value of \(id) for \(label)", file: file, line: line)
        }
        // A document that does not match has no explanation.
        if let miss = corpus.firstIndex(where: { want[$0.id] == nil }) {
            XCTAssertNil(try searcher.explain(try Query.parse(query), docID: miss, options: o), file: file, line: line)
        }
    }

    func boost(_ s: Setting, _ f: String) -> Double { s.boosts[f] ?? 1 }

    func testSingleTermAcrossFields() throws {
        for s in settings {
            for t in ["cocoa", "harvest", "rise", "bahia", "trade"] {
                try check(t, s) { d in self.combine(s) { self.termScore(d, $0, t, k1: s.k1, b: s.b, boost: self.boost(s, $0)) } }
            }
        }
    }

    func testFieldScopedTerm() throws {
        for s in settings {
            try check("body:harvest", s) { self.termScore($0, "body", "harvest", k1: s.k1, b: s.b, boost: self.boost(s, "body")) }
            try check("title:cocoa", s) { self.termScore($0, "title", "cocoa", k1: s.k1, b: s.b, boost: self.boost(s, "title")) }
        }
    }

    func testDisjunctionAndConjunctionSum() throws {
        for s in settings {
            func both(_ d: Doc, _ t: String) -> Double {
                combine(s) { self.termScore(d, $0, t, k1: s.k1, b: s.b, boost: self.boost(s, $0)) }
            }
            try check("cocoa bahia", s) { both($0, "cocoa") + both($0, "bahia") }
            try check("+cocoa +harvest", s) { d in both(d, "cocoa") > 0 && both(d, "harvest") > 0 ? both(d, "cocoa") + both(d, "harvest") : 0 }
            try check("+harvest rise", s) { d in both(d, "harvest") > 0 ? both(d, "harvest") + both(d, "rise") : 0 }
            try check("cocoa -bahia", s) { d in both(d, "bahia") > 0 ? 0 : both(d, "cocoa") }
        }
    }

    func testPhraseScore() throws {
        for s in settings {
            try check("body:\"cocoa harvest\"", s) { self.phraseScore($0, "body", "cocoa", "harvest", k1: s.k1, b: s.b, boost: self.boost(s, "body")) }
            try check("\"harvest harvest\"", s) { d in
                self.combine(s) { self.phraseScore(d, $0, "harvest", "harvest", k1: s.k1, b: s.b, boost: self.boost(s, $0)) }
            }
            try check("\"harvest festival\" OR \"cocoa harvest\"", s) { d in
                self.combine(s) { self.phraseScore(d, $0, "harvest", "festival", k1: s.k1, b: s.b, boost: self.boost(s, $0)) }
                    + self.combine(s) { self.phraseScore(d, $0, "cocoa", "harvest", k1: s.k1, b: s.b, boost: self.boost(s, $0)) }
            }
        }
    }

    func testStatisticsCountOnlyDocumentsWithTheField() throws {
        // d2's title is empty and d3 has none: title statistics cover 6 documents, body 8.
        XCTAssertEqual(docsWithField("title"), 6)
        XCTAssertEqual(docsWithField("body"), 8)
        let searcher = try Searcher(path: dir)
        XCTAssertEqual(searcher.documentCount, corpus.count)
        XCTAssertEqual(Set(searcher.textFields), ["title", "body"])
        let hit = try XCTUnwrap(try searcher.search("body:harvest").hits.first)
        let e = try XCTUnwrap(try searcher.explain(.term(field: "body", text: "harvest"), docID: hit.docID))
        XCTAssertEqual(e.details.count, 3)
        XCTAssertEqual(Double(e.details[0].value), idf("body", "harvest"), accuracy: 1e-6, "idf detail")
        XCTAssertEqual(Double(BM25.idf(docFreq: 3, docCount: 6)), log(1 + 3.5 / 3.5), accuracy: 1e-7)
        // The stored-only field is not searchable: naming it is an error, at its position.
        XCTAssertThrowsError(try searcher.search("cocoa source:cocoa")) { e in
            guard case let SearchIndexError.querySyntax(_, at, message) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(at, 6)
            XCTAssertTrue(message.contains("stored but not searchable") && message.contains("title, body"), message)
        }
    }
}
