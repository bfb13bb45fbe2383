import Foundation
import XCTest
@testable import SearchEval

final class BEIRReaderTests: XCTestCase {
    private func makeBEIR(_ tmp: TempFolder, corpus: String? = nil, queries: String? = nil, test: String? = nil) throws -> URL {
        let folder = "mini"
        try tmp.write("\(folder)/corpus.jsonl", corpus ?? """
            {"_id": "d1", "title": "Alpha", "text": "first doc"}
            {"_id": 2, "title": null, "text": "second doc", "metadata": {}}

            {"_id": "d3", "text": "no title"}
            """)
        try tmp.write("\(folder)/queries.jsonl", queries ?? """
            {"_id": "q1", "text": "alpha?", "metadata": {}}
            {"_id": "q2", "text": "train only"}
            {"_id": "q3", "text": "beta?"}
            """)
        try tmp.write("\(folder)/qrels/test.tsv", test ?? "query-id\tcorpus-id\tscore\nq3\td3\t1\nq1\td1\t2\nq1\t2\t0\n")
        try tmp.write("\(folder)/qrels/train.tsv", "query-id\tcorpus-id\tscore\nq2\td1\t1\n")
        return tmp.url.appendingPathComponent(folder)
    }

    func testLoadsDocumentsQueriesAndSplit() throws {
        let tmp = try TempFolder()
        let folder = try makeBEIR(tmp)
        let c = try TestCollection.loadBEIR(folder: folder)
        XCTAssertEqual(c.name, "mini")
        XCTAssertEqual(c.documents, [EvalDocument(id: "d1", title: "Alpha", text: "first doc"),
                                     EvalDocument(id: "2", title: "", text: "second doc"),
                                     EvalDocument(id: "d3", title: "", text: "no title")])
        XCTAssertEqual(c.queries.map(\.id), ["q1", "q3"], "only test-split queries, in file order")
        XCTAssertEqual(c.qrels.judgments, ["q1": ["d1": 2, "2": 0], "q3": ["d3": 1]])

        let train = try TestCollection.loadBEIR(folder: folder, split: "train")
        XCTAssertEqual(train.queries, [EvalQuery(id: "q2", text: "train only")])

        let detected = try TestCollection.load(path: folder, format: nil)
        XCTAssertEqual(detected.documents.count, 3)
        XCTAssertEqual(try TestCollection.detectFormat(folder), .beir)
    }

    func testMalformedJSONLineIsReportedWithLineNumber() throws {
        let tmp = try TempFolder()
        let folder = try makeBEIR(tmp, corpus: "{\"_id\": \"d1\", \"text\": \"ok\"}\n\n{\"_id\": \"d2\", \"text\": \"oops\"\n")
        assertMalformed(line: 3, file: "corpus.jsonl") { try TestCollection.loadBEIR(folder: folder) }
    }

    func testMissingIDAndDuplicateID() throws {
        let tmp = try TempFolder()
        let noID = try makeBEIR(tmp, corpus: "{\"_id\": \"d1\", \"text\": \"ok\"}\n{\"text\": \"no id\"}\n")
        let reason = assertMalformed(line: 2, file: "corpus.jsonl") { try TestCollection.loadBEIR(folder: noID) }
        XCTAssertTrue(reason?.contains("_id") ?? false)

        let tmp2 = try TempFolder()
        let dup = try makeBEIR(tmp2, corpus: "{\"_id\": \"d1\", \"text\": \"a\"}\n{\"_id\": \"d1\", \"text\": \"b\"}\n")
        assertMalformed(line: 2, file: "corpus.jsonl") { try TestCollection.loadBEIR(folder: dup) }
    }

    func testBadQrelsAndUnknownQuery() throws {
        let tmp = try TempFolder()
        let badScore = try makeBEIR(tmp, test: "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\tx\n")
        assertMalformed(line: 3, file: "test.tsv") { try TestCollection.loadBEIR(folder: badScore) }

        let tmp2 = try TempFolder()
        let unknown = try makeBEIR(tmp2, test: "query-id\tcorpus-id\tscore\nq1\td1\t1\nq9\td2\t1\n")
        let reason = assertMalformed(line: 3, file: "test.tsv") { try TestCollection.loadBEIR(folder: unknown) }
        XCTAssertTrue(reason?.contains("q9") ?? false)
    }

    func testMissingSplitIsIOError() throws {
        let tmp = try TempFolder()
        let folder = try makeBEIR(tmp)
        XCTAssertThrowsError(try TestCollection.loadBEIR(folder: folder, split: "dev")) { error in
            guard case let .io(path, _)? = error as? EvalError else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasSuffix("qrels/dev.tsv"))
        }
    }
}

