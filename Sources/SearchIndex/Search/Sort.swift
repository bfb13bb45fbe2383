/// One key of a sort order: the score, or a columnar field, ascending or descending.
///
/// Hits compare key by key; documents equal on every key come in snapshot order (lower ``Hit/docID``
/// first), so an order is deterministic. A document without a value of a field sorts after every document
/// with one, in either direction. A multi-valued field sorts by its smallest value ascending and by its
/// largest descending (as Elasticsearch's default `mode`).
public struct SortField: Sendable, Equatable, CustomStringConvertible {
    /// What a key compares.
    public enum Key: Sendable, Equatable {
        /// The query's score.
        case score
        /// A columnar field's values.
        case field(String)
    }
    /// What this key compares.
    public var key: Key
    /// Highest first.
    public var descending: Bool

    /// A sort key.
    public init(_ key: Key, descending: Bool) { self.key = key; self.descending = descending }
    /// By score, best first.
    public static let score = SortField(.score, descending: true)
    /// By `field`, smallest first.
    public static func ascending(_ field: String) -> SortField { SortField(.field(field), descending: false) }
    /// By `field`, largest first.
    public static func descending(_ field: String) -> SortField { SortField(.field(field), descending: true) }

    /// Parses `field`, `-field` (descending), `+field`, or `_score`.
    public static func parse(_ text: String) throws -> SortField {
        var t = Substring(text.trimmingSpaces())
        var desc = false
        if t.first == "-" { desc = true; t = t.dropFirst() } else if t.first == "+" { t = t.dropFirst() }
        guard !t.isEmpty else { throw SearchIndexError.invalidArgument("sort key \(text.debugDescription) names no field") }
        if t == "_score" { return SortField(.score, descending: !desc ? true : false) }
        return SortField(.field(String(t)), descending: desc)
    }

    /// `field` or `-field` (`_score` for the score).
    public var description: String {
        switch key {
        case .score: descending ? "_score" : "+_score"
        case let .field(f): (descending ? "-" : "") + f
        }
    }
}

/// A hit's value for one sort key.
public enum SortValue: Sendable, Equatable, CustomStringConvertible {
    /// The score.
    case score(Float)
    /// An int field's value.
    case int(Int64)
    /// A double field's value.
    case double(Double)
    /// A date field's value, in milliseconds since the epoch.
    case date(Int64)
    /// A bool field's value.
    case bool(Bool)
    /// A keyword field's value.
    case keyword(String)
    /// The document has no value.
    case missing

    /// The value as text: dates in ISO 8601, `null` when missing.
    public var description: String {
        switch self {
        case let .score(s): "\(s)"
        case let .int(v): "\(v)"
        case let .double(v): "\(v)"
        case let .date(ms): DateValue.format(ms)
        case let .bool(b): b ? "true" : "false"
        case let .keyword(k): k
        case .missing: "null"
        }
    }

    /// The sortable integer of a numeric value or score (nil for a keyword or a missing value).
    var sortable: Int64? {
        switch self {
        case let .score(s): Int64(SortValue.sortableFloat(s))
        case let .int(v): v
        case let .double(v): SortableNumber.encode(v)
        case let .date(ms): ms
        case let .bool(b): b ? 1 : 0
        case .keyword, .missing: nil
        }
    }

    /// Float bits as an integer of the same order.
    static func sortableFloat(_ f: Float) -> Int32 {
        let bits = Int32(bitPattern: (f == 0 ? 0 : f).bitPattern)
        return bits ^ ((bits >> 31) & Int32.max)
    }

    /// The value of a column of `type` holding the sortable integer `v`.
    static func numeric(_ v: Int64, _ type: FieldType) -> SortValue {
        switch type {
        case .double: .double(SortableNumber.decode(v))
        case .date: .date(v)
        case .bool: .bool(v != 0)
        default: .int(v)
        }
    }
}

/// Where a page ends, to continue after it (``SearchOptions/searchAfter``): the last hit's sort values
/// and document number. Valid for the snapshot (``Searcher``) that produced it: page through one searcher.
public struct SearchCursor: Sendable, Equatable {
    /// The last hit's ``Hit/sortValues``.
    public var values: [SortValue]
    /// The last hit's ``Hit/docID``.
    public var docID: Int
    /// A cursor.
    public init(values: [SortValue], docID: Int) { self.values = values; self.docID = docID }
}

