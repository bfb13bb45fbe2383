import Foundation

/// Turns one structured record (a JSON object or a CSV row) into an `IngestedDocument`,
/// choosing the id, title and body fields. One mapper is used per file: it caches the
/// field resolution for a given key list and emits "field not found" warnings once per file.
final class IngestRecordMapper {
    static let defaultIdFields = ["id", "_id", "article_id", "docid", "doc_id"]
    static let defaultTitleFields = ["title", "headline", "name"]
    static let defaultBodyFields = ["body", "text", "content", "article"]

    private struct Resolution {
        var id: [Int]
        var title: [Int]
        var body: [Int]
        /// True when `IngestOptions.bodyFields` was given: join all present body fields.
        var joinBody: Bool
    }

    private let options: IngestOptions
    private let relPath: String
    private let warn: (String, Int?) -> Void
    private var cachedKeys: [String] = []
    private var cached: Resolution?
    private var warned = Set<String>()

    init(options: IngestOptions, relPath: String, warn: @escaping (String, Int?) -> Void) {
        self.options = options
        self.relPath = relPath
        self.warn = warn
    }

    /// Index of `name` in `keys`: exact match first, then case-insensitive.
    private static func find(_ name: String, in keys: [String]) -> Int? {
        if let i = keys.firstIndex(of: name) { return i }
        let lower = name.lowercased()
        return keys.firstIndex { $0.lowercased() == lower }
    }

    private func warnOnce(_ key: String, _ message: String, line: Int?) {
        if warned.insert(key).inserted { warn(message, line) }
    }

    private func resolve(_ keys: [String], line: Int?) -> Resolution {
        if let r = cached, keys == cachedKeys { return r }
        var r = Resolution(id: [], title: [], body: [], joinBody: false)
        if let f = options.idField {
            if let i = Self.find(f, in: keys) { r.id = [i] } else {
                warnOnce("id:" + f, "id field '\(f)' not found; using path-based ids", line: line)
            }
        } else {
            r.id = Self.defaultIdFields.compactMap { Self.find($0, in: keys) }
        }
        if let f = options.titleField {
            if let i = Self.find(f, in: keys) { r.title = [i] } else {
                warnOnce("title:" + f, "title field '\(f)' not found", line: line)
            }
        } else {
            r.title = Self.defaultTitleFields.compactMap { Self.find($0, in: keys) }
        }
        if let fs = options.bodyFields, !fs.isEmpty {
            r.joinBody = true
            for f in fs {
                if let i = Self.find(f, in: keys) {
                    if !r.body.contains(i) { r.body.append(i) }
                } else {
                    warnOnce("body:" + f, "body field '\(f)' not found", line: line)
                }
            }
        } else {
            r.body = Self.defaultBodyFields.compactMap { Self.find($0, in: keys) }
            if r.body.isEmpty {
                warnOnce("body:", "no body field found (looked for "
                         + Self.defaultBodyFields.joined(separator: ", ") + ")", line: line)
            }
        }
        cachedKeys = keys
        cached = r
        return r
    }

    /// `values[i]` is nil for JSON null. `row` is nil for a single-document file.
    func makeDocument(keys: [String], values: [String?], row: Int?, line: Int?) -> IngestedDocument {
        let r = resolve(keys, line: line)
        var used = Set<Int>()

        func firstNonEmpty(_ candidates: [Int]) -> (Int, String)? {
            for i in candidates {
                if let v = values[i], !IngestText.isBlank(v) { return (i, v) }
            }
            return nil
        }

        var id: String
        if let (i, v) = firstNonEmpty(r.id) {
            id = IngestText.trimmed(v)
            used.insert(i)
        } else {
            id = row.map { "\(relPath)#\($0)" } ?? relPath
        }
        var title = ""
        if let (i, v) = firstNonEmpty(r.title.filter { !used.contains($0) }) {
            title = IngestText.trimmed(v)
            used.insert(i)
        }
        var body = ""
        if r.joinBody {
            var parts: [String] = []
            for i in r.body where !used.contains(i) {
                if let v = values[i], !IngestText.isBlank(v) { parts.append(v) }
                used.insert(i)
            }
            body = parts.joined(separator: "\n\n")
        } else if let (i, v) = firstNonEmpty(r.body.filter { !used.contains($0) }) {
            body = v
            used.insert(i)
        }

        var stored: [(String, String)] = [("path", relPath)]
        stored.reserveCapacity(keys.count + 1)
        for (i, k) in keys.enumerated() where !used.contains(i) {
            guard let v = values[i], !v.isEmpty else { continue }
            stored.append((k == "path" ? "path_field" : k, v))
        }
        return IngestedDocument(id: id, title: title, body: body, stored: stored)
    }

    /// Convenience for JSON objects.
    func makeDocument(object members: [(String, IngestJSONValue)], row: Int?, line: Int?) -> IngestedDocument {
        var doc = makeDocument(keys: members.map { $0.0 }, values: members.map { $0.1.fieldText }, row: row, line: line)
        for (k, v) in members {
            guard case let .array(items) = v else { continue }
            let name = k == "path" ? "path_field" : k
            guard doc.stored.contains(where: { $0.0 == name }) || items.isEmpty else { continue }
            let scalars = items.compactMap { item -> String? in
                switch item {
                case .string, .number, .bool: return item.fieldText
                default: return nil
                }
            }
            if scalars.count == items.count { doc.lists[name] = scalars }
        }
        return doc
    }
}
