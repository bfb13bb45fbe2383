import Foundation
import XCTest
@testable import SearchIndex

final class AnalyzerTests: XCTestCase {
    let fold = try! StandardAnalyzer(stemmer: nil)
    let noFold = try! StandardAnalyzer(stemmer: nil, foldDiacritics: false)

    /// Tokens of raw bytes straight from the tokenizer, as `term@position`.
    func rawTokens(_ bytes: [UInt8], fold: Bool = true) -> [String] {
        var out: [String] = []
        bytes.withUnsafeBufferPointer { buf in
            Tokenizer.tokenize(buf, fold: fold) { t, p in out.append("\(String(decoding: t, as: UTF8.self))@\(p)") }
        }
        return out
    }

    // MARK: scripts

    func testLatinDiacriticsFoldedOrKept() {
        XCTAssertEqual(fold.terms("Zürich Škoda"), ["zurich", "skoda"])
        XCTAssertEqual(noFold.terms("Zürich Škoda"), ["zürich", "škoda"])
        XCTAssertEqual(fold.terms("naïve café Ångström Øresund Łódź"), ["naive", "cafe", "angstrom", "oresund", "lodz"])
        XCTAssertEqual(noFold.terms("naïve café"), ["naïve", "café"])
    }

    func testCyrillic() {
        XCTAssertEqual(fold.terms("Москва МОСКВА москва"), ["москва", "москва", "москва"])
        XCTAssertEqual(noFold.terms("Москва, Россия"), ["москва", "россия"])
        // й is и + breve under NFD: folding removes the breve, not folding keeps it.
        XCTAssertEqual(fold.terms("Май"), ["маи"])
        XCTAssertEqual(noFold.terms("Май"), ["май"])
    }

    func testGreekAccentsAndFinalSigma() {
        XCTAssertEqual(fold.terms("Αθήνα"), ["αθηνα"])
        XCTAssertEqual(noFold.terms("Αθήνα"), ["αθήνα"])
        // Final sigma (ς) folds to σ so that every spelling of the word is one term.
        XCTAssertEqual(fold.terms("Αθήνας ΑΘΗΝΑΣ ΑΘΉΝΑΣ αθηνασ"), ["αθηνασ", "αθηνασ", "αθηνασ", "αθηνασ"])
        XCTAssertEqual(noFold.terms("Αθήνας ΑΘΉΝΑΣ"), ["αθήνασ", "αθήνασ"])
        XCTAssertFalse(noFold.terms("Αθήνας")[0].contains("ς"))
    }

    func testHanSplitsIntoOneTermPerCharacter() {
        XCTAssertEqual(analyzed(fold, "東京"), ["東@0", "京@1"])
        XCTAssertEqual(analyzed(fold, "Tokyo東京2020"), ["tokyo@0", "東@1", "京@2", "2020@3"])
        XCTAssertEqual(analyzed(fold, "東京 大阪"), ["東@0", "京@1", "大@2", "阪@3"])
        // Kana too; and a Han ideograph outside the BMP (U+20BB7).
        XCTAssertEqual(fold.terms("すし"), ["す", "し"])
        XCTAssertEqual(fold.terms("𠮷野"), ["𠮷", "野"])
    }

    func testHangulWordKeptWhole() {
        XCTAssertEqual(analyzed(fold, "서울특별시 한국어"), ["서울특별시@0", "한국어@1"])
        XCTAssertEqual(noFold.terms("서울특별시"), ["서울특별시"])
    }

    func testNumbersKeptWhole() {
        XCTAssertEqual(fold.terms("5.93 1,000 1,000,000 3.14159"), ["5.93", "1,000", "1,000,000", "3.14159"])
        XCTAssertEqual(fold.terms("rose 5.93 pct to 1,000 tonnes"), ["rose", "5.93", "pct", "to", "1,000", "tonnes"])
        // A '.' or ',' not between two digits separates.
        XCTAssertEqual(fold.terms("end. 5, 6 .7 8. U.S."), ["end", "5", "6", "7", "8", "u", "s"])
        XCTAssertEqual(fold.terms("a.b,c"), ["a", "b", "c"])
    }

