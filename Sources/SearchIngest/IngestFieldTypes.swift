import Foundation
import SearchIndex

/// How `search index` types the fields of structured records (JSON, CSV): the fields named on the command
/// line, and the dates it detects.
///
/// A field without a declared type whose first value in the corpus is an ISO 8601 date (at least to the
/// day, `1987-02-26` or `1987-02-26T15:01:01Z`, see `DateValue` in SearchIndex) is taken as a `date` when
/// ``detectDates`` is on. The title and body stay text; other untyped fields are stored only.
public struct FieldTyping: Sendable, Equatable {
    /// Declared types by field name.
    public var types: [String: FieldType]
    /// Whether to type a field as `date` when its first value is a date.
    public var detectDates: Bool
    /// Fields looked at for date detection, so that only a field's first value decides.
    private var decided: Set<String> = []

    /// A typing with these declared types.
    public init(types: [String: FieldType] = [:], detectDates: Bool = true) {
        self.types = types; self.detectDates = detectDates
    }

    /// The schema of the declared and detected typed fields.
    public var schema: Schema { Schema(types.sorted { $0.key < $1.key }.map { FieldSpec($0.key, $0.value) }) }
}

extension IngestedDocument {
    /// The document to index with typed fields: like ``indexDocument()``, but a field of `typing` is added
    /// with its type: a keyword once per element of a JSON array (``lists``), numbers, dates and booleans
    /// parsed. A value that does not parse is left out of the document and reported in the returned
    /// warnings (naming the field and the value); the rest of the document is indexed.
    public func indexDocument(typing: inout FieldTyping) -> (Document, [String]) {
        var doc = Document(id: id)
        var warnings: [String] = []
        Self.addText(&doc, "title", title)
        Self.addText(&doc, "body", body)
        for (k, v) in stored where k != "title" && k != "body" {
            if typing.detectDates, typing.types[k] == nil, k != "path", typing.markDecided(k),
               let d = DateValue.parse(v.trimmingCharacters(in: .whitespaces)), d.precision >= .day {
                typing.types[k] = .date
            }
            guard let type = typing.types[k], type != .text else { doc.addStored(k, Self.storedPrefix(v)); continue }
            let values = lists[k] ?? [v]
            for raw in values {
                let value = raw.trimmingCharacters(in: .whitespaces)
                switch type {
                case .keyword:
                    guard !value.isEmpty, value.utf8.count <= 4096 else {
                        if !value.isEmpty { warnings.append("field '\(k)': a keyword of \(value.utf8.count) bytes is too long (4096 at most)") }
                        continue
                    }
                    doc.addKeyword(k, value)
                case .int:
                    guard let n = Int64(value) else { warnings.append("field '\(k)': \(value.debugDescription) is not an integer"); continue }
                    doc.addInt(k, n)
                case .double:
                    guard let x = Double(value), !x.isNaN else { warnings.append("field '\(k)': \(value.debugDescription) is not a number"); continue }
                    doc.addDouble(k, x)
                case .date:
                    guard let d = DateValue.parse(value) else { warnings.append("field '\(k)': \(value.debugDescription) is not an ISO 8601 date"); continue }
                    doc.addDate(k, milliseconds: d.start)
                case .bool:
                    switch value.lowercased() {
                    case "true": doc.addBool(k, true)
                    case "false": doc.addBool(k, false)
                    default: warnings.append("field '\(k)': \(value.debugDescription) is not true or false")
                    }
                case .text: break
                }
            }
        }
        return (doc, warnings)
    }
}

extension FieldTyping {
    /// Records that field `name` has been seen; true the first time.
    mutating func markDecided(_ name: String) -> Bool { decided.insert(name).inserted }
}
