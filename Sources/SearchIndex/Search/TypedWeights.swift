/// Weights of clauses on typed fields (``FieldType``): a keyword is matched exactly in the postings; a
/// number, date or bool through its column, as a range of sortable integers. Every construct that makes no
/// sense for a field's type is a ``SearchIndexError/querySyntax(query:position:message:)`` error naming the
/// field and its type.
extension Searcher {
    /// The spec of `field` when it is a typed (not text) field of the schema.
    func typedSpec(_ field: String?) -> FieldSpec? {
        guard let field, let spec = manifest.schema[field], spec.type != .text else { return nil }
        return spec
    }

    /// The field a leaf query names, if any.
    static func leafField(_ q: Query) -> String? {
        switch q {
        case let .term(f, _), let .exactTerm(f, _), let .phrase(f, _), let .prefix(f, _), let .sloppyPhrase(f, _, _),
             let .fuzzy(f, _, _), let .wildcard(f, _): return f
        case let .range(f, _, _, _, _): return f
        case .boosted, .boolean, .matchAll: return nil
        }
    }

    /// Describes the typed fields, for error messages: `date (date), topics (keyword)`.
    var typedFieldList: String {
        manifest.schema.fields.filter { $0.type != .text }.map { "\($0.name) (\($0.type.rawValue))" }.joined(separator: ", ")
    }

    /// The weight of leaf `q` on typed field `field`.
    func typedWeight(_ q: Query, field: String, spec: FieldSpec, ctx: QueryContext) throws -> Weight {
        guard let n = fieldNumbers[field] else { return .none }
        let kind = spec.type.rawValue
        func unsupported(_ what: String) -> SearchIndexError {
            ctx.fieldError(field, "field '\(field)' is \(kind); \(what) needs a text field")
        }
        if spec.type == .keyword {
            guard spec.indexed else { throw ctx.fieldError(field, "field '\(field)' is keyword but not indexed: it cannot be matched") }
            switch q {
            case let .term(_, v), let .exactTerm(_, v), let .phrase(_, v):
                return try termWeight(field: n, key: [UInt8(n)] + Array(v.utf8), ctx: ctx)
            case let .prefix(_, p):
                return try expansionWeight(field: n, ctx: ctx) { dict in
                    try TermExpansion.prefixTerms(dict, prefix: [UInt8(n)] + Array(p.utf8), budget: &ctx.scanBudget)
                }
            case .range: throw ctx.fieldError(field, "field '\(field)' is keyword; ranges need an int, double, date or bool field")
            case .sloppyPhrase: throw unsupported("a sloppy phrase")
            case .fuzzy: throw unsupported("a fuzzy term")
            case .wildcard: throw unsupported("a wildcard")
            case .boosted, .boolean, .matchAll: return .none
            }
        }
        guard spec.indexed, spec.columnar else { throw ctx.fieldError(field, "field '\(field)' is \(kind) but not indexed: it cannot be matched") }
        switch q {
        case let .term(_, v), let .exactTerm(_, v), let .phrase(_, v):
            guard let b = try bounds(of: v, spec, ctx) else { return .none }
            return .range(RangeWeight(field: n, lo: b.start, hi: b.end, boost: 1))
        case let .range(_, lower, upper, includeLower, includeUpper):
            var lo = Int64.min, hi = Int64.max
            if let lower {
                guard let b = try bounds(of: lower, spec, ctx) else { return .none }
                if includeLower { lo = b.start } else { guard b.end < Int64.max else { return .none }; lo = b.end + 1 }
            }
            if let upper {
                guard let b = try bounds(of: upper, spec, ctx) else { return .none }
                if includeUpper { hi = b.end } else { guard b.start > Int64.min else { return .none }; hi = b.start - 1 }
            }
            guard lo <= hi else { return .none }   // an empty (or reversed) range matches nothing
            return .range(RangeWeight(field: n, lo: lo, hi: hi, boost: 1))
        case .prefix: throw unsupported("a prefix")
        case .sloppyPhrase: throw unsupported("a sloppy phrase")
        case .fuzzy: throw unsupported("a fuzzy term")
        case .wildcard: throw unsupported("a wildcard")
        case .boosted, .boolean, .matchAll: return .none
        }
    }

