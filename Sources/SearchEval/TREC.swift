import Foundation

extension TestCollection {
    /// Loads a classic TREC ad hoc collection from SGML-ish document files, a topics file and a qrels file.
    ///
    /// - Documents: `<DOC> <DOCNO>id</DOCNO> … <TEXT>…</TEXT> </DOC>`. The title is taken from
    ///   `<HEADLINE>` or `<TITLE>`; the text from all `<TEXT>` sections (or, if a document has none,
    ///   from everything inside `<DOC>` except the DOCNO and title). Other tags are replaced by
    ///   spaces and whitespace is collapsed; character entities are kept verbatim.
    /// - Topics: `<top> <num> Number: 301 <title> text … </top>`. A `Number:` prefix on `<num>`
    ///   and a `Topic:` prefix on `<title>` are removed; a field without closing tag runs until
    ///   the next tag. XML-style `<topic number="1"><query>text</query></topic>` is accepted too.
    ///   The query text is the title.
    /// - Qrels: lines `qid iteration docid relevance` (see ``Qrels/loadTREC(_:)``).
    ///
    /// - Parameters:
    ///   - documents: The document files, read in the given order.
    ///   - topics: The topics file.
    ///   - qrels: The qrels file.
    ///   - name: The collection name; defaults to the topics file name without extension.
    /// - Throws: ``EvalError`` naming file and line for a `<DOC>` without `<DOCNO>`, nested or
    ///   unterminated `<DOC>`, duplicate DOCNOs, topics without number or title, bad qrels lines.
    public static func loadTREC(documents: [URL], topics: URL, qrels: URL, name: String? = nil) throws -> TestCollection {
        var docs: [EvalDocument] = []
        var seen: [String: String] = [:]  // docno -> file of first occurrence
        for url in documents {
            try TRECReader.readDocuments(url) { doc, line in
                if let earlier = seen[doc.id] {
                    throw EvalError.malformed(path: url.path, line: line,
                                              reason: "duplicate DOCNO \"\(doc.id)\" (first seen in \(earlier))")
                }
                seen[doc.id] = url.lastPathComponent
                docs.append(doc)
            }
        }
        let queries = try TRECReader.readTopics(topics)
        let judgments = try Qrels.loadTREC(qrels)
        return TestCollection(name: name ?? topics.deletingPathExtension().lastPathComponent,
                              documents: docs, queries: queries, qrels: judgments)
    }
}

extension Qrels {
    /// Reads a TREC qrels file: whitespace-separated lines `qid iteration docid relevance`.
    ///
    /// The iteration column is ignored; blank lines are skipped; a repeated (query, document)
    /// pair keeps the last value.
    ///
    /// - Throws: ``EvalError/malformed(path:line:reason:)`` for a line without exactly four
    ///   fields or with a non-integer relevance.
    public static func loadTREC(_ url: URL) throws -> Qrels {
        let lines = TextInput.lines(try TextInput.readString(url))
        var judgments: [String: [String: Int]] = [:]
        for (index, line) in lines.enumerated() {
            if TextInput.isBlank(line) { continue }
            let fields = TextInput.fields(line)
            guard fields.count == 4 else {
                throw EvalError.malformed(path: url.path, line: index + 1,
                                          reason: "expected 4 fields (qid iter docid rel), found \(fields.count)")
            }
            guard let rel = TextInput.integer(fields[3]) else {
                throw EvalError.malformed(path: url.path, line: index + 1,
                                          reason: "relevance \"\(fields[3])\" is not an integer")
            }
            judgments[String(fields[0]), default: [:]][String(fields[2])] = rel
        }
        return Qrels(judgments: judgments)
    }
}

