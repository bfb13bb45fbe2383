/// Counts to compute over every document a query matches (``SearchOptions/facets``), from the columns.
/// A document counts once per bucket, however many of its values fall in it.
public enum FacetRequest: Sendable, Equatable {
    /// The `limit` most frequent values of a columnar field (count descending, then value ascending),
    /// with exact counts.
    case terms(String, limit: Int = 10)
    /// Documents per given range of a numeric or date field, in the order given.
    case ranges(String, [FacetRange])
    /// Documents per calendar year, month or day of a date field (UTC), oldest first; empty buckets are
    /// left out.
    case dateHistogram(String, interval: CalendarInterval)

    /// The field counted.
    public var field: String {
        switch self {
        case let .terms(f, _), let .ranges(f, _), let .dateHistogram(f, _): f
        }
    }

    /// Parses the CLI form: `field` or `field:N` (terms, the top N values), or `field:year`, `field:month`,
    /// `field:day` (a date histogram). Range buckets are given through the API.
    public static func parse(_ text: String) throws -> FacetRequest {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard let name = parts.first, !name.isEmpty else { throw SearchIndexError.invalidArgument("facet \(text.debugDescription) names no field") }
        guard parts.count == 2 else { return .terms(name) }
        if let n = Int(parts[1]), n > 0 { return .terms(name, limit: n) }
        if let i = CalendarInterval(rawValue: parts[1]) { return .dateHistogram(name, interval: i) }
        throw SearchIndexError.invalidArgument("facet \(text.debugDescription): after ':' give a count (places:20) or an interval (date:year, date:month, date:day)")
    }
}

/// A bucket of a range facet: values from `from` (inclusive) up to `to` (exclusive), either end open
/// when nil. Bounds are written as the field's values are (`10`, `2.5`, `1987-03-01`); a date bound
/// stands for its first millisecond.
public struct FacetRange: Sendable, Equatable {
    /// The bucket's name in the results; by default `from..to`.
    public var label: String?
    /// The lowest value in the bucket.
    public var from: String?
    /// The first value past the bucket.
    public var to: String?
    /// A range bucket.
    public init(_ label: String? = nil, from: String? = nil, to: String? = nil) { self.label = label; self.from = from; self.to = to }
    /// `label`, or `from..to` (an open end left empty).
    public var name: String { label ?? "\(from ?? "")..\(to ?? "")" }
}

/// One bucket of a facet: a value (or range, or period) and how many matching documents fall in it.
public struct FacetBucket: Sendable, Equatable {
    /// The value: a keyword, a number or date as text, a range's name, or a period's first day.
    public var value: String
    /// Matching documents in the bucket.
    public var count: Int
    /// A bucket.
    public init(value: String, count: Int) { self.value = value; self.count = count }
}

/// The counts of one ``FacetRequest``.
public struct FacetResult: Sendable, Equatable {
    /// The field counted.
    public var field: String
    /// The buckets: for terms the top values, for ranges every range, for histograms every non-empty period.
    public var buckets: [FacetBucket]
    /// Terms facets: distinct values among the matches (``buckets`` holds the top ones).
    public var distinctValues: Int
    /// Matching documents without a value of the field.
    public var missing: Int
}

/// Counts one facet over the matches of one segment, then merges the segments' counts.
struct FacetCounter {
    enum Kind {
        /// Per keyword ordinal (a keyword column) or per distinct value (a numeric one).
        case terms(limit: Int)
        /// Inclusive sortable bounds per range.
        case ranges([(lo: Int64, hi: Int64)])
        case histogram(CalendarInterval)
    }
    /// ``Kind`` without payloads, for the per-document switch (binding a payload would retain it).
    private enum Tag { case terms, ranges, histogram }
    let request: FacetRequest
    let kind: Kind
    let type: FieldType
    private let tag: Tag
    private let ranges: [(lo: Int64, hi: Int64)]
    private let interval: CalendarInterval
    /// Keyword counts by value, numeric counts by sortable value, merged over segments.
    private var keywordCounts: [String: Int] = [:]
    private var numericCounts: [Int64: Int] = [:]
    private var rangeCounts: [Int] = []
    private(set) var missing = 0
    /// The current segment's column (nil when the segment has none) and its per-ordinal
    /// counts, in a buffer of its own so the per-document loop does no copy-on-write checks.
    private var cursor: ColumnCursor? = nil
    private var isKeyword = false
    private var ordinalCounts = CountBuffer(count: 0)
    /// Per-segment ordinal counts not yet merged by value.
    private var pending: [(ColumnReader, CountBuffer)] = []

    init(request: FacetRequest, kind: Kind, type: FieldType) {
        self.request = request; self.kind = kind; self.type = type
        switch kind {
        case .terms: tag = .terms; ranges = []; interval = .day
        case let .ranges(rs): tag = .ranges; ranges = rs; interval = .day; rangeCounts = [Int](repeating: 0, count: rs.count)
        case let .histogram(i): tag = .histogram; ranges = []; interval = i
        }
    }

    /// Starts counting segment `seg`'s matches.
    mutating func begin(_ seg: SegmentReader, field: Int?, ctx: ReadContext) {
        flushOrdinals()
        if let field, let c = seg.columns[field] {
            cursor = ColumnCursor(c, ctx)
            isKeyword = c.isKeyword
            if c.isKeyword { ordinalCounts = CountBuffer(count: c.termCount) }
        } else { cursor = nil; isKeyword = false }
    }

