/// A filter checked document by document against the columns, instead of iterated through postings: what
/// Lucene's `IndexOrDocValuesQuery` does when the query, not the filter, leads. A filter made only of
/// ranges, keyword terms of columnar fields and boolean combinations of them can be verified this way, at
/// the cost of a column lookup per candidate; ``Searcher/segmentFilter(_:_:mainCost:_:)`` chooses it when
/// the filter matches about as many documents as the query or more.
final class ColumnFilter {
    indirect enum Node {
        case always
        case never
        /// Some value of column `cursor` is in `[lo, hi]`.
        case range(cursor: Int, lo: Int64, hi: Int64)
        /// Keyword column `cursor` holds ordinal `ordinal`.
        case contains(cursor: Int, ordinal: Int64)
        case and([Node])
        case or([Node])
        case andNot(Node, Node)
    }
    /// A leaf of a conjunction, flattened: some value of cursor `cursor` is in `[lo, hi]` (a keyword
    /// ordinal is the range `[o, o]`).
    struct Leaf {
        let cursor: Int
        let lo: Int64
        let hi: Int64
    }
    /// The cursors, behind a pointer: evaluation mutates them without copy-on-write or exclusivity checks.
    private let cursors: UnsafeMutablePointer<ColumnCursor>
    private let cursorCount: Int
    private let root: Node
    /// `root` as a conjunction of leaves, when it is one (the common case: a range and a keyword).
    private let leaves: [Leaf]?

    private init(cursors cs: [ColumnCursor], root: Node) {
        cursorCount = cs.count
        cursors = .allocate(capacity: max(cs.count, 1))
        cursors.initialize(from: cs, count: cs.count)
        self.root = root
        func leaf(_ n: Node) -> Leaf? {
            switch n {
            case let .range(c, lo, hi): return Leaf(cursor: c, lo: lo, hi: hi)
            case let .contains(c, o): return Leaf(cursor: c, lo: o, hi: o)
            default: return nil
            }
        }
        if let l = leaf(root) { leaves = [l] }
        else if case let .and(ns) = root, case let ls = ns.compactMap(leaf), ls.count == ns.count { leaves = ls }
        else { leaves = nil }
    }
    deinit { cursors.deinitialize(count: cursorCount); cursors.deallocate() }

    /// The column form of filter weight `w` over `seg`, or nil when some clause needs the postings (text,
    /// phrases, keyword fields without a column).
    static func make(_ w: Weight, _ seg: SegmentReader, _ si: Int, _ ctx: ReadContext) -> ColumnFilter? {
        var cursors: [ColumnCursor] = []
        var byField: [Int: Int] = [:]
        func cursor(_ c: ColumnReader) -> Int {
            if let i = byField[c.field] { return i }
            cursors.append(ColumnCursor(c, ctx))
            byField[c.field] = cursors.count - 1
            return cursors.count - 1
        }
        func node(_ w: Weight) -> Node? {
            switch w {
            case .none: return .never
            case .matchAll: return .always
            case let .range(r):
                guard let c = seg.columns[r.field] else { return .never }
                return .range(cursor: cursor(c), lo: r.lo, hi: r.hi)
            case let .term(t):
                guard let c = seg.columns[t.field], c.isKeyword else { return nil }
                // Keyword terms of columnar fields only: the segment's column holds the same values.
                let (ordinal, exact) = c.lowerBound(Array(t.key.dropFirst()))
                return exact ? .contains(cursor: cursor(c), ordinal: Int64(ordinal)) : .never
            case let .boolean(must, should, mustNot):
                var parts: [Node] = []
                for m in must { guard let n = node(m) else { return nil }; parts.append(n) }
                if must.isEmpty {
                    var any: [Node] = []
                    for s in should { guard let n = node(s) else { return nil }; any.append(n) }
                    parts.append(any.isEmpty ? .always : .or(any))
                }
                var positive: Node = parts.count == 1 ? parts[0] : .and(parts)
                if !mustNot.isEmpty {
                    var excluded: [Node] = []
                    for x in mustNot { guard let n = node(x) else { return nil }; excluded.append(n) }
                    positive = .andNot(positive, .or(excluded))
                }
                return positive
            case let .expansion(ts): return node(.boolean(must: [], should: ts.map { .term($0) }, mustNot: []))
            case .phrase, .dismax, .combined: return nil
            }
        }
        guard let root = node(w) else { return nil }
        return ColumnFilter(cursors: cursors, root: root)
    }

    /// Whether document `doc` passes (documents in increasing order).
    @inline(__always) func matches(_ doc: Int32) -> Bool {
        guard let leaves else { return eval(root, doc) }
        for l in leaves where !inRange(l.cursor, l.lo, l.hi, doc) { return false }
        return true
    }

    /// Whether some value of cursor `c` for `doc` is in `[lo, hi]` (values are increasing).
    @inline(__always) private func inRange(_ c: Int, _ lo: Int64, _ hi: Int64, _ doc: Int32) -> Bool {
        let r = cursors[c].range(doc)
        for i in r { let v = cursors[c].value(i); if v >= lo { return v <= hi } }
        return false
    }

    private func eval(_ n: Node, _ doc: Int32) -> Bool {
        switch n {
        case .always: return true
        case .never: return false
        case let .range(c, lo, hi): return inRange(c, lo, hi, doc)
        case let .contains(c, ordinal): return inRange(c, ordinal, ordinal, doc)
        case let .and(ns):
            for x in ns where !eval(x, doc) { return false }
            return true
        case let .or(ns):
            for x in ns where eval(x, doc) { return true }
            return false
        case let .andNot(a, b): return eval(a, doc) && !eval(b, doc)
        }
    }

    /// An estimate of the documents filter weight `w` keeps in segment `si`, from the dictionary and the
    /// columns' block headers (no block is inflated).
    static func estimatedCost(_ w: Weight, _ seg: SegmentReader, _ si: Int) -> Int {
        switch w {
        case .none: return 0
        case .matchAll: return seg.meta.docCount
        case let .term(t): return t.infos[si]?.docFreq ?? 0
        case let .range(r):
            guard let c = seg.columns[r.field] else { return 0 }
            return c.blocks.reduce(0) { $0 + ($1.max >= r.lo && $1.min <= r.hi ? $1.docsWithValue : 0) }
        case let .boolean(must, should, _):
            if !must.isEmpty { return must.map { estimatedCost($0, seg, si) }.min() ?? 0 }
            return should.reduce(0) { $0 + estimatedCost($1, seg, si) }
        case let .phrase(p): return p.infos[si]?.map(\.docFreq).min() ?? 0
        case let .dismax(ws, _): return ws.reduce(0) { $0 + estimatedCost($1, seg, si) }
        case let .expansion(ts): return ts.reduce(0) { $0 + ($1.infos[si]?.docFreq ?? 0) }
        case let .combined(c): return c.terms.reduce(0) { $0 + ($1.infos[si]?.docFreq ?? 0) }
        }
    }
}
