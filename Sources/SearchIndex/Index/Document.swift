/// A document to index: a unique external id, text fields (analyzed and searchable) and stored fields
/// (returned with hits).
///
/// ```swift
/// var doc = Document(id: "reuters-42")
/// doc.addText("title", "Cocoa prices rise")
/// doc.addText("body", bodyText)
/// doc.addStored("date", "1987-02-26")
/// ```
public struct Document: Sendable {
    /// Unique within the index: adding a document with an id that exists replaces the old one.
    public var id: String
    /// Text fields in order: name, value, and whether the value is also stored.
    public var textFields: [(name: String, value: String, stored: Bool)] = []
    /// Stored-only fields: name and value.
    public var storedFields: [(name: String, value: String)] = []
    /// Typed fields (keyword, number, date, bool) in order: name and value. A field may have several.
    public var typedFields: [(name: String, value: FieldValue)] = []

    /// An empty document with this id (unique in the index: adding the same id again replaces it).
    public init(id: String) { self.id = id }

    /// Adds an analyzed, searchable text field. With `stored` (the default) its value comes back with hits
    /// and can be used for snippets. The same field may be added more than once; values are concatenated
    /// with a position gap so phrases do not match across them.
    public mutating func addText(_ name: String, _ value: String, stored: Bool = true) {
        textFields.append((name, value, stored))
    }
    /// Adds a field that is stored and returned with hits, but not searchable.
    public mutating func addStored(_ name: String, _ value: String) {
        storedFields.append((name, value))
    }
    /// Adds a typed value (see ``FieldType``). Its field must be of the value's type, or undeclared.
    public mutating func add(_ name: String, _ value: FieldValue) { typedFields.append((name, value)) }
    /// Adds an exact keyword value (not analyzed); call again for more values of the same field.
    public mutating func addKeyword(_ name: String, _ value: String) { add(name, .keyword(value)) }
    /// Adds an integer value.
    public mutating func addInt(_ name: String, _ value: Int64) { add(name, .int(value)) }
    /// Adds a floating-point value (NaN is refused when the document is added).
    public mutating func addDouble(_ name: String, _ value: Double) { add(name, .double(value)) }
    /// Adds a date, in milliseconds since 1970-01-01T00:00:00Z.
    public mutating func addDate(_ name: String, milliseconds: Int64) { add(name, .date(milliseconds)) }
    /// Adds a date given in ISO 8601 (see ``DateValue``); throws ``SearchIndexError/invalidArgument(_:)``
    /// naming the field when `iso` is not a date.
    public mutating func addDate(_ name: String, iso: String) throws {
        guard let d = DateValue.parse(iso) else {
            throw SearchIndexError.invalidArgument("field '\(name)' of document \(id.debugDescription): \(iso.debugDescription) is not an ISO 8601 date or date-time")
        }
        add(name, .date(d.start))
    }
    /// Adds a boolean value.
    public mutating func addBool(_ name: String, _ value: Bool) { add(name, .bool(value)) }
}

/// A document as read back from the index: its id and stored fields.
public struct StoredDocument: Sendable, Equatable {
    /// The document's id.
    public var id: String
    /// Stored fields in the order they were added (text fields added with `stored: true` included).
    public var fields: [(name: String, value: String)]

    /// A stored document with its fields in order.
    public init(id: String, fields: [(name: String, value: String)]) { self.id = id; self.fields = fields }

    /// The first value of `name`, if any.
    public subscript(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    /// Equal when the ids and the fields, in order, are equal.
    public static func == (a: StoredDocument, b: StoredDocument) -> Bool {
        a.id == b.id && a.fields.map { $0.name } == b.fields.map { $0.name } && a.fields.map { $0.value } == b.fields.map { $0.value }
    }
}