/// A document's value for one sort key, comparable within a segment: missing, or a 64-bit integer.
struct SortKeyValue: Equatable {
    var missing: Bool
    var value: Int64
}

/// One sort key resolved against a segment: how to read a document's value as a ``SortKeyValue``. A
/// keyword's value is twice its ordinal in the segment's dictionary (so that a cursor's keyword that the
/// segment lacks can sit between two ordinals, at an odd number).
struct SegmentSortKey {
    let descending: Bool
    /// Nil for the score.
    var column: ColumnCursor?
    let isKeyword: Bool
    let type: FieldType

    /// The document's key: its value (smallest ascending, largest descending), or missing.
    @inline(__always) mutating func value(_ doc: Int32) -> SortKeyValue {
        guard let r = column?.range(doc), !r.isEmpty, let v = column?.value(descending ? r.upperBound - 1 : r.lowerBound) else {
            return SortKeyValue(missing: true, value: 0)
        }
        return SortKeyValue(missing: false, value: isKeyword ? v * 2 : v)
    }
}

/// The k best documents of one segment under a sort order, with their keys. A bounded heap whose root is
/// the worst entry. The next document's keys are written into ``candidate`` and offered with
/// ``offer(doc:score:)``.
struct FieldTopK {
    let k: Int
    let keyCount: Int
    let descending: [Bool]
    private(set) var count = 0
    /// Entry `i`'s keys are `keys[i * keyCount ..< (i + 1) * keyCount]`.
    private(set) var keys: [SortKeyValue] = []
    private(set) var docs: [Int32] = []
    private(set) var scores: [Float] = []
    /// The keys of the document about to be offered.
    var candidate: [SortKeyValue]

    init(k: Int, descending: [Bool]) {
        self.k = k; keyCount = descending.count; self.descending = descending
        candidate = [SortKeyValue](repeating: SortKeyValue(missing: true, value: 0), count: descending.count)
        keys.reserveCapacity(min(k, 1 << 16) * keyCount)
    }

    /// Whether keys `a` (with doc `da`) come before keys `b` (with doc `db`): key by key, a value before a
    /// missing one, then the lower doc.
    @inline(__always) static func before(_ a: ArraySlice<SortKeyValue>, _ da: Int32, _ b: ArraySlice<SortKeyValue>, _ db: Int32,
                                         _ descending: [Bool]) -> Bool {
        var i = a.startIndex, j = b.startIndex
        for n in 0..<descending.count {
            let x = a[i], y = b[j]
            if x.missing != y.missing { return y.missing }
            if !x.missing && x.value != y.value { return descending[n] ? x.value > y.value : x.value < y.value }
            i += 1; j += 1
        }
        return da < db
    }

    @inline(__always) private func entryBefore(_ i: Int, _ j: Int) -> Bool {
        var x = i * keyCount, y = j * keyCount
        for n in 0..<keyCount {
            let a = keys[x], b = keys[y]
            if a.missing != b.missing { return b.missing }
            if !a.missing && a.value != b.value { return descending[n] ? a.value > b.value : a.value < b.value }
            x += 1; y += 1
        }
        return docs[i] < docs[j]
    }


    /// Whether the candidate (with `doc`) would enter: the heap has room, or it comes before the worst entry.
    @inline(__always) func accepts(doc: Int32) -> Bool {
        guard k > 0 else { return false }
        if count < k { return true }
        if keyCount == 1 {
            let x = candidate[0], y = keys[0]
            if x.missing != y.missing { return y.missing }
            if !x.missing && x.value != y.value { return descending[0] ? x.value > y.value : x.value < y.value }
            return doc < docs[0]
        }
        return Self.before(candidate[...], doc, keys[0 ..< keyCount], docs[0], descending)
    }

