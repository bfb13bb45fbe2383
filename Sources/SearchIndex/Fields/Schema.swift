/// The type of a field: how its values are indexed, compared and returned.
public enum FieldType: String, Sendable, CaseIterable, Codable {
    /// Analyzed text, searched and scored with BM25 (``Document/addText(_:_:stored:)``).
    case text
    /// Exact bytes, not analyzed; a document may have several values (tags, topics, places).
    case keyword
    /// A signed 64-bit integer.
    case int
    /// A 64-bit floating-point number (NaN is refused).
    case double
    /// A point in time, kept as milliseconds since 1970-01-01T00:00:00Z (earlier dates are negative).
    /// Values come in as ISO 8601 dates or date-times (see ``DateValue``).
    case date
    /// `true` or `false`.
    case bool

    /// Whether values of this type are numbers inside (int, double, date, bool): they are compared,
    /// filtered by ranges and bucketed through the column.
    public var isNumeric: Bool { self == .int || self == .double || self == .date || self == .bool }
}

/// How one field is indexed: its type and what is kept of its values.
///
/// - `stored`: values come back with hits (``StoredDocument``).
/// - `indexed`: values can be matched by a query or a filter. A keyword field is indexed as exact terms in
///   the postings; a numeric, date or bool field is matched through its column, so `indexed` needs
///   `columnar` for them.
/// - `columnar`: values are kept per document in the segment's column file (Lucene's doc values,
///   tantivy's fast fields), for sorting, ranges and facets.
public struct FieldSpec: Sendable, Equatable {
    /// The field's name.
    public var name: String
    /// Its type.
    public var type: FieldType
    /// Values come back with hits.
    public var stored: Bool
    /// Values can be matched by queries and filters.
    public var indexed: Bool
    /// Values are kept in a column for sort, ranges and facets.
    public var columnar: Bool
    /// A text field's weight in scoring when a search does not set one (``SearchOptions/boosts`` overrides
    /// it): with the default ``FieldCombination/combined`` its term frequencies and length count this many
    /// times (BM25F's field weight); otherwise its scores are multiplied by it. 1 by default. A title is
    /// worth more than a body: `search index` and `search eval` give `title` weight 3, chosen on SciFact's
    /// train queries and Cranfield (BENCHMARKS.md, "Choosing the defaults"). It changes no index data, so
    /// reopening an index with another weight updates it.
    public var weight: Float

    /// A field spec. By default a field is stored and indexed, every type but `text` is columnar, and the
    /// weight is 1.
    public init(_ name: String, _ type: FieldType, stored: Bool = true, indexed: Bool = true, columnar: Bool? = nil, weight: Float = 1) {
        self.name = name; self.type = type; self.stored = stored; self.indexed = indexed
        self.columnar = columnar ?? (type != .text)
        self.weight = weight
    }

    /// The weight `search index` and `search eval` give a title field (see ``weight``).
    public static let titleWeight: Float = 3

    /// Whether `other` indexes values the same way (everything but the ``weight``, which only searches read).
    func indexesLike(_ other: FieldSpec) -> Bool {
        var o = other
        o.weight = weight
        return self == o
    }

    /// Why this spec cannot be used, or nil when it is valid.
    var problem: String? {
        if type == .text && columnar { return "field '\(name)': a text field cannot be columnar (sort and facet on a keyword field)" }
        if type.isNumeric && indexed && !columnar {
            return "field '\(name)': an indexed \(type.rawValue) field must be columnar (ranges read the column)"
        }
        if type != .text && !stored && !indexed && !columnar { return "field '\(name)' keeps nothing: make it stored, indexed or columnar" }
        if !(weight > 0 && weight.isFinite) { return "field '\(name)': weight \(weight) must be a positive number" }
        if type != .text && weight != 1 { return "field '\(name)': only a text field has a weight (it is \(type.rawValue))" }
        return nil
    }

    /// `type` and the flags, e.g. `keyword (stored, indexed, columnar)`.
    public var summary: String {
        let flags = [stored ? "stored" : nil, indexed ? "indexed" : nil, columnar ? "columnar" : nil].compactMap { $0 }
        return "\(type.rawValue) (\(flags.joined(separator: ", "))\(weight == 1 ? "" : ", weight \(weight)"))"
    }
}