/// Internal SGML-style reading of TREC documents and topics.
enum TRECReader {
    /// Parses every `<DOC>` of a file, calling `body` with the document and the line of its `<DOC>` tag.
    static func readDocuments(_ url: URL, _ body: (EvalDocument, Int) throws -> Void) throws {
        var scanner = TagScanner(bytes: [UInt8](try TextInput.readData(url)))
        let path = url.path

        var docLine = 0
        var inDoc = false
        var stack: [String] = []
        var docno: [UInt8] = [], title: [UInt8] = [], text: [UInt8] = [], other: [UInt8] = []
        var sawText = false

        func append(_ bytes: ArraySlice<UInt8>) {
            switch stack.last {
            case "DOCNO"?: docno += bytes
            case "TEXT"?: text += bytes
            case "HEADLINE"?, "TITLE"?: title += bytes
            default: other += bytes
            }
        }

        while let event = scanner.next() {
            switch event {
            case let .tag(tag):
                if tag.name == "DOC" {
                    if !tag.closing {
                        if inDoc {
                            throw EvalError.malformed(path: path, line: tag.line,
                                                      reason: "<DOC> inside the <DOC> opened at line \(docLine)")
                        }
                        inDoc = true
                        docLine = tag.line
                        stack = []
                        docno = []; title = []; text = []; other = []
                        sawText = false
                    } else {
                        guard inDoc else {
                            throw EvalError.malformed(path: path, line: tag.line, reason: "</DOC> without <DOC>")
                        }
                        inDoc = false
                        let id = TextInput.collapseWhitespace(TextInput.decode(docno))
                        guard !id.isEmpty else {
                            throw EvalError.malformed(path: path, line: docLine, reason: "<DOC> without a <DOCNO>")
                        }
                        let content = sawText ? text : other
                        try body(EvalDocument(id: id,
                                              title: TextInput.collapseWhitespace(TextInput.decode(title)),
                                              text: TextInput.collapseWhitespace(TextInput.decode(content))),
                                 docLine)
                    }
                } else if inDoc {
                    switch tag.name {
                    case "DOCNO", "TEXT", "HEADLINE", "TITLE":
                        if tag.closing {
                            if let i = stack.lastIndex(of: tag.name) { stack.removeSubrange(i...) }
                        } else {
                            stack.append(tag.name)
                            if tag.name == "TEXT" { sawText = true }
                        }
                        append([0x20])
                    default:
                        append([0x20])  // unknown markup separates words
                    }
                }
            case let .text(range):
                if inDoc { append(scanner.bytes[range]) }
            }
        }
        if inDoc {
            throw EvalError.malformed(path: path, line: docLine, reason: "<DOC> is never closed (missing </DOC>)")
        }
    }

    /// Parses every `<top>` (or `<topic>`) of a topics file.
    static func readTopics(_ url: URL) throws -> [EvalQuery] {
        var scanner = TagScanner(bytes: [UInt8](try TextInput.readData(url)))
        let path = url.path
        var queries: [EvalQuery] = []
        var seen = Set<String>()

        var inTop = false
        var topLine = 0
        var topTag = ""
        var attributeNumber: String?
        var section: String?
        var sections: [String: [UInt8]] = [:]

        while let event = scanner.next() {
            switch event {
            case let .tag(tag):
                if tag.name == "TOP" || tag.name == "TOPIC" {
                    if !tag.closing {
                        if inTop {
                            throw EvalError.malformed(path: path, line: tag.line,
                                                      reason: "<\(tag.name.lowercased())> inside the topic opened at line \(topLine)")
                        }
                        inTop = true
                        topLine = tag.line
                        topTag = tag.name
                        attributeNumber = tag.attribute("number")
                        section = nil
                        sections = [:]
                    } else if inTop && tag.name == topTag {
                        inTop = false
                        var number = TextInput.collapseWhitespace(TextInput.decode(sections["NUM"] ?? []))
                        number = dropPrefix(number, "Number:")
                        if number.isEmpty, let attr = attributeNumber { number = attr.trimmingCharacters(in: .whitespaces) }
                        guard !number.isEmpty else {
                            throw EvalError.malformed(path: path, line: topLine, reason: "topic without a <num>")
                        }
                        var title = TextInput.collapseWhitespace(
                            TextInput.decode(sections["TITLE"] ?? sections["QUERY"] ?? []))
                        title = dropPrefix(title, "Topic:")
                        guard !title.isEmpty else {
                            throw EvalError.malformed(path: path, line: topLine, reason: "topic \(number) has an empty <title>")
                        }
                        guard seen.insert(number).inserted else {
                            throw EvalError.malformed(path: path, line: topLine, reason: "duplicate topic number \(number)")
                        }
                        queries.append(EvalQuery(id: number, text: title))
                    } else if !inTop {
                        throw EvalError.malformed(path: path, line: tag.line, reason: "</\(tag.name.lowercased())> without opening tag")
                    }
                } else if inTop {
                    if tag.closing {
                        if section == tag.name { section = nil }
                    } else {
                        section = tag.name
                        if sections[tag.name] == nil { sections[tag.name] = [] } else { sections[tag.name]?.append(0x20) }
                    }
                }
            case let .text(range):
                if inTop, let name = section { sections[name]?.append(contentsOf: scanner.bytes[range]) }
            }
        }
        if inTop {
            throw EvalError.malformed(path: path, line: topLine, reason: "topic is never closed")
        }
        return queries
    }

