import SearchIndex

extension IngestedDocument {
    /// The longest stored value, in UTF-8 bytes. A longer value is indexed whole but stored as a prefix
    /// ending in "…": the stored-fields reader rejects strings over 16 MiB, and every hit inflates its
    /// whole stored document.
    public static let maxStoredBytes = 1 << 20

    /// The document to index, as `search index` builds it: ``title`` and ``body`` as the text fields
    /// `title` and `body` (searchable and stored), and every other ``stored`` value as a stored-only
    /// field, each capped at ``maxStoredBytes``.
    ///
    /// ```swift
    /// let walker = try CorpusWalker(root: URL(fileURLWithPath: "corpus"))
    /// let writer = try IndexWriter(path: "Index")
    /// try walker.forEach({ try writer.addDocument($0.indexDocument()) }, onIssue: { print($0) })
    /// try writer.commit()
    /// ```
    public func indexDocument() -> Document {
        var doc = Document(id: id)
        Self.addText(&doc, "title", title)
        Self.addText(&doc, "body", body)
        for (k, v) in stored where k != "title" && k != "body" { doc.addStored(k, Self.storedPrefix(v)) }
        return doc
    }

    static func addText(_ doc: inout Document, _ name: String, _ value: String) {
        if value.utf8.count <= maxStoredBytes { doc.addText(name, value); return }
        doc.addText(name, value, stored: false)
        doc.addStored(name, storedPrefix(value))
    }

    /// `value`, or its first ``maxStoredBytes`` bytes (cut at a scalar boundary) followed by "…".
    static func storedPrefix(_ value: String) -> String {
        let utf8 = value.utf8
        guard utf8.count > maxStoredBytes else { return value }
        var end = utf8.index(utf8.startIndex, offsetBy: maxStoredBytes - 3)
        while end > utf8.startIndex, utf8[end] & 0xC0 == 0x80 { end = utf8.index(before: end) }
        return String(value.unicodeScalars[..<end]) + "…"
    }
}