/// The fields of an index and their types, recorded in every commit.
///
/// A field not declared here gets its type from the first value added to it: ``Document/addText(_:_:stored:)``
/// declares `text`, ``Document/addKeyword(_:_:)`` `keyword` and so on, each with ``FieldSpec``'s defaults.
/// Adding a value of another type to a declared field is an error, and so is reopening an index with a
/// schema that changes a field's spec (rebuild it with `create: true`).
///
/// ```swift
/// var schema = Schema()
/// schema.add(FieldSpec("date", .date))
/// schema.add(FieldSpec("topics", .keyword))
/// let writer = try IndexWriter(path: "Index", schema: schema)
/// ```
public struct Schema: Sendable, Equatable {
    /// The declared fields, in the order they were declared.
    public private(set) var fields: [FieldSpec] = []

    /// An empty schema.
    public init() {}
    /// A schema of these fields.
    public init(_ fields: [FieldSpec]) { for f in fields { add(f) } }

    /// Declares `spec`, replacing an earlier declaration of the same name.
    public mutating func add(_ spec: FieldSpec) {
        if let i = fields.firstIndex(where: { $0.name == spec.name }) { fields[i] = spec } else { fields.append(spec) }
    }

    /// The spec of the field called `name`, if declared.
    public subscript(_ name: String) -> FieldSpec? { fields.first { $0.name == name } }
}

/// One typed value of a document (see the `add` methods of ``Document``).
public enum FieldValue: Sendable, Equatable {
    /// An exact keyword.
    case keyword(String)
    /// An integer.
    case int(Int64)
    /// A floating-point number.
    case double(Double)
    /// Milliseconds since the Unix epoch (UTC).
    case date(Int64)
    /// A boolean.
    case bool(Bool)

    /// The field type this value belongs to.
    public var type: FieldType {
        switch self {
        case .keyword: .keyword
        case .int: .int
        case .double: .double
        case .date: .date
        case .bool: .bool
        }
    }

    /// The value as a stored string: a keyword as is, numbers in decimal, a date in ISO 8601 UTC (just the
    /// day when it is midnight).
    public var storedText: String {
        switch self {
        case let .keyword(s): s
        case let .int(v): String(v)
        case let .double(v): String(v)
        case let .date(ms): DateValue.format(ms, dateOnly: true)
        case let .bool(b): b ? "true" : "false"
        }
    }

    /// The 64-bit integer a numeric value is compared as (see ``SortableNumber``); nil for a keyword.
    var sortable: Int64? {
        switch self {
        case .keyword: nil
        case let .int(v): v
        case let .double(v): SortableNumber.encode(v)
        case let .date(ms): ms
        case let .bool(b): b ? 1 : 0
        }
    }
}

/// Doubles as 64-bit integers that sort in the same order (as Lucene's `NumericUtils.doubleToSortableLong`):
/// the sign bit flips the other bits of negative numbers. `-0.0` is stored as `0.0`.
enum SortableNumber {
    static func encode(_ d: Double) -> Int64 {
        let bits = Int64(bitPattern: (d == 0 ? 0.0 : d).bitPattern)
        return bits ^ ((bits >> 63) & Int64.max)
    }
    static func decode(_ v: Int64) -> Double {
        Double(bitPattern: UInt64(bitPattern: v ^ ((v >> 63) & Int64.max)))
    }

    /// The sortable integer of `text` read as a value of `type` (numeric types only), or nil when it does
    /// not parse. A date is its first millisecond (see ``DateValue/parse(_:)``).
    static func parse(_ text: String, as type: FieldType) -> Int64? {
        switch type {
        case .int: return Int64(text)
        case .double:
            guard let d = Double(text), !d.isNaN else { return nil }
            return encode(d)
        case .date: return DateValue.parse(text)?.start
        case .bool:
            switch text.lowercased() { case "true": return 1; case "false": return 0; default: return nil }
        case .text, .keyword: return nil
        }
    }

    /// The value `v` of a column of `type`, as text (the form ``FieldValue/storedText`` uses).
    static func text(_ v: Int64, type: FieldType) -> String {
        switch type {
        case .double: String(decode(v))
        case .date: DateValue.format(v)
        case .bool: v != 0 ? "true" : "false"
        default: String(v)
        }
    }
}
