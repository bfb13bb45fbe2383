import Foundation
import XCTest
@testable import SearchIndex

final class QueryTests: XCTestCase {
    // MARK: fixtures

    /// English stemming and stopwords: for phrases across stopword gaps, multi-valued fields and prefixes.
    lazy var phraseIndex: Searcher = {
        let d = temporaryDirectory(self)
        var docs: [Document] = [
            makeDoc("p1", title: "Lunar", body: "The man in the moon"),
            makeDoc("p2", title: "Apollo", body: "Man on the moon landing"),
            makeDoc("p3", title: "Song", body: "the moon man"),
            makeDoc("p4", title: "Short", body: "man moon"),
            makeDoc("ny", title: "City", body: "New York City"),
            makeDoc("a1", title: "Police arrested a suspect", body: "The arrest came at night"),
            makeDoc("a2", title: "Arrival of the ship", body: "an array of containers"),
            makeDoc("a3", title: "Carry on", body: "carrying cargo; ARREARS paid"),
            makeDoc("a4", title: "Arrivals board", body: "late trains"),
            makeDoc("jp", title: "東京タワー", body: "京東 Tokyo tower"),
        ]
        var mv = Document(id: "mv")
        mv.addText("title", "Two values")
        mv.addText("body", "brand new")
        mv.addText("body", "york state")
        docs.append(mv)
        let analyzer = try! StandardAnalyzer(stemmer: "english", stopwords: StandardAnalyzer.englishStopwords)
        try! buildIndex(d, docs, analyzer: analyzer)
        return try! Searcher(path: d)
    }()

    /// Plain words for boolean logic.
    lazy var boolIndex: Searcher = {
        let d = temporaryDirectory(self)
        let docs = [
            makeDoc("d1", title: "fruit one", body: "apple banana"),
            makeDoc("d2", title: "fruit two", body: "apple cherry"),
            makeDoc("d3", title: "fruit three", body: "banana cherry"),
            makeDoc("d4", title: "fruit four", body: "apple banana cherry"),
            makeDoc("d5", title: "durian", body: "durian"),
            makeDoc("d6", title: "fruit six", body: "banana elderberry"),
        ]
        try! buildIndex(d, docs, analyzer: plainAnalyzer())
        return try! Searcher(path: d)
    }()

    func matches(_ s: Searcher, _ q: String, _ op: QueryParser.Operator = .or, file: StaticString = #filePath, line: UInt = #line) throws -> Set<String> {
        var o = SearchOptions(limit: 1000)
        o.defaultOperator = op
        let r = try s.search(q, options: o)
        XCTAssertEqual(r.totalHits, r.hits.count, "totalHits for \(q)", file: file, line: line)
        XCTAssertEqual(Set(ids(r)).count, r.hits.count, "no duplicate hits for \(q)", file: file, line: line)
        return Set(ids(r))
    }

    // MARK: phrases

    func testPhraseMatchAndNonMatch() throws {
        let s = phraseIndex
        XCTAssertEqual(try matches(s, "\"moon man\""), ["p3"])
        XCTAssertEqual(try matches(s, "\"man moon\""), ["p4"])
        XCTAssertEqual(try matches(s, "body:\"new york\""), ["ny"])
        XCTAssertEqual(try matches(s, "\"york new\""), [])
        XCTAssertEqual(try matches(s, "\"new york city\""), ["ny"])
        // Terms in the wrong order or not adjacent do not match as a phrase, but do as words.
        XCTAssertEqual(try matches(s, "man moon"), ["p1", "p2", "p3", "p4"])
        XCTAssertEqual(try matches(s, "+man +moon"), ["p1", "p2", "p3", "p4"])
    }

    func testPhraseAcrossStopwordGap() throws {
        let s = phraseIndex
        // Indexed "man@1 moon@4" and "man@0 moon@3": both three positions apart, like the query.
        XCTAssertEqual(try matches(s, "\"man in the moon\""), ["p1", "p2"])
        XCTAssertEqual(try matches(s, "\"man on the moon\""), ["p1", "p2"], "stopwords are removed; only the gap counts")
        XCTAssertEqual(try matches(s, "\"man of a moon\""), ["p1", "p2"])
        XCTAssertEqual(try matches(s, "\"man the moon\""), [], "a gap of two is not a gap of three")
        XCTAssertEqual(try matches(s, "\"the man\""), ["p1", "p2", "p3", "p4"], "a phrase that is one term after stopwords is a term query")
        XCTAssertEqual(try matches(s, "\"the of\""), [], "only stopwords: nothing")
    }

