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