final class TRECReaderTests: XCTestCase {
    static let docs = """
        <DOC>
        <DOCNO> FT911-1 </DOCNO>
        <PROFILE>_AN-BEOA7AAIFT</PROFILE>
        <HEADLINE>
        FT  14 MAY 91 / Markets rally
        </HEADLINE>
        <TEXT>
        Shares rose sharply <P>on Tuesday</P> as a < b.
        </TEXT>
        </DOC>
        <DOC>
        <DOCNO>LA010189-0001</DOCNO>
        <TITLE>Second</TITLE>
        <TEXT>part one</TEXT><GRAPHIC>chart</GRAPHIC>
        <TEXT>part two</TEXT>
        </DOC>
        <DOC>
        <DOCNO>NOTEXT-1</DOCNO>
        <DATE>1991</DATE> plain body
        </DOC>

        """

    static let topics = """
        <top>
        <num> Number: 301
        <title> International Organized Crime

        <desc> Description:
        Identify organizations that participate in international criminal activity.
        <narr> Narrative:
        A relevant document must ...
        </top>

        <top>
        <num> Number: 302 <title> Topic: Poliomyelitis and
        Post-Polio
        <desc> Description: Is the disease ...
        </top>
        """

    func testDocumentsTopicsAndQrels() throws {
        let tmp = try TempFolder()
        let d = try tmp.write("docs/ft.txt", Self.docs)
        let t = try tmp.write("topics.301-302", Self.topics)
        let q = try tmp.write("qrels.301-302", "301 0 FT911-1 1\n302 0 LA010189-0001 0\n")
        let c = try TestCollection.loadTREC(documents: [d], topics: t, qrels: q)
        XCTAssertEqual(c.documents.count, 3)
        XCTAssertEqual(c.documents[0], EvalDocument(id: "FT911-1", title: "FT 14 MAY 91 / Markets rally",
                                                    text: "Shares rose sharply on Tuesday as a < b."))
        XCTAssertEqual(c.documents[1], EvalDocument(id: "LA010189-0001", title: "Second", text: "part one part two"))
        XCTAssertEqual(c.documents[2].text, "1991 plain body", "no <TEXT>: everything but DOCNO/title")
        XCTAssertEqual(c.queries, [EvalQuery(id: "301", text: "International Organized Crime"),
                                   EvalQuery(id: "302", text: "Poliomyelitis and Post-Polio")])
        XCTAssertEqual(c.qrels.judgments["301"], ["FT911-1": 1])

        let detected = try TestCollection.load(path: tmp.url)
        XCTAssertEqual(detected.documents.map(\.id), ["FT911-1", "LA010189-0001", "NOTEXT-1"])
        XCTAssertEqual(detected.queries.count, 2)
    }

    func testXMLTopics() throws {
        let tmp = try TempFolder()
        let t = try tmp.write("topics.xml", """
            <topic number="51" type="faceted">
              <query>horse hooves</query>
              <description>Find information about horse hooves.</description>
            </topic>
            """)
        XCTAssertEqual(try TRECReader.readTopics(t), [EvalQuery(id: "51", text: "horse hooves")])
    }

    func testMalformedDocuments() throws {
        let tmp = try TempFolder()
        let noDocno = try tmp.write("a.sgml", "<DOC>\n<DOCNO>X1</DOCNO><TEXT>a</TEXT>\n</DOC>\n\n<DOC>\n<TEXT>b</TEXT>\n</DOC>\n")
        let reason = assertMalformed(line: 5, file: "a.sgml") { try TRECReader.readDocuments(noDocno) { _, _ in } }
        XCTAssertTrue(reason?.contains("DOCNO") ?? false)

        let unterminated = try tmp.write("b.sgml", "<DOC>\n<DOCNO>X1</DOCNO>\n</DOC>\n<DOC>\n<DOCNO>X2</DOCNO>\n")
        assertMalformed(line: 4, file: "b.sgml") { try TRECReader.readDocuments(unterminated) { _, _ in } }

        let nested = try tmp.write("c.sgml", "<DOC>\n<DOCNO>X1</DOCNO>\n<DOC>\n")
        assertMalformed(line: 3, file: "c.sgml") { try TRECReader.readDocuments(nested) { _, _ in } }

        let t = try tmp.write("topics", "<top>\n<num> Number: 1\n<title> ok\n</top>\n")
        let q = try tmp.write("qrels", "1 0 X1 1\n")
        let dup = try tmp.write("d.sgml", "<DOC><DOCNO>X1</DOCNO></DOC>\n\n<DOC><DOCNO>X1</DOCNO></DOC>\n")
        assertMalformed(line: 3, file: "d.sgml") { try TestCollection.loadTREC(documents: [dup], topics: t, qrels: q) }
    }

    func testMalformedTopics() throws {
        let tmp = try TempFolder()
        let noNum = try tmp.write("t1", "<top>\n<num> Number: 1\n<title> ok\n</top>\n<top>\n<title> missing num\n</top>\n")
        assertMalformed(line: 5, file: "t1") { try TRECReader.readTopics(noNum) }
        let noTitle = try tmp.write("t2", "\n<top>\n<num> Number: 7\n<desc> only a description\n</top>\n")
        assertMalformed(line: 2, file: "t2") { try TRECReader.readTopics(noTitle) }
    }
}

