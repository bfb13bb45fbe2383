import Foundation
import XCTest
@testable import SearchIndex

final class EndToEndTests: XCTestCase {
    let docs = [
        makeDoc("a", title: "Morocco boasts success fighting terrorism", body: "Police in Tangier arrested a suspect linked to a terror cell. The arrest came after months of surveillance."),
        makeDoc("b", title: "Cocoa prices rise", body: "Showers continued throughout the week in the Bahia cocoa zone."),
        makeDoc("c", title: "Tangier port expands", body: "The port of Tangier handles more containers than ever."),
        makeDoc("d", title: "Arrest warrants issued", body: "Prosecutors issued arrest warrants for three executives."),
    ]

    func testIndexThenSearch() throws {
        let dir = temporaryDirectory(self)
        try buildIndex(dir, docs)
        let s = try Searcher(path: dir)
        XCTAssertEqual(s.documentCount, 4)
        let r = try s.search("Tangier arrest")
        // OR: every document with either word. With the fields scored as one (the default, BM25F), "a" ranks
        // first: both words, "arrest" twice. Scored per field, "d" wins instead: "arrest" in its 3-word title
        // outweighs both words in a's 18-word body, whether the field scores are summed or combined by dis-max.
        XCTAssertEqual(Set(r.hits.map { $0.document?.id ?? "" }), ["a", "c", "d"])
        XCTAssertEqual(r.totalHits, 3)
        XCTAssertEqual(r.hits.first?.document?.id, "a")
        for c in [FieldCombination.max(tieBreaker: 0.1), .sum] {
            var o = SearchOptions(); o.fieldCombination = c
            XCTAssertEqual(try s.search("Tangier arrest", options: o).hits.first?.document?.id, "d", "\(c)")
        }
        // AND: only "a" has both words.
        var and = SearchOptions()
        and.defaultOperator = .and
        let r2 = try s.search("Tangier arrest", options: and)
        XCTAssertEqual(r2.hits.map { $0.document?.id ?? "" }, ["a"])
        XCTAssertEqual(r2.hits.first?.document?["title"], "Morocco boasts success fighting terrorism")
    }
}