    /// The first and last sortable values `text` stands for in a field of `spec`'s type: one value for a
    /// number or bool, the whole period for a date given without milliseconds.
    func bounds(of text: String, _ spec: FieldSpec, _ ctx: QueryContext) throws -> (start: Int64, end: Int64)? {
        let field = spec.name
        switch spec.type {
        case .date:
            guard let d = DateValue.parse(text) else {
                throw ctx.fieldError(field, "field '\(field)' is date; \(text.debugDescription) is not an ISO 8601 date (2017-03-01, 2017-03, 2017-03-01T10:30:00Z)")
            }
            return (d.start, d.end)
        default:
            guard let v = SortableNumber.parse(text, as: spec.type) else {
                throw ctx.fieldError(field, "field '\(field)' is \(spec.type.rawValue); \(text.debugDescription) is not \(spec.type == .bool ? "true or false" : "a number")")
            }
            return (v, v)
        }
    }
}

/// A range of sortable values of a columnar field (inclusive bounds), scored `boost` where it matches.
struct RangeWeight {
    let field: Int
    let lo: Int64
    let hi: Int64
    var boost: Float

    /// The documents of `seg` with a value in the range, as a bitset; nil when there are none. Blocks whose
    /// `[min, max]` misses the range are skipped without inflating them, and a block inside the range where
    /// every document has a value is taken whole.
    func matches(_ seg: SegmentReader, ctx: ReadContext) -> (bits: [UInt64], count: Int)? {
        guard let column = seg.columns[field], column.docsWithValue > 0 else { return nil }
        var bits = [UInt64](repeating: 0, count: (seg.meta.docCount + 63) / 64)
        var count = 0
        for (b, info) in column.blocks.enumerated() {
            guard info.docsWithValue > 0, info.max >= lo, info.min <= hi else { continue }
            let first = b << ColumnsFile.blockShift
            let docs = min(ColumnsFile.blockSize, seg.meta.docCount - first)
            if info.min >= lo, info.max <= hi, info.docsWithValue == docs {
                for d in first ..< first + docs { bits[d >> 6] |= 1 << UInt64(d & 63) }
                count += docs
                continue
            }
            let block: ColumnBlock
            do { block = try column.block(b, inflater: ctx.inflater) } catch { ctx.errors.record(error); continue }
            for i in 0..<docs {
                let s = Int(block.starts[i]), e = Int(block.starts[i + 1])
                guard s < e else { continue }
                var j = s
                while j < e && block.values[j] < lo { j += 1 }
                if j < e && block.values[j] <= hi {
                    let d = first + i
                    bits[d >> 6] |= 1 << UInt64(d & 63); count += 1
                }
            }
        }
        return count > 0 ? (bits, count) : nil
    }
}

/// The documents of a bitset, each scored `score`.
final class BitSetScorer: ScorerBase, Scorer {
    let bits: [UInt64]
    let docCount: Int32
    let cost: Int
    let constant: Float
    let label: String
    init(bits: [UInt64], count: Int, docCount: Int, score: Float, label: String) {
        self.bits = bits; self.cost = count; self.docCount = Int32(clamping: docCount); constant = score; self.label = label
        super.init()
    }
    var maxScore: Float { constant }
    var matchBits: [UInt64]? { bits }
    func nextDoc() -> Int32 { advance(doc + 1) }
    func advance(_ target: Int32) -> Int32 {
        var t = max(target, 0)
        guard t < docCount else { doc = noMoreDocs; return doc }
        var w = Int(t) >> 6
        var word = bits[w] & (~0 << UInt64(t & 63))
        while word == 0 {
            w += 1
            guard w < bits.count else { doc = noMoreDocs; return doc }
            word = bits[w]
        }
        t = Int32(w << 6 + word.trailingZeroBitCount)
        doc = t < docCount ? t : noMoreDocs
        return doc
    }
    func score() -> Float { constant }
    func explain() -> Explanation { Explanation(value: constant, description: label) }
}