    func testPhraseDoesNotSpanTwoValuesOfAField() throws {
        let s = phraseIndex
        XCTAssertEqual(try matches(s, "\"new york\""), ["ny"], "mv has 'new' ending one value and 'york' starting the next")
        XCTAssertEqual(try matches(s, "+new +york"), ["ny", "mv"])
        XCTAssertEqual(try matches(s, "\"york state\""), ["mv"])
        XCTAssertEqual(try matches(s, "\"brand new\""), ["mv"])
    }

    func testHanQueryMatchesAsPhrase() throws {
        let s = phraseIndex
        XCTAssertEqual(try matches(s, "東京"), ["jp"])
        XCTAssertEqual(try matches(s, "title:東京"), ["jp"])
        XCTAssertEqual(try matches(s, "body:東京"), [], "the body has 京東, the reverse order")
        XCTAssertEqual(try matches(s, "body:京東"), ["jp"])
        XCTAssertEqual(try matches(s, "タワー"), ["jp"])
    }

    // MARK: boolean logic

    func testRequiredAndExcluded() throws {
        let s = boolIndex
        XCTAssertEqual(try matches(s, "apple banana"), ["d1", "d2", "d3", "d4", "d6"])
        XCTAssertEqual(try matches(s, "+apple banana"), ["d1", "d2", "d4"])
        XCTAssertEqual(try matches(s, "+apple -banana"), ["d2"])
        XCTAssertEqual(try matches(s, "apple -cherry"), ["d1"])
        XCTAssertEqual(try matches(s, "+apple +banana +cherry"), ["d4"])
        XCTAssertEqual(try matches(s, "-apple"), ["d3", "d5", "d6"], "a purely negative query matches everything else")
        XCTAssertEqual(try matches(s, "banana -apple -cherry"), ["d6"])
        // Documents matching the optional clause rank above those that only match the required one.
        let r = try s.search("+apple banana")
        XCTAssertEqual(Set(ids(r).prefix(2)), ["d1", "d4"])
        XCTAssertEqual(ids(r).last, "d2")
    }

    func testAndOrNot() throws {
        let s = boolIndex
        XCTAssertEqual(try matches(s, "apple AND banana"), ["d1", "d4"])
        XCTAssertEqual(try matches(s, "apple && banana"), ["d1", "d4"])
        XCTAssertEqual(try matches(s, "apple OR durian"), ["d1", "d2", "d4", "d5"])
        XCTAssertEqual(try matches(s, "apple || durian"), ["d1", "d2", "d4", "d5"])
        XCTAssertEqual(try matches(s, "apple AND NOT cherry"), ["d1"])
        XCTAssertEqual(try matches(s, "apple NOT cherry"), ["d1"])
        XCTAssertEqual(try matches(s, "NOT apple"), ["d3", "d5", "d6"])
        // A pure-negative group means "all documents except": `a AND (NOT b)` is `a -b`.
        XCTAssertEqual(try matches(s, "apple AND (NOT cherry)"), try matches(s, "apple -cherry"))
        XCTAssertEqual(try matches(s, "apple AND (NOT cherry)"), ["d1"])
        XCTAssertEqual(try matches(s, "banana (NOT cherry)"), ["d1", "d3", "d4", "d5", "d6"])
        XCTAssertEqual(try matches(s, "apple AND banana AND cherry"), ["d4"])
        // As in Lucene's classic parser, AND makes the clause before it required, also when NOT follows:
        // "banana cherry AND NOT apple" is "banana +cherry -apple", the same as "banana cherry AND -apple".
        XCTAssertEqual(try matches(s, "banana cherry AND -apple"), ["d3"])
        XCTAssertEqual(try matches(s, "banana cherry AND NOT apple"), ["d3"])
    }

    func testParentheses() throws {
        let s = boolIndex
        XCTAssertEqual(try matches(s, "(apple OR durian) AND banana"), ["d1", "d4"])
        XCTAssertEqual(try matches(s, "cherry AND (apple OR elderberry)"), ["d2", "d4"])
        XCTAssertEqual(try matches(s, "banana AND NOT (apple OR cherry)"), ["d6"])
        XCTAssertEqual(try matches(s, "(apple AND cherry) OR durian"), ["d2", "d4", "d5"])
        XCTAssertEqual(try matches(s, "((durian))"), ["d5"])
        XCTAssertEqual(try matches(s, "() durian"), ["d5"])
    }