    /// Inserts the candidate, which ``accepts(doc:)`` said yes to.
    mutating func insert(doc: Int32, score: Float) {
        if count < k {
            keys.append(contentsOf: candidate); docs.append(doc); scores.append(score)
            count += 1
            var i = count - 1
            while i > 0 {
                let p = (i - 1) / 2
                if entryBefore(p, i) { swap(i, p); i = p } else { break }   // the root is the worst
            }
            return
        }
        for x in 0..<keyCount { keys[x] = candidate[x] }
        docs[0] = doc; scores[0] = score
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var w = i
            if l < count && entryBefore(w, l) { w = l }
            if r < count && entryBefore(w, r) { w = r }
            if w == i { break }
            swap(i, w); i = w
        }
    }

    /// Entry `i`'s key `j`.
    func key(_ i: Int, _ j: Int) -> SortKeyValue { keys[i * keyCount + j] }

    private mutating func swap(_ i: Int, _ j: Int) {
        for x in 0..<keyCount { keys.swapAt(i * keyCount + x, j * keyCount + x) }
        docs.swapAt(i, j); scores.swapAt(i, j)
    }
}

/// The k best documents of one segment under a single field key, for the common sort by one field: a
/// buffer of twice k (at least 64) entries that, when full, keeps its k best (quickselect) and remembers the
/// worst of those as the bar a new entry must pass, as tantivy's `TopNComputer` does. Amortized O(1) per
/// offered document, where a heap pays a sift for every document that enters (all of them, when a corpus is
/// in date order and the sort is newest first). The entries live in a buffer of their own, so offering one
/// does no copy-on-write check.
struct SingleKeyTopK {
    struct Entry {
        var key: SortKeyValue
        var doc: Int32
    }
    /// Owns the entries' memory.
    final class Storage {
        let entries: UnsafeMutablePointer<Entry>
        init(capacity: Int) { entries = .allocate(capacity: capacity) }
        deinit { entries.deallocate() }
    }
    let k: Int
    let descending: Bool
    private let capacity: Int
    private let storage: Storage
    private let entries: UnsafeMutablePointer<Entry>
    private(set) var count = 0
    /// Set once the buffer was cut to k: an entry must come before `bar`.
    private var hasBar = false
    private var bar = Entry(key: SortKeyValue(missing: true, value: 0), doc: 0)

    init(k: Int, descending: Bool) {
        self.k = k; self.descending = descending
        capacity = max(2 * k, 64)
        storage = Storage(capacity: capacity)
        entries = storage.entries
    }

    /// Whether `a` comes before `b`: a value before a missing one, then by value, then the lower doc.
    @inline(__always) func before(_ a: Entry, _ b: Entry) -> Bool { Self.before(a, b, descending) }

    @inline(__always) static func before(_ a: Entry, _ b: Entry, _ descending: Bool) -> Bool {
        if a.key.missing != b.key.missing { return b.key.missing }
        if !a.key.missing && a.key.value != b.key.value { return descending ? a.key.value > b.key.value : a.key.value < b.key.value }
        return a.doc < b.doc
    }

    /// Offers a document with its key.
    @inline(__always) mutating func offer(_ key: SortKeyValue, doc: Int32) {
        let e = Entry(key: key, doc: doc)
        if hasBar && !before(e, bar) { return }
        (entries + count).initialize(to: e)
        count += 1
        if count >= capacity { cut() }
    }

    /// Keeps the k best entries (in no particular order) and sets the bar to the worst of them.
    private mutating func cut() {
        guard count > k else { return }
        let nth = k - 1, desc = descending, e = entries
        var lo = 0, hi = count - 1
        while lo < hi {
            let pivot = e[(lo + hi) / 2]
            var i = lo, j = hi
            while i <= j {
                while Self.before(e[i], pivot, desc) { i += 1 }
                while Self.before(pivot, e[j], desc) { j -= 1 }
                if i <= j { let t = e[i]; e[i] = e[j]; e[j] = t; i += 1; j -= 1 }
            }
            if nth <= j { hi = j } else if nth >= i { lo = i } else { break }
        }
        count = k
        var worst = e[0]
        for i in 1..<k where before(worst, e[i]) { worst = e[i] }
        bar = worst; hasBar = true
    }

    /// The k best, in order.
    mutating func sorted() -> [Entry] {
        cut()
        return UnsafeBufferPointer(start: entries, count: count).sorted { before($0, $1) }
    }
}