    func testPossessivesAndApostrophes() {
        XCTAssertEqual(fold.terms("Reuters's"), ["reuters"])
        XCTAssertEqual(fold.terms("John's JOHN'S"), ["john", "john"])
        XCTAssertEqual(fold.terms("don't DON'T"), ["dont", "dont"])
        // Typographic apostrophe (U+2019) behaves like the ASCII one.
        XCTAssertEqual(fold.terms("John\u{2019}s don\u{2019}t"), ["john", "dont"])
        XCTAssertEqual(fold.terms("Müller's rock'n'roll"), ["muller", "rocknroll"])
        // Apostrophes not between letters separate.
        XCTAssertEqual(fold.terms("students' 'quoted' 90's"), ["students", "quoted", "90", "s"])
    }

    func testCaseFolding() {
        XCTAssertEqual(fold.terms("HELLO Hello hElLo"), ["hello", "hello", "hello"])
        XCTAssertEqual(fold.terms("ÉCOLE École école"), ["ecole", "ecole", "ecole"])
        XCTAssertEqual(noFold.terms("ÉCOLE École école"), ["école", "école", "école"])
        XCTAssertEqual(noFold.terms("ŠKODA ZÜRICH"), ["škoda", "zürich"])
    }

    func testSharpS() {
        XCTAssertEqual(fold.terms("Straße STRASSE strasse"), ["strasse", "strasse", "strasse"])
        XCTAssertEqual(fold.terms("GROẞ"), ["gross"])
        XCTAssertEqual(noFold.terms("Straße"), ["straße"])
    }

    func testCombiningMarks() {
        // Decomposed input (u + U+0308) folds to the same term as the precomposed form.
        let nfd = "Zu\u{0308}rich"
        XCTAssertEqual(Array(fold.terms(nfd)[0].utf8), Array("zurich".utf8))
        XCTAssertEqual(Array(noFold.terms(nfd)[0].utf8), Array("zu\u{0308}rich".utf8))
    }

    // MARK: invalid UTF-8

    func testInvalidUTF8ThroughStringDecoding() {
        let bytes: [UInt8] = [0x61, 0x62, 0xFF, 0x63, 0x64, 0xC3, 0x28, 0x65, 0xED, 0xA0, 0x80, 0x66]
        let s = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(s.unicodeScalars.contains("\u{FFFD}"), "String(decoding:) repairs invalid bytes to U+FFFD")
        XCTAssertEqual(analyzed(fold, s), ["ab@0", "cd@1", "e@2", "f@3"])
    }

    func testInvalidUTF8RawBytesAreSeparators() {
        let a: UInt8 = 0x61, b: UInt8 = 0x62, c: UInt8 = 0x63
        XCTAssertEqual(rawTokens([a, b, 0xFF, c]), ["ab@0", "c@1"])
        // Lead byte of a 2-byte sequence followed by an ASCII letter: the lead is dropped, the letter kept.
        XCTAssertEqual(rawTokens([0x78, 0xC3, 0x41, 0x79]), ["x@0", "ay@1"])
        // Overlong encoding of '/', an encoded surrogate, a scalar above U+10FFFF.
        XCTAssertEqual(rawTokens([a, 0xC0, 0xAF, b]), ["a@0", "b@1"])
        XCTAssertEqual(rawTokens([a, 0xED, 0xA0, 0x80, b]), ["a@0", "b@1"])
        XCTAssertEqual(rawTokens([a, 0xF4, 0x90, 0x80, 0x80, b]), ["a@0", "b@1"])
        // Stray continuation bytes, and a sequence cut off at the end of input.
        XCTAssertEqual(rawTokens([0x80, a, 0xBF, b, 0xBF]), ["a@0", "b@1"])
        XCTAssertEqual(rawTokens([a, b, 0xE2, 0x82]), ["ab@0"])
        XCTAssertEqual(rawTokens([0xF0, 0x9F]), [])
        // Valid ü around an invalid byte.
        XCTAssertEqual(rawTokens([0xC3, 0xBC, 0xFF, 0xC3, 0xBC]), ["u@0", "u@1"])
        XCTAssertEqual(rawTokens([0xC3, 0xBC, 0xFF, 0xC3, 0xBC], fold: false), ["ü@0", "ü@1"])
        // Only invalid bytes: nothing.
        XCTAssertEqual(rawTokens([0xFF, 0xFE, 0xC0, 0x80]), [])
    }