    func testDefaultOperatorAnd() throws {
        let s = boolIndex
        XCTAssertEqual(try matches(s, "apple banana", .and), ["d1", "d4"])
        XCTAssertEqual(try matches(s, "apple banana cherry", .and), ["d4"])
        XCTAssertEqual(try matches(s, "apple OR durian", .and), ["d1", "d2", "d4", "d5"])
        XCTAssertEqual(try matches(s, "banana -apple", .and), ["d3", "d6"])
        XCTAssertEqual(try matches(s, "fruit banana", .and), ["d1", "d3", "d4", "d6"], "words match in any default field")
        XCTAssertEqual(try matches(s, "fruit banana", .or), ["d1", "d2", "d3", "d4", "d6"])
    }

    func testFieldScoped() throws {
        let s = boolIndex
        XCTAssertEqual(try matches(s, "title:durian"), ["d5"])
        XCTAssertEqual(try matches(s, "title:apple"), [])
        XCTAssertEqual(try matches(s, "body:apple"), ["d1", "d2", "d4"])
        XCTAssertEqual(try matches(s, "title:(one OR two)"), ["d1", "d2"])
        XCTAssertEqual(try matches(s, "title:fruit -body:banana"), ["d2"])
        XCTAssertThrowsError(try s.search("apple nosuchfield:apple"), "an unknown field is an error") { e in
            guard case let SearchIndexError.querySyntax(_, at, message) = e else { return XCTFail("\(e)") }
            XCTAssertEqual(at, 6)
            XCTAssertTrue(message.contains("nosuchfield") && message.contains("title, body"), message)
        }
        var bad = SearchOptions(); bad.fields = ["nosuchfield"]
        XCTAssertThrowsError(try s.search("apple", options: bad))
        XCTAssertEqual(try matches(s, "_id:d5"), ["d5"], "_id matches an exact id")
        XCTAssertEqual(try matches(s, "_id:d*"), ["d1", "d2", "d3", "d4", "d5", "d6"])
        XCTAssertEqual(try matches(s, "_id:D5"), [], "ids are not folded")
        var o = SearchOptions(limit: 100)
        o.fields = ["title"]
        XCTAssertEqual(Set(ids(try s.search("apple durian", options: o))), ["d5"], "SearchOptions.fields limits bare words")
    }

    func testPrefix() throws {
        let s = phraseIndex
        // Indexed (stemmed) terms: arrest (a1, title and body), arriv (a2, a4 titles), array (a2), arrear (a3);
        // "carri" (a3) does not start with "arr".
        XCTAssertEqual(try matches(s, "arr*"), ["a1", "a2", "a3", "a4"])
        XCTAssertEqual(try matches(s, "ARR*"), ["a1", "a2", "a3", "a4"])
        XCTAssertEqual(try matches(s, "title:arr*"), ["a1", "a2", "a4"])
        XCTAssertEqual(try matches(s, "arre*"), ["a1", "a3"])
        XCTAssertEqual(try matches(s, "arrest*"), ["a1"])
        XCTAssertEqual(try matches(s, "carr*"), ["a3"])
        XCTAssertEqual(try matches(s, "zzz*"), [])
        XCTAssertEqual(try matches(s, "arr* -title:police"), ["a2", "a3", "a4"])
        var o = SearchOptions(limit: 10)
        o.maxPrefixTerms = 1
        XCTAssertEqual(Set(ids(try s.search("title:arr*", options: o))), ["a2", "a4"], "the most frequent expansion (arriv, df 2) is kept")
    }

    func testMissingTermMatchesNothing() throws {
        let s = boolIndex
        XCTAssertEqual(try matches(s, "zucchini"), [])
        XCTAssertEqual(try matches(s, "\"apple zucchini\""), [])
        XCTAssertEqual(try matches(s, "+apple +zucchini"), [])
        XCTAssertEqual(try matches(s, "apple zucchini"), ["d1", "d2", "d4"])
        XCTAssertEqual(try matches(s, ""), [])
        XCTAssertNil(try s.segments[0].term([UInt8(s.fieldNumbers["body"]!)] + Array("zucchini".utf8)))
        XCTAssertNotNil(try s.segments[0].term([UInt8(s.fieldNumbers["body"]!)] + Array("apple".utf8)))
    }

