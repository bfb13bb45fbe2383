import Foundation

extension TestCollection {
    /// Loads the Cranfield collection (`cran.all.1400`, `cran.qry`, `cranqrel`).
    ///
    /// **Documents** (`cran.all.1400`): records start with `.I n`; `.T` is the title, `.A`
    /// the authors, `.B` the bibliographic reference and `.W` the text. The document id is the
    /// `.I` number (leading zeros dropped). Title and text have whitespace collapsed. Authors and
    /// bibliography are not kept. A few records in the distributed file contain stray `.A`/`.B`
    /// markers *after* `.W` (e.g. record 240) or a second `.W` (record 576); once `.W` has been
    /// seen every later marker is dropped and its lines are kept as part of the text.
    ///
    /// **Queries** (`cran.qry`): records `.I n` followed by `.W` text. The `.I` numbers in the
    /// file are *not* 1…225 (they have gaps: 1, 2, 4, 8, …), while `cranqrel` numbers the
    /// queries 1…225 in file order. Query ids are therefore the 1-based ordinal position of the
    /// record in `cran.qry`, not its `.I` number.
    ///
    /// **Qrels** (`cranqrel`): lines `qid docid grade`. Per `cranqrel.readme` (Cleverdon's
    /// scale), grade 1 = complete answer to the question, 2 = high relevance, 3 = useful
    /// background, 4 = minimum interest, 5 = no interest; the file also uses `-1` (no interest /
    /// not relevant). These are converted to graded *gains* where larger is better:
    /// `gain = 5 - grade` for grades 1…4 (so 1→4, 2→3, 3→2, 4→1), and grades `-1` and `5` → 0
    /// (kept as judged non-relevant). With trec_eval's default relevance level 1 every graded
    /// 1…4 judgment therefore counts as relevant for recall/MAP/MRR, while nDCG uses the gains.
    ///
    /// - Parameter folder: The folder holding the three files.
    /// - Throws: ``EvalError`` naming file and line for malformed records, duplicate document
    ///   ids, unknown grades, or qrels referring to a query number outside 1…(number of queries).
    public static func loadCranfield(folder: URL) throws -> TestCollection {
        let docsURL = folder.appendingPathComponent("cran.all.1400")
        let queriesURL = folder.appendingPathComponent("cran.qry")
        let qrelsURL = folder.appendingPathComponent("cranqrel")

        let docRecords = try CranfieldReader.records(docsURL)
        var documents: [EvalDocument] = []
        var seen = Set<String>()
        for record in docRecords {
            guard let n = Int(record.number), n >= 0 else {
                throw EvalError.malformed(path: docsURL.path, line: record.line,
                                          reason: "document number \"\(record.number)\" is not a non-negative integer")
            }
            let id = String(n)
            guard seen.insert(id).inserted else {
                throw EvalError.malformed(path: docsURL.path, line: record.line, reason: "duplicate document .I \(id)")
            }
            documents.append(EvalDocument(id: id, title: record.title, text: record.text))
        }

        let queryRecords = try CranfieldReader.records(queriesURL)
        var queries: [EvalQuery] = []
        for (ordinal, record) in queryRecords.enumerated() {
            guard !record.text.isEmpty else {
                throw EvalError.malformed(path: queriesURL.path, line: record.line, reason: "query without .W text")
            }
            queries.append(EvalQuery(id: String(ordinal + 1), text: record.text))
        }

        let qrels = try Qrels.loadCranfield(qrelsURL, queryCount: queries.count)
        return TestCollection(name: folder.lastPathComponent, documents: documents, queries: queries, qrels: qrels)
    }
}