    /// Removes a case-insensitive prefix such as `Number:` and trims whitespace.
    static func dropPrefix(_ s: String, _ prefix: String) -> String {
        guard s.lowercased().hasPrefix(prefix.lowercased()) else { return s }
        return String(s.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
    }
}

/// A minimal tag tokenizer over raw bytes that tracks line numbers.
///
/// A tag is `<name …>` or `</name>` on one line, with `name` starting with a letter; any other
/// `<` is ordinary text (so `a < b` in document bodies is harmless).
struct TagScanner {
    /// One markup tag.
    struct Tag {
        /// Upper-cased tag name.
        var name: String
        var closing: Bool
        /// Raw text after the name (attributes), if any.
        var rest: String
        /// 1-based line of the `<`.
        var line: Int

        /// The value of `key="value"` (or `key=value`) among the attributes.
        func attribute(_ key: String) -> String? {
            let lower = rest.lowercased()
            guard let keyRange = lower.range(of: key.lowercased() + "=") else { return nil }
            let offset = lower.distance(from: lower.startIndex, to: keyRange.upperBound)
            var value = Substring(rest.dropFirst(offset))
            if let quote = value.first, quote == "\"" || quote == "'" {
                value = value.dropFirst()
                return String(value.prefix(while: { $0 != quote }))
            }
            return String(value.prefix(while: { !$0.isWhitespace && $0 != "/" && $0 != ">" }))
        }
    }

    enum Event {
        case tag(Tag)
        case text(Range<Int>)
    }

    let bytes: [UInt8]
    private(set) var position = 0
    private(set) var line = 1

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func next() -> Event? {
        guard position < bytes.count else { return nil }
        if bytes[position] == UInt8(ascii: "<"), let (tag, end) = parseTag(at: position) {
            position = end
            return .tag(tag)
        }
        let start = position
        var p = position + 1
        while p < bytes.count {
            if bytes[p] == UInt8(ascii: "<"), parseTag(at: p) != nil { break }
            p += 1
        }
        for b in bytes[start..<p] where b == 0x0A { line += 1 }
        position = p
        return .text(start..<p)
    }

    private func isNameStart(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    private func isNameChar(_ b: UInt8) -> Bool {
        isNameStart(b) || (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
            || b == UInt8(ascii: ".") || b == UInt8(ascii: ":")
    }

    /// Parses a tag starting at `p` (which holds `<`); returns it and the index after `>`.
    private func parseTag(at p: Int) -> (Tag, Int)? {
        var q = p + 1
        var closing = false
        if q < bytes.count && bytes[q] == UInt8(ascii: "/") { closing = true; q += 1 }
        guard q < bytes.count, isNameStart(bytes[q]) else { return nil }
        let nameStart = q
        while q < bytes.count && isNameChar(bytes[q]) { q += 1 }
        let nameEnd = q
        guard q < bytes.count else { return nil }
        let limit = min(bytes.count, p + 1024)
        if bytes[q] != UInt8(ascii: ">") {
            guard bytes[q] == 0x20 || bytes[q] == 0x09 || bytes[q] == UInt8(ascii: "/") else { return nil }
            while q < limit && bytes[q] != UInt8(ascii: ">") {
                if bytes[q] == 0x0A || bytes[q] == UInt8(ascii: "<") { return nil }
                q += 1
            }
            guard q < limit else { return nil }
        }
        let name = String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self).uppercased()
        let rest = String(decoding: bytes[nameEnd..<q], as: UTF8.self)
        return (Tag(name: name, closing: closing, rest: rest, line: line), q + 1)
    }
}