    /// For a terms facet over a keyword column in the current segment: a cursor of the column and the
    /// per-ordinal counts, so a loop can count without going through ``collect(_:)``; nil otherwise.
    func keywordCounting() -> (cursor: ColumnCursor, counts: UnsafeMutablePointer<Int>)? {
        guard tag == .terms, isKeyword, let c = cursor else { return nil }
        return (c, ordinalCounts.counts)
    }

    /// Adds documents without a value, counted outside ``collect(_:)``.
    mutating func addMissing(_ n: Int) { missing += n }

    /// Counts matching document `doc` of the current segment.
    @inline(__always) mutating func collect(_ doc: Int32) {
        guard let r = cursor?.range(doc), !r.isEmpty else { missing += 1; return }
        switch tag {
        case .terms:
            if isKeyword {
                let counts = ordinalCounts.counts
                for i in r { if let o = cursor?.value(i) { counts[Int(o)] += 1 } }
            } else {
                for i in r { if let v = cursor?.value(i) { numericCounts[v, default: 0] += 1 } }
            }
        case .ranges:
            for b in ranges.indices {
                let range = ranges[b]
                for i in r { if let v = cursor?.value(i), v >= range.lo && v <= range.hi { rangeCounts[b] += 1; break } }
            }
        case .histogram:
            var last: Int64? = nil
            for i in r {   // values ascending: equal buckets are adjacent
                guard let v = cursor?.value(i) else { continue }
                let start = DateValue.bucket(v, interval).start
                if start != last { numericCounts[start, default: 0] += 1; last = start }
            }
        }
    }

    /// Keeps the current segment's ordinal counts: merged by value only when a second segment comes (with
    /// one segment, the top values are picked by ordinal and only they become strings).
    private mutating func flushOrdinals() {
        if let c = cursor?.column, c.isKeyword { pending.append((c, ordinalCounts)) }
        if pending.count > 1 { mergePending() }
        ordinalCounts = CountBuffer(count: 0)
    }

    /// Moves the kept per-segment ordinal counts into the counts by value.
    private mutating func mergePending() {
        for (c, counts) in pending {
            for o in 0..<counts.count where counts.counts[o] > 0 { keywordCounts[c.term(o), default: 0] += counts.counts[o] }
        }
        pending = []
    }

    /// With the counts of one segment only: the top `limit` values by ordinal (ordinals sort as the bytes
    /// do), and how many values were seen.
    private func topOfOneSegment(_ c: ColumnReader, _ counts: CountBuffer, limit: Int) -> ([(String, Int)], Int) {
        var seen: [(ordinal: Int, count: Int)] = []
        for o in 0..<counts.count where counts.counts[o] > 0 { seen.append((o, counts.counts[o])) }
        seen.sort { $0.count != $1.count ? $0.count > $1.count : $0.ordinal < $1.ordinal }
        return (seen.prefix(limit).map { (c.term($0.ordinal), $0.count) }, seen.count)
    }

    /// The merged counts.
    mutating func result() -> FacetResult {
        flushOrdinals()
        cursor = nil
        switch kind {
        case let .terms(limit):
            if type == .keyword, keywordCounts.isEmpty, pending.count == 1 {
                let (top, distinct) = topOfOneSegment(pending[0].0, pending[0].1, limit: limit)
                return FacetResult(field: request.field, buckets: top.map { FacetBucket(value: $0.0, count: $0.1) },
                                   distinctValues: distinct, missing: missing)
            }
            mergePending()
            var all: [(String, Int)]
            if type == .keyword {
                all = keywordCounts.map { ($0.key, $0.value) }
                all.sort { $0.1 != $1.1 ? $0.1 > $1.1 : Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
            } else {
                let sorted = numericCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                all = sorted.map { (SortableNumber.text($0.key, type: type), $0.value) }
            }
            return FacetResult(field: request.field, buckets: all.prefix(limit).map { FacetBucket(value: $0.0, count: $0.1) },
                               distinctValues: all.count, missing: missing)
        case .ranges:
            guard case let .ranges(_, given) = request else { return FacetResult(field: request.field, buckets: [], distinctValues: 0, missing: missing) }
            return FacetResult(field: request.field, buckets: zip(given, rangeCounts).map { FacetBucket(value: $0.name, count: $1) },
                               distinctValues: 0, missing: missing)
        case let .histogram(interval):
            let buckets = numericCounts.sorted { $0.key < $1.key }.map { (start, n) -> FacetBucket in
                let (y, m, d) = DateValue.components(start)
                func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
                let label: String
                switch interval {
                case .year: label = String(y)
                case .month: label = "\(y)-\(two(m))"
                case .day: label = "\(y)-\(two(m))-\(two(d))"
                }
                return FacetBucket(value: label, count: n)
            }
            return FacetResult(field: request.field, buckets: buckets, distinctValues: buckets.count, missing: missing)
        }
    }
}

/// A zeroed buffer of counts that lives as long as its owner (per-ordinal facet counts).
/// Not shared between threads: it never leaves the query that made it.
final class CountBuffer {
    let counts: UnsafeMutablePointer<Int>
    let count: Int
    init(count: Int) {
        self.count = count
        counts = .allocate(capacity: max(count, 1))
        counts.initialize(repeating: 0, count: max(count, 1))
    }
    deinit { counts.deallocate() }
}