extension Qrels {
    /// Reads Cranfield's `cranqrel` (`qid docid grade`) converting grades to gains.
    ///
    /// Grades 1…4 become gains `5 - grade`; grades `-1` and `5` become `0`. See
    /// ``TestCollection/loadCranfield(folder:)`` for the rationale.
    ///
    /// - Parameters:
    ///   - url: The qrels file.
    ///   - queryCount: When given, query numbers must lie in `1...queryCount`.
    /// - Throws: ``EvalError/malformed(path:line:reason:)`` for lines without three integer
    ///   fields, unknown grades or out-of-range query numbers.
    public static func loadCranfield(_ url: URL, queryCount: Int? = nil) throws -> Qrels {
        let lines = TextInput.lines(try TextInput.readString(url))
        var judgments: [String: [String: Int]] = [:]
        for (index, line) in lines.enumerated() {
            let lineNo = index + 1
            if TextInput.isBlank(line) { continue }
            let fields = TextInput.fields(line)
            guard fields.count == 3, let qid = Int(fields[0]), let docid = Int(fields[1]), let grade = Int(fields[2]) else {
                throw EvalError.malformed(path: url.path, line: lineNo, reason: "expected three integers (qid docid grade)")
            }
            if let count = queryCount, qid < 1 || qid > count {
                throw EvalError.malformed(path: url.path, line: lineNo,
                                          reason: "query \(qid) is outside 1...\(count) (queries are numbered by position in cran.qry)")
            }
            let gain: Int
            switch grade {
            case 1...4: gain = 5 - grade
            case -1, 5: gain = 0
            default:
                throw EvalError.malformed(path: url.path, line: lineNo, reason: "unknown relevance grade \(grade) (expected 1...4, 5 or -1)")
            }
            judgments[String(qid), default: [:]][String(docid)] = gain
        }
        return Qrels(judgments: judgments)
    }
}

/// Internal reader for the Cranfield `.I/.T/.A/.B/.W` record format.
enum CranfieldReader {
    struct Record {
        var number: String
        var line: Int
        var title: String
        var text: String
    }

    private enum Field { case none, title, authors, bibliography, text }

    static func records(_ url: URL) throws -> [Record] {
        let lines = TextInput.lines(try TextInput.readString(url))
        var records: [Record] = []
        var current: (number: String, line: Int)?
        var field = Field.none
        var sawText = false
        var title: [Substring] = []
        var text: [Substring] = []

        func finish() {
            if let c = current {
                records.append(Record(number: c.number, line: c.line,
                                      title: TextInput.collapseWhitespace(title.joined(separator: " ")),
                                      text: TextInput.collapseWhitespace(text.joined(separator: " "))))
            }
        }

        for (index, rawLine) in lines.enumerated() {
            let lineNo = index + 1
            var line = rawLine
            while let last = line.last, last.isWhitespace { line = line.dropLast() }
            if line == ".I" || line.hasPrefix(".I ") || line.hasPrefix(".I\t") {
                finish()
                let number = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
                guard !number.isEmpty else {
                    throw EvalError.malformed(path: url.path, line: lineNo, reason: ".I without a record number")
                }
                current = (number, lineNo)
                field = .none
                sawText = false
                title = []
                text = []
                continue
            }
            let marker: Field?
            switch line {
            case ".T": marker = .title
            case ".A": marker = .authors
            case ".B": marker = .bibliography
            case ".W": marker = .text
            default: marker = nil
            }
            guard current != nil else {
                if marker != nil || !TextInput.isBlank(line) {
                    throw EvalError.malformed(path: url.path, line: lineNo, reason: "content before the first .I record")
                }
                continue
            }
            if let m = marker {
                if sawText { continue }  // stray marker inside the text: keep reading text
                field = m
                if m == .text { sawText = true }
                continue
            }
            switch field {
            case .title: title.append(line)
            case .text: text.append(line)
            case .authors, .bibliography: break
            case .none:
                if !TextInput.isBlank(line) {
                    throw EvalError.malformed(path: url.path, line: lineNo, reason: "text after .I before any .T/.A/.B/.W marker")
                }
            }
        }
        finish()
        return records
    }
}