    // MARK: limits and positions

    func testTokensLongerThan255BytesAreDropped() {
        let ok = String(repeating: "a", count: 255)
        let long = String(repeating: "b", count: 256)
        let veryLong = String(repeating: "c", count: 1000)
        XCTAssertEqual(fold.terms("\(ok) x \(long) y \(veryLong) z"), [ok, "x", "y", "z"])
        // The limit counts bytes after folding: 128 × é is 256 bytes, but folds to 128 × e.
        let e128 = String(repeating: "é", count: 128)
        XCTAssertEqual(fold.terms(e128), [String(repeating: "e", count: 128)])
        XCTAssertEqual(noFold.terms(e128), [])
        let e127a = String(repeating: "é", count: 127) + "a"   // 255 bytes unfolded
        XCTAssertEqual(noFold.terms(e127a), [e127a])
    }

    func testPositionsIncrement() {
        XCTAssertEqual(analyzed(fold, "  one two,three\n\tfour... five "), ["one@0", "two@1", "three@2", "four@3", "five@4"])
        XCTAssertEqual(analyzed(fold, ""), [])
        XCTAssertEqual(analyzed(fold, " ,.;!? "), [])
    }

    func testStopwordsKeepTheirPositionGap() throws {
        let a = try StandardAnalyzer(stemmer: nil, stopwords: StandardAnalyzer.englishStopwords)
        XCTAssertEqual(analyzed(a, "The quick fox and the dog"), ["quick@1", "fox@2", "dog@5"])
        XCTAssertEqual(analyzed(a, "the of and"), [])
        // Stopwords are matched after case folding.
        XCTAssertEqual(analyzed(a, "THE Man IN The Moon"), ["man@1", "moon@4"])
    }

    func testStemmingAnalyzer() throws {
        let a = try StandardAnalyzer()   // english stemmer, folding, no stopwords
        XCTAssertEqual(a.terms("Arrested arrests ARRESTING"), ["arrest", "arrest", "arrest"])
        XCTAssertEqual(analyzed(a, "the running dogs"), ["the@0", "run@1", "dog@2"])
    }

    func testNormalizePrefixFoldsWithoutStemming() throws {
        let a = try StandardAnalyzer()
        XCTAssertEqual(a.normalizePrefix("ARRESTS"), Array("arrests".utf8))
        XCTAssertEqual(fold.normalizePrefix("Zür"), Array("zur".utf8))
        XCTAssertEqual(noFold.normalizePrefix("Zür"), Array("zür".utf8))
        XCTAssertEqual(fold.normalizePrefix("  "), [])
    }

    func testIdentityRoundTrip() throws {
        let configs = [
            try StandardAnalyzer(),
            try StandardAnalyzer(stemmer: nil, foldDiacritics: false),
            try StandardAnalyzer(stemmer: "porter", stopwords: StandardAnalyzer.englishStopwords),
            try StandardAnalyzer(stemmer: "french", stopwords: ["le", "la"], foldDiacritics: true),
        ]
        for a in configs {
            let b = try StandardAnalyzer(identity: a.identity)
            XCTAssertEqual(b.identity, a.identity)
            XCTAssertEqual(b.stemmerLanguage, a.stemmerLanguage)
            XCTAssertEqual(b.foldDiacritics, a.foldDiacritics)
            let text = "Le chat's Running in the Zürich garden; la maison"
            XCTAssertEqual(b.terms(text), a.terms(text))
        }
        let e = expectSearchIndexError { try StandardAnalyzer(identity: "mine(v1)") }
        if let e, case .invalidArgument = e {} else { XCTFail("expected invalidArgument, got \(String(describing: e))") }
    }
}