final class CranfieldReaderTests: XCTestCase {
    static let docs = """
        .I 1
        .T
        experimental investigation of the aerodynamics of a
        wing in a slipstream .
        .A
        brenckman,m.
        .B
        j. ae. scs. 25, 1958, 324.
        .W
        experimental investigation of the aerodynamics of a
        wing in a slipstream .
        .I 2
        .T
        simple shear flow past a flat plate .
        .A
        ting-yili
        .B
        department of aeronautics .
        .W
        simple shear flow past a flat plate
        .A
        stray marker inside text
        .I 3
        .T
        third
        .A
        .B
        .W
        body three

        """

    static let queries = """
        .I 001
        .W
        what similarity laws must be obeyed when constructing aeroelastic models
        of heated high speed aircraft .
        .I 002
        .W
        what are the structural and aeroelastic problems .
        .I 004
        .W
        what problems of heat conduction .
        """

    func testRecordsAndOrdinalQueryIDs() throws {
        let tmp = try TempFolder()
        try tmp.write("cran/cran.all.1400", Self.docs)
        try tmp.write("cran/cran.qry", Self.queries)
        try tmp.write("cran/cranqrel", "1 2 2 \n1 1 -1\n2 3 1\n3 1 4\n3 2 3\n")
        let folder = tmp.url.appendingPathComponent("cran")
        let c = try TestCollection.load(path: folder)
        XCTAssertEqual(c.name, "cran")
        XCTAssertEqual(c.documents.count, 3)
        XCTAssertEqual(c.documents[0].title, "experimental investigation of the aerodynamics of a wing in a slipstream .")
        XCTAssertEqual(c.documents[0].text, "experimental investigation of the aerodynamics of a wing in a slipstream .")
        XCTAssertEqual(c.documents[1].text, "simple shear flow past a flat plate stray marker inside text")
        XCTAssertEqual(c.documents[2], EvalDocument(id: "3", title: "third", text: "body three"))
        // .I 001, 002, 004 → ids 1, 2, 3 (position in file), as cranqrel numbers them.
        XCTAssertEqual(c.queries.map(\.id), ["1", "2", "3"])
        XCTAssertEqual(c.queries[2].text, "what problems of heat conduction .")
        // gains: grade g in 1...4 → 5 - g; -1 → 0.
        XCTAssertEqual(c.qrels.judgments, ["1": ["2": 3, "1": 0], "2": ["3": 4], "3": ["1": 1, "2": 2]])
        XCTAssertEqual(try TestCollection.detectFormat(folder), .cranfield)
    }

    func testMalformedCranfield() throws {
        let tmp = try TempFolder()
        try tmp.write("c/cran.all.1400", Self.docs)
        try tmp.write("c/cran.qry", Self.queries)
        try tmp.write("c/cranqrel", "1 2 2\n1 1 -1\n2 3 7\n")
        let folder = tmp.url.appendingPathComponent("c")
        let reason = assertMalformed(line: 3, file: "cranqrel") { try TestCollection.loadCranfield(folder: folder) }
        XCTAssertTrue(reason?.contains("7") ?? false)

        try tmp.write("c/cranqrel", "1 2 2\n4 1 1\n")  // only 3 queries
        assertMalformed(line: 2, file: "cranqrel") { try TestCollection.loadCranfield(folder: folder) }

        try tmp.write("c/cranqrel", "1 2\n")
        assertMalformed(line: 1, file: "cranqrel") { try TestCollection.loadCranfield(folder: folder) }

        try tmp.write("c/cranqrel", "1 2 2\n")
        try tmp.write("c/cran.all.1400", ".I 1\n.W\ntext\n.I\n.W\nmore\n")
        assertMalformed(line: 4, file: "cran.all.1400") { try TestCollection.loadCranfield(folder: folder) }

        try tmp.write("c/cran.all.1400", "garbage before\n.I 1\n.W\ntext\n")
        assertMalformed(line: 1, file: "cran.all.1400") { try TestCollection.loadCranfield(folder: folder) }

        try tmp.write("c/cran.all.1400", ".I 1\n.W\ntext\n.I 1\n.W\nagain\n")
        assertMalformed(line: 4, file: "cran.all.1400") { try TestCollection.loadCranfield(folder: folder) }
    }

    func testUnknownFormat() throws {
        let tmp = try TempFolder()
        try tmp.write("x/readme.txt", "nothing")
        let folder = tmp.url.appendingPathComponent("x")
        XCTAssertThrowsError(try TestCollection.load(path: folder)) { error in
            guard case .unrecognizedFormat? = error as? EvalError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try TestCollection.load(path: folder, format: "msmarco")) { error in
            guard case .unrecognizedFormat? = error as? EvalError else { return XCTFail("\(error)") }
        }
    }
}