    // MARK: parser

    func testParseTrees() throws {
        typealias C = Query.Clause
        let a = Query.term(field: nil, text: "a"), b = Query.term(field: nil, text: "b"), c = Query.term(field: nil, text: "c")
        let cases: [(String, QueryParser.Operator, Query)] = [
            ("a", .or, a),
            ("(a)", .or, a),
            ("a b", .or, .boolean([C(.should, a), C(.should, b)])),
            ("a b", .and, .boolean([C(.must, a), C(.must, b)])),
            ("+a -b c", .or, .boolean([C(.must, a), C(.mustNot, b), C(.should, c)])),
            ("a AND b", .or, .boolean([C(.must, a), C(.must, b)])),
            ("a OR b", .and, .boolean([C(.should, a), C(.should, b)])),
            ("a OR b AND c", .or, .boolean([C(.should, a), C(.must, b), C(.must, c)])),
            ("NOT a", .or, .boolean([C(.mustNot, a)])),
            ("a NOT b", .or, .boolean([C(.should, a), C(.mustNot, b)])),
            ("a AND NOT b", .or, .boolean([C(.must, a), C(.mustNot, b)])),
            ("a b AND NOT c", .or, .boolean([C(.should, a), C(.must, b), C(.mustNot, c)])),
            ("a b AND -c", .or, .boolean([C(.should, a), C(.must, b), C(.mustNot, c)])),
            ("-a AND NOT b", .or, .boolean([C(.mustNot, a), C(.mustNot, b)])),
            ("-a", .or, .boolean([C(.mustNot, a)])),
            ("a AND (b OR c)", .or, .boolean([C(.must, a), C(.must, .boolean([C(.should, b), C(.should, c)]))])),
            ("title:word", .or, .term(field: "title", text: "word")),
            ("title:\"new york\"", .or, .phrase(field: "title", text: "new york")),
            ("title:(a b)", .or, .boolean([C(.should, .term(field: "title", text: "a")), C(.should, .term(field: "title", text: "b"))])),
            ("\"new york\" arr*", .or, .boolean([C(.should, .phrase(field: nil, text: "new york")), C(.should, .prefix(field: nil, text: "arr"))])),
            ("body:arr*", .or, .prefix(field: "body", text: "arr")),
            ("e-mail", .or, .term(field: nil, text: "e-mail")),
            ("a\\:b", .or, .term(field: nil, text: "a:b")),
            ("ANDROID", .or, .term(field: nil, text: "ANDROID")),
            ("  a   ", .or, a),
        ]
        for (text, op, expected) in cases {
            XCTAssertEqual(try Query.parse(text, defaultOperator: op), expected, "parse of \(text) with \(op)")
        }
        XCTAssertEqual(try Query.parse(""), .boolean([]))
        XCTAssertEqual(Query.boolean([C(.must, a), C(.mustNot, b)]).description, "(+a -b)")
    }

    func testSyntaxErrorPositions() {
        let cases: [(String, Int)] = [
            ("(a b", 0),             // unbalanced '('
            ("a (b c", 2),
            ("a (b (c)", 2),
            ("a b)", 3),             // unexpected ')'
            (")", 0),
            ("a \"b c", 2),          // unterminated quote
            ("\"", 0),
            ("a AND", 2),            // dangling AND
            ("a OR", 2),
            ("AND a", 0),            // AND without a clause before it
            ("a AND OR b", 6),       // two operators in a row
            ("a NOT", 2),
            ("title:", 5),           // field without a value
            ("x title: foo", 7),
            ("*", 0),                // lone '*'
            ("a *", 2),
            ("a**", 1),
            ("+", 0),
            ("a - b", 2),
            ("Zürich (a", 7),        // positions count characters, not bytes
        ]
        for (text, position) in cases {
            let e = expectSearchIndexError({ try Query.parse(text) }, text)
            guard let e else { continue }
            guard case let .querySyntax(query, at, message) = e else { XCTFail("\(text): expected querySyntax, got \(e)"); continue }
            XCTAssertEqual(query, text)
            XCTAssertEqual(at, position, "\(text): \(message)")
            XCTAssertFalse(message.isEmpty)
        }
        // The searcher reports the same error.
        let s = boolIndex
        if let e = expectSearchIndexError({ try s.search("apple (banana") }), case let .querySyntax(_, at, _) = e {
            XCTAssertEqual(at, 6)
        }
    }
}
