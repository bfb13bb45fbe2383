import Foundation
import XCTest
@testable import SearchIndex

/// Fuzzy terms, wildcards, sloppy phrases, boosts and boolean logic, each against a brute-force oracle on
/// random data, plus the parser's table of operators and errors.
final class QueryLanguageTests: XCTestCase {
    // MARK: - Expansion oracles over a raw dictionary

    /// A random sorted dictionary of words over a small alphabet (with two non-ASCII letters, so edits count
    /// scalars, not bytes), in two fields.
    func randomDictionary(_ rng: inout SeededRNG, count: Int) throws -> (TermDictionaryReader, [[UInt8]]) {
        let alphabet: [String] = ["a", "b", "c", "d", "e", "é", "ß"]
        var set = Set<[UInt8]>()
        while set.count < count {
            let len = Int(rng.next() % 7) + 1
            var w = ""
            for _ in 0..<len { w += alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            set.insert([UInt8(1 + rng.next() % 2)] + Array(w.utf8))
        }
        let keys = set.sorted { $0.lexicographicallyPrecedes($1) }
        let dir = temporaryDirectory(self)
        let out = try OutputFile(path: dir + "/r.tdi", kind: .termDictionary)
        let w = TermDictionaryWriter(out: out)
        for (i, k) in keys.enumerated() {
            try w.add(key: k, info: TermInfo(docFreq: 2 + i, totalTermFreq: 2 + i, docOffset: i, posOffset: i))
        }
        try w.finish()
        return (try TermDictionaryReader(file: MappedFile(path: dir + "/r.tdi", name: "r.tdi", kind: .termDictionary)), keys)
    }

    func testFuzzyExpansionEqualsBruteForce() throws {
        var rng = SeededRNG(seed: 11)
        let (dict, keys) = try randomDictionary(&rng, count: 3000)
        let alphabet: [String] = ["a", "b", "c", "d", "e", "é", "ß", "x"]
        var checked = 0, nonEmpty = 0
        for trial in 0..<300 {
            // Half the queries are dictionary words with a typo or two, half random strings.
            var word: [UInt32]
            if trial % 2 == 0 {
                word = TermExpansion.scalars(of: keys[Int(rng.next() % UInt64(keys.count))])
                for _ in 0..<Int(rng.next() % 3) {
                    let at = Int(rng.next() % UInt64(word.count + 1))
                    let c = alphabet[Int(rng.next() % UInt64(alphabet.count))].unicodeScalars.first!.value
                    switch rng.next() % 4 {
                    case 0: word.insert(c, at: at)
                    case 1 where at < word.count && word.count > 1: word.remove(at: at)
                    case 2 where at + 1 < word.count: word.swapAt(at, at + 1)
                    default: if at < word.count { word[at] = c }
                    }
                }
            } else {
                word = (0..<(Int(rng.next() % 6) + 1)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))].unicodeScalars.first!.value }
            }
            let field = UInt8(1 + rng.next() % 2)
            let k = Int(rng.next() % 3)
            let prefix = trial % 5 == 0 ? min(1, word.count) : 0
            var budget = Int.max
            let got = try TermExpansion.fuzzyTerms(dict, field: field, word: word, maxEdits: k, prefixLength: prefix, budget: &budget)
            let expected = keys.compactMap { key -> ([UInt8], Int)? in
                guard key[0] == field else { return nil }
                let t = TermExpansion.scalars(of: key)
                guard Array(t.prefix(prefix)) == Array(word.prefix(prefix)) else { return nil }
                let d = TermExpansion.editDistance(t, word)
                return d <= k ? (key, d) : nil
            }
            XCTAssertEqual(got.map(\.key), expected.map(\.0), "fuzzy \(word) ~\(k) prefix \(prefix)")
            XCTAssertEqual(got.map(\.edits), expected.map(\.1), "distances for \(word) ~\(k)")
            checked += 1
            if !expected.isEmpty { nonEmpty += 1 }
        }
        XCTAssertEqual(checked, 300)
        XCTAssertGreaterThan(nonEmpty, 100, "the oracle must exercise matches, not only misses")
    }

    /// The walk's work grows with the terms near the word, not with the dictionary: on a dictionary of
    /// 20,000 random words, a fuzzy expansion reads a small share of the keys, and a query of many broad
    /// expansions hits the scan budget as a typed error instead of running for seconds.
    func testFuzzyWalkReadsFewKeysAndIsBounded() throws {
        var rng = SeededRNG(seed: 13)
        let dir = temporaryDirectory(self)
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        var set = Set<[UInt8]>()
        while set.count < 20_000 {
            let w = String((0..<(Int(rng.next() % 8) + 3)).map { _ in letters[Int(rng.next() % 26)] })
            set.insert([1] + Array(w.utf8))
        }
        let keys = set.sorted { $0.lexicographicallyPrecedes($1) }
        let out = try OutputFile(path: dir + "/b.tdi", kind: .termDictionary)
        let w = TermDictionaryWriter(out: out)
        for (i, k) in keys.enumerated() { try w.add(key: k, info: TermInfo(docFreq: 2, totalTermFreq: 2, docOffset: i, posOffset: i)) }
        try w.finish()
        let dict = try TermDictionaryReader(file: MappedFile(path: dir + "/b.tdi", name: "b.tdi", kind: .termDictionary))
        for word in ["development", "tangier", "zebra", "qqqq"] {
            var budget = Int.max
            _ = try TermExpansion.fuzzyTerms(dict, field: 1, word: word.unicodeScalars.map(\.value), maxEdits: 1, prefixLength: 0, budget: &budget)
            let read = Int.max - budget
            XCTAssertLessThan(read, keys.count / 4, "\(word)~1 read \(read) of \(keys.count) keys")
        }
        var small = 100
        XCTAssertThrowsError(try TermExpansion.fuzzyTerms(dict, field: 1, word: Array("development".unicodeScalars.map(\.value)), maxEdits: 2, prefixLength: 0, budget: &small))
        // Through a search: a tight budget turns a broad wildcard into an error.
        let s = try randomIndex(seed: 41, docs: 200).0
        var o = SearchOptions(); o.maxTermsScanned = 3
        XCTAssertThrowsError(try s.search("*a*", options: o)) { e in
            guard case SearchIndexError.invalidArgument(let m) = e else { return XCTFail("\(e)") }
            XCTAssertTrue(m.contains("maxTermsScanned"), m)
        }
        XCTAssertNoThrow(try s.search("*a*"))
    }

    func testEditDistanceGoldenValues() {
        func d(_ a: String, _ b: String) -> Int {
            TermExpansion.editDistance(a.unicodeScalars.map(\.value), b.unicodeScalars.map(\.value))
        }
        XCTAssertEqual(d("tangier", "tangier"), 0)
        XCTAssertEqual(d("tangir", "tangier"), 1)      // deletion
        XCTAssertEqual(d("tnagier", "tangier"), 1)     // transposition counts once
        XCTAssertEqual(d("kitten", "sitting"), 3)
        XCTAssertEqual(d("ca", "abc"), 3)              // optimal string alignment (true Damerau would say 2)
        XCTAssertEqual(d("é", "e"), 1)                 // one scalar, two bytes: one edit
        XCTAssertEqual(d("", "abc"), 3)
        XCTAssertEqual(TermExpansion.autoEdits(2), 0)
        XCTAssertEqual(TermExpansion.autoEdits(3), 1)
        XCTAssertEqual(TermExpansion.autoEdits(5), 1)
        XCTAssertEqual(TermExpansion.autoEdits(6), 2)
    }

    func testWildcardExpansionEqualsRegexScan() throws {
        var rng = SeededRNG(seed: 12)
        let (dict, keys) = try randomDictionary(&rng, count: 2000)
        let alphabet: [Character] = ["a", "b", "c", "d", "e", "é", "ß"]
        var nonEmpty = 0
        for trial in 0..<300 {
            var elements: [TermExpansion.PatternElement] = []
            var regex = "^"
            for _ in 0..<(Int(rng.next() % 5) + 1) {
                switch rng.next() % 4 {
                case 0:
                    if elements.last != .anyRun { elements.append(.anyRun); regex += ".*" }
                case 1: elements.append(.any); regex += "."
                default:
                    let c = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                    elements.append(.scalar(c.unicodeScalars.first!.value)); regex += NSRegularExpression.escapedPattern(for: String(c))
                }
            }
            regex += "$"
            let field = UInt8(1 + trial % 2)
            let re = try NSRegularExpression(pattern: regex)
            let expected = keys.filter { key in
                guard key[0] == field else { return false }
                let s = String(decoding: key.dropFirst(), as: UTF8.self)
                return re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
            }
            var budget = Int.max
            let got = try TermExpansion.wildcardTerms(dict, field: field, pattern: elements, budget: &budget).map(\.key)
            XCTAssertEqual(got, expected, "pattern \(regex)")
            if !expected.isEmpty { nonEmpty += 1 }
        }
        XCTAssertGreaterThan(nonEmpty, 100)
    }

    // MARK: - Search oracles over a random index

    /// A searcher over `docs`, indexed with the plain analyzer (folding, no stemming, no stopwords).
    func plainSearcher(_ docs: [Document]) throws -> Searcher {
        let dir = temporaryDirectory(self)
        try buildIndex(dir, docs, analyzer: plainAnalyzer())
        return try Searcher(path: dir)
    }

    /// Random documents over a small vocabulary, in several segments, some deleted; returns the searcher and
    /// each live document's body tokens.
    func randomIndex(seed: UInt64, docs: Int = 400) throws -> (Searcher, [String: [String]]) {
        var rng = SeededRNG(seed: seed)
        let vocab = ["alpha", "beta", "gamma", "delta", "omega", "sigma", "theta", "kappa"]
        let dir = temporaryDirectory(self)
        var config = IndexWriterConfig(); config.mergeFactor = 0
        let w = try IndexWriter(path: dir, analyzer: plainAnalyzer(), config: config)
        var live: [String: [String]] = [:]
        for i in 0..<docs {
            let n = Int(rng.next() % 12) + 1
            let words = (0..<n).map { _ in vocab[Int(rng.next() % UInt64(vocab.count))] }
            var d = Document(id: "d\(i)")
            d.addText("body", words.joined(separator: " "))
            try w.addDocument(d)
            live["d\(i)"] = words
            if i % 97 == 96 { try w.flush() }
        }
        for i in stride(from: 5, to: docs, by: 37) { try w.deleteDocument(id: "d\(i)"); live["d\(i)"] = nil }
        try w.commit(); w.close()
        let s = try Searcher(path: dir)
        XCTAssertGreaterThan(s.manifest.segments.count, 2)
        return (s, live)
    }

    func hitSet(_ s: Searcher, _ q: String) throws -> Set<String> {
        var o = SearchOptions(limit: 10_000); o.countAllHits = true
        let r = try s.search(q, options: o)
        XCTAssertEqual(r.hits.count, r.totalHits, q)
        return Set(r.hits.compactMap { $0.document?.id })
    }

    func testSloppyPhrasesEqualBruteForce() throws {
        let (s, live) = try randomIndex(seed: 21)
        let vocab = ["alpha", "beta", "gamma", "delta", "omega", "sigma", "theta", "kappa"]
        var rng = SeededRNG(seed: 22)
        var nonEmpty = 0
        for _ in 0..<120 {
            let n = Int(rng.next() % 2) + 2
            var terms: [String] = []
            while terms.count < n { let t = vocab[Int(rng.next() % UInt64(vocab.count))]; if !terms.contains(t) { terms.append(t) } }
            let slop = Int(rng.next() % 5)
            // A match: one position per term (distinct terms, so distinct positions) whose values
            // position - offset span at most `slop`.
            let expected = Set(live.filter { _, words in
                let pos = terms.map { t in words.indices.filter { words[$0] == t } }
                if pos.contains(where: \.isEmpty) { return false }
                func search(_ i: Int, _ lo: Int, _ hi: Int) -> Bool {
                    if i == terms.count { return hi - lo <= slop }
                    for p in pos[i] {
                        let v = p - i
                        if search(i + 1, min(lo, v), max(hi, v)) { return true }
                    }
                    return false
                }
                return search(0, Int.max, Int.min)
            }.keys)
            let q = "\"\(terms.joined(separator: " "))\"~\(slop)"
            XCTAssertEqual(try hitSet(s, q), expected, q)
            if slop == 0 { XCTAssertEqual(try hitSet(s, "\"\(terms.joined(separator: " "))\""), expected) }
            if !expected.isEmpty { nonEmpty += 1 }
        }
        XCTAssertGreaterThan(nonEmpty, 40)
    }

    func testSloppyPhraseScoresAndRepeats() throws {
        let s = try plainSearcher([
            makeDoc("adjacent", title: "", body: "white house"),
            makeDoc("gap", title: "", body: "white big old house"),
            makeDoc("reversed", title: "", body: "house white"),
            makeDoc("one", title: "", body: "white"),
            makeDoc("two", title: "", body: "white x white"),
        ])
        var o = SearchOptions(limit: 10); o.fields = ["body"]
        func set(_ q: String) throws -> Set<String> { Set(ids(try s.search(q, options: o))) }
        XCTAssertEqual(try set("\"white house\"~2"), ["adjacent", "gap", "reversed"])
        XCTAssertEqual(try set("\"white house\"~1"), ["adjacent"])
        XCTAssertEqual(try set("\"house white\"~2"), ["adjacent", "reversed"])   // "gap" needs 4 moves
        // The closer match scores higher: its frequency is 1 / (1 + moves).
        let hits = try s.search("\"white house\"~2", options: o).hits
        XCTAssertEqual(hits.first?.document?.id, "adjacent")
        // A repeated term needs two different positions: "white" alone never matches "white white".
        XCTAssertEqual(try set("\"white white\""), [])
        XCTAssertEqual(try set("\"white white\"~1"), ["two"])
        XCTAssertEqual(try set("\"white white\"~5"), ["two"])
    }

    /// Random boolean queries (AND, OR, NOT, +, -, groups, pure-negative groups) equal set algebra over
    /// the documents' words.
    func testBooleanQueriesEqualSetAlgebra() throws {
        let (s, live) = try randomIndex(seed: 31)
        let vocab = ["alpha", "beta", "gamma", "delta", "omega", "sigma", "theta", "kappa"]
        let all = Set(live.keys)
        func docs(_ t: String) -> Set<String> { Set(live.filter { $0.value.contains(t) }.keys) }
        var rng = SeededRNG(seed: 32)
        func gen(_ depth: Int) -> (String, Set<String>) {
            if depth == 0 || rng.next() % 3 == 0 {
                let t = vocab[Int(rng.next() % UInt64(vocab.count))]
                return (t, docs(t))
            }
            let (a, sa) = gen(depth - 1), (b, sb) = gen(depth - 1)
            switch rng.next() % 5 {
            case 0: return ("(\(a) AND \(b))", sa.intersection(sb))
            case 1: return ("(\(a) OR \(b))", sa.union(sb))
            case 2: return ("(\(a) -\(b))", sa.subtracting(sb))
            case 3: return ("(+\(a) +\(b))", sa.intersection(sb))
            default: return ("(NOT \(b))", all.subtracting(sb))
            }
        }
        for _ in 0..<150 {
            let (q, expected) = gen(3)
            XCTAssertEqual(try hitSet(s, q), expected, q)
        }
    }

    func testFuzzyAndWildcardSearch() throws {
        let s = try plainSearcher([
            makeDoc("t1", title: "Tangier arrest", body: "Police in Tangier"),
            makeDoc("t2", title: "Tanger port", body: "ships"),
            makeDoc("t3", title: "Tangent", body: "geometry"),
            makeDoc("t4", title: "Text test", body: "tent tint"),
        ])
        XCTAssertEqual(try hitSet(s, "tangir~1"), ["t1", "t2"])          // tangier: insert e; tanger: i → e
        XCTAssertEqual(try hitSet(s, "tangiers~1"), ["t1"])
        XCTAssertEqual(try hitSet(s, "tangiers~2"), ["t1", "t2"])
        XCTAssertEqual(try hitSet(s, "tangir~"), ["t1", "t2"], "AUTO: 2 edits from 6 characters")
        XCTAssertEqual(try hitSet(s, "tangier~0"), ["t1"])
        XCTAssertEqual(try hitSet(s, "tnagier~1"), ["t1"], "a transposition is one edit")
        // The exact term outranks a fuzzy match of the same word.
        XCTAssertEqual(ids(try s.search("tangier~2")).first, "t1")
        XCTAssertEqual(try hitSet(s, "te*t"), ["t4"])
        XCTAssertEqual(try hitSet(s, "t?nt"), ["t4"])
        XCTAssertEqual(try hitSet(s, "*ngier"), ["t1"], "leading wildcard")
        XCTAssertEqual(try hitSet(s, "t*g*r"), ["t1", "t2"])
        XCTAssertEqual(try hitSet(s, "title:tang*"), ["t1", "t2", "t3"])
        XCTAssertEqual(try hitSet(s, "body:tang*"), ["t1"])
        // Typo tolerance turns plain words fuzzy.
        var o = SearchOptions(limit: 10)
        XCTAssertEqual(try s.search("tangir", options: o).totalHits, 0)
        o.typoTolerance = true
        XCTAssertEqual(Set(ids(try s.search("tangir", options: o))), ["t1", "t2"])
        XCTAssertEqual(ids(try s.search("tangier", options: o)).first, "t1")
    }

    func testBoosts() throws {
        let s = try plainSearcher([makeDoc("a", title: "", body: "apple"), makeDoc("b", title: "", body: "banana")])
        let plain = try s.search("apple banana").hits
        XCTAssertEqual(plain.count, 2)
        let boosted = try s.search("apple banana^3").hits
        XCTAssertEqual(boosted.first?.document?.id, "b")
        let sa = try XCTUnwrap(plain.first { $0.document?.id == "b" }?.score)
        let sb = try XCTUnwrap(boosted.first { $0.document?.id == "b" }?.score)
        XCTAssertEqual(sb, 3 * sa, accuracy: 1e-5)
        let g = try XCTUnwrap(try s.search("(apple banana)^0.5").hits.first { $0.document?.id == "a" }?.score)
        let a = try XCTUnwrap(plain.first { $0.document?.id == "a" }?.score)
        XCTAssertEqual(g, 0.5 * a, accuracy: 1e-5)
        XCTAssertEqual(try s.search("\"apple\"^2").hits.first?.score ?? 0, 2 * a, accuracy: 1e-5)
    }

    // MARK: - Highlighting

    func testHighlightsFollowPhrasesFieldsAndExpansions() throws {
        let s = try plainSearcher([
            makeDoc("w", title: "grain report", body: "The house was white. Later the white house said grain prices rose."),
            makeDoc("t", title: "Tangier", body: "Tangier and Tanger are spelled differently."),
        ])
        func marked(_ q: String, _ id: String, field: String = "body") throws -> [String] {
            let r = try s.search(q)
            let hit = try XCTUnwrap(r.hits.first { $0.document?.id == id }, q)
            let snip = try XCTUnwrap(s.snippet(for: hit, field: field, in: r))
            return snip.fragments.filter(\.isMatch).map { $0.text.lowercased() }
        }
        // Only the true phrase occurrence: "white house", not "house was white".
        XCTAssertEqual(try marked("\"white house\"", "w"), ["white", "house"])
        // A term searched in the title is not highlighted in the body.
        XCTAssertEqual(try marked("title:grain", "w"), [])
        XCTAssertEqual(try marked("title:grain", "w", field: "title"), ["grain"])
        XCTAssertEqual(try marked("grain", "w"), ["grain"])
        // Excluded terms are not highlighted; fuzzy and wildcard expansions are.
        XCTAssertEqual(try marked("grain -tangier", "w"), ["grain"])
        XCTAssertEqual(try marked("tangir~2", "t"), ["tangier", "tanger"])
        XCTAssertEqual(try marked("tang*r", "t"), ["tangier", "tanger"])
        // A sloppy phrase highlights the words of its matches only.
        XCTAssertEqual(try marked("\"house white\"~2", "w"), ["house", "white", "white", "house"])
    }

    /// "Did you mean": only when fewer documents than the threshold match (with a pruned, lower-bound count
    /// it must also be below the page size, so that it is the true count); the closest term wins, then the
    /// most frequent.
    func testSuggestions() throws {
        var docs = [makeDoc("rare", title: "", body: "tangier police")]
        for i in 0..<30 { docs.append(makeDoc("d\(i)", title: "", body: "tanger police report \(i)")) }
        let s = try plainSearcher(docs)
        var o = SearchOptions(limit: 1); o.suggestBelow = 3
        let many = try s.search("tangier police", options: o)
        XCTAssertTrue(many.totalHits >= 3 || (!many.totalHitsIsExact && many.totalHits >= 1))
        XCTAssertNil(many.suggestion)
        o.countAllHits = true
        XCTAssertEqual(try s.search("tangier police", options: o).totalHits, 31)
        XCTAssertNil(try s.search("tangier police", options: o).suggestion)
        // Nothing matches: the closest term (one edit) wins over a more frequent one two edits away.
        XCTAssertEqual(try s.search("tangierr", options: o).suggestion, "tangier")
        // The rare word (1 document) is 30 times rarer than its neighbour: with one match, it is corrected.
        XCTAssertEqual(try s.search("+tangier +police", options: o).suggestion, "+tanger +police")
        o.suggestBelow = 0
        XCTAssertNil(try s.search("tangierr", options: o).suggestion, "0 never suggests")
    }

    // MARK: - Parser table

    func testParserOperators() throws {
        typealias C = Query.Clause
        let cases: [(String, Query)] = [
            ("tangir~", .fuzzy(field: nil, text: "tangir", maxEdits: nil)),
            ("tangir~1", .fuzzy(field: nil, text: "tangir", maxEdits: 1)),
            ("title:tangir~2", .fuzzy(field: "title", text: "tangir", maxEdits: 2)),
            ("\"a b\"~3", .sloppyPhrase(field: nil, text: "a b", slop: 3)),
            ("\"a b\"~0", .phrase(field: nil, text: "a b")),
            ("te*t", .wildcard(field: nil, pattern: "te*t")),
            ("te?t", .wildcard(field: nil, pattern: "te?t")),
            ("*ing", .wildcard(field: nil, pattern: "*ing")),
            ("te\\*t", .term(field: nil, text: "te*t")),
            ("a\\*", .term(field: nil, text: "a*")),
            ("te\\*t*", .prefix(field: nil, text: "te*t")),
            ("te\\*t?", .wildcard(field: nil, pattern: "te\\*t?")),
            ("arr*", .prefix(field: nil, text: "arr")),
            ("x^2", .boosted(.term(field: nil, text: "x"), boost: 2)),
            ("\"a b\"^3", .boosted(.phrase(field: nil, text: "a b"), boost: 3)),
            ("\"a b\"~2^3", .boosted(.sloppyPhrase(field: nil, text: "a b", slop: 2), boost: 3)),
            ("(a b)^0.5", .boosted(.boolean([C(.should, .term(field: nil, text: "a")), C(.should, .term(field: nil, text: "b"))]), boost: 0.5)),
            ("tangir~1^2", .boosted(.fuzzy(field: nil, text: "tangir", maxEdits: 1), boost: 2)),
            ("a\\[b", .term(field: nil, text: "a[b")),
            ("date:[2017 TO 2018]", .range(field: "date", lower: "2017", upper: "2018", includeLower: true, includeUpper: true)),
            ("date:{2017-01-01 TO *]", .range(field: "date", lower: "2017-01-01", upper: nil, includeLower: false, includeUpper: true)),
            ("price:[* TO 10}^2", .boosted(.range(field: "price", lower: nil, upper: "10", includeLower: true, includeUpper: false), boost: 2)),
            ("t:[\"2017-01-01 10:00\" TO \"b c\"]", .range(field: "t", lower: "2017-01-01 10:00", upper: "b c", includeLower: true, includeUpper: true)),
            ("price:>=-2.5", .range(field: "price", lower: "-2.5", upper: nil, includeLower: true, includeUpper: false)),
            ("price:>3", .range(field: "price", lower: "3", upper: nil, includeLower: false, includeUpper: false)),
            ("price:<=3", .range(field: "price", lower: nil, upper: "3", includeLower: false, includeUpper: true)),
            ("price:<3", .range(field: "price", lower: nil, upper: "3", includeLower: false, includeUpper: false)),
            ("*:*", .matchAll),
            ("a -*:*", .boolean([C(.should, .term(field: nil, text: "a")), C(.mustNot, .matchAll)])),
            ("a AND (NOT b)", .boolean([C(.must, .term(field: nil, text: "a")), C(.must, .boolean([C(.mustNot, .term(field: nil, text: "b"))]))])),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(try Query.parse(text), expected, text)
        }
    }

    func testUnsupportedSyntaxIsAnErrorWithItsPosition() {
        let cases: [(String, Int, String)] = [
            ("[a TO b]", 0, "range"),
            ("date:[2017 TO 2018", 5, "unterminated range"),
            ("date:[2017 2018]", 11, "expected 'TO'"),
            ("date:[* TO [x]]", 11, "unexpected '['"),
            ("price:>", 6, "needs a value"),
            ("price:> 3", 6, "needs a value"),
            ("price:>*", 6, "not a value"),
            ("<3", 0, "needs a field"),
            ("a {b", 2, "range"),
            ("x~3", 1, "at most 2"),
            ("x~0.8", 3, "fraction"),
            ("\"a b\"~", 5, "slop"),
            ("\"a b\"~99", 5, "more than"),
            ("x^", 1, "positive number"),
            ("x^0", 1, "positive number"),
            ("x^-1", 1, "positive number"),
            ("(a b)~2", 5, "not to a group"),
            ("te*t~1", 4, "cannot follow"),
            ("a~1~1", 3, "unexpected"),
            ("a^2^2", 3, "unexpected"),
            ("*?", 0, "at least one character"),
            ("a\\", 1, "escapes nothing"),
            ("a**b", 1, "one '*'"),
        ]
        for (text, position, fragment) in cases {
            guard let e = expectSearchIndexError({ try Query.parse(text) }, text),
                  case let .querySyntax(query, at, message) = e else { XCTFail("\(text): expected querySyntax"); continue }
            XCTAssertEqual(query, text)
            XCTAssertEqual(at, position, "\(text): \(message)")
            XCTAssertTrue(message.contains(fragment), "\(text): \(message)")
        }
    }
}
