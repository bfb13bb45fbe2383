/// The collection path that visits every match: sort by fields (or by score with a cursor), `searchAfter`
/// and facets. Per segment, the k best documents are kept with their keys in the segment's terms (a
/// keyword as an ordinal); they become ``SortValue``s and are merged across segments at the end.
extension Searcher {
    /// One key of the sort order, resolved against the schema.
    struct ResolvedSort {
        let descending: Bool
        /// Nil for the score.
        let field: Int?
        let type: FieldType
    }

    /// The sort order of `options` (by score when empty), checked against the schema.
    func resolveSort(_ options: SearchOptions) throws -> [ResolvedSort] {
        let keys = options.sort.isEmpty ? [SortField.score] : options.sort
        return try keys.map { key in
            switch key.key {
            case .score: return ResolvedSort(descending: key.descending, field: nil, type: .double)
            case let .field(name):
                guard let spec = manifest.schema[name], spec.columnar, let n = fieldNumbers[name] else {
                    throw SearchIndexError.invalidArgument("cannot sort by '\(name)': it is not a columnar field; columnar fields: \(columnarFieldList)")
                }
                return ResolvedSort(descending: key.descending, field: n, type: spec.type)
            }
        }
    }

    /// The columnar fields and their types, for messages.
    var columnarFieldList: String {
        let l = manifest.schema.fields.filter(\.columnar).map { "\($0.name) (\($0.type.rawValue))" }
        return l.isEmpty ? "none" : l.joined(separator: ", ")
    }

    /// A facet request checked against the schema, as a counter.
    func facetCounter(_ request: FacetRequest) throws -> (counter: FacetCounter, field: Int) {
        let name = request.field
        guard let spec = manifest.schema[name], spec.columnar, let n = fieldNumbers[name] else {
            throw SearchIndexError.invalidArgument("cannot count facets of '\(name)': it is not a columnar field; columnar fields: \(columnarFieldList)")
        }
        switch request {
        case let .terms(_, limit):
            guard limit > 0 else { throw SearchIndexError.invalidArgument("facet '\(name)': the number of values must be at least 1") }
            return (FacetCounter(request: request, kind: .terms(limit: limit), type: spec.type), n)
        case let .ranges(_, ranges):
            guard spec.type.isNumeric else { throw SearchIndexError.invalidArgument("facet '\(name)' is keyword; range buckets need an int, double, date or bool field") }
            func parse(_ t: String) throws -> Int64 {
                guard let v = SortableNumber.parse(t, as: spec.type) else {
                    throw SearchIndexError.invalidArgument("facet '\(name)' is \(spec.type.rawValue): \(t.debugDescription) is not one of its values")
                }
                return v
            }
            let bounds = try ranges.map { r -> (lo: Int64, hi: Int64) in
                let lo = try r.from.map(parse) ?? Int64.min
                guard let to = r.to else { return (lo, Int64.max) }
                let t = try parse(to)
                return (lo, t == Int64.min ? Int64.min : t - 1)   // `to` is exclusive
            }
            return (FacetCounter(request: request, kind: .ranges(bounds), type: spec.type), n)
        case let .dateHistogram(_, interval):
            guard spec.type == .date else { throw SearchIndexError.invalidArgument("facet '\(name)' is \(spec.type.rawValue); calendar intervals need a date field") }
            return (FacetCounter(request: request, kind: .histogram(interval), type: spec.type), n)
        }
    }

    /// Visits every match of `w`: counts the facets, and keeps the best `k` hits in the sort order (after
    /// `searchAfter`), dropping the first `offset` of them.
    func collectSorted(_ w: Weight, filter filterWeight: Weight?, k: Int, ctx: QueryContext) throws -> (hits: [Hit], total: Int, facets: [FacetResult]) {
        let options = ctx.options
        let sort = try resolveSort(options)
        let nk = sort.count
        let descending = sort.map(\.descending)
        if let after = options.searchAfter {
            guard after.values.count == nk, zip(after.values, sort).allSatisfy({ Self.fits($0, $1) }) else {
                throw SearchIndexError.invalidArgument("searchAfter has values \(after.values) that do not fit the sort order \(options.sort.isEmpty ? "by score" : options.sort.map(\.description).joined(separator: ", "))")
            }
        }
        var counters = try options.facets.map(facetCounter)
        var candidates: [(values: [SortValue], doc: Int32, score: Float)] = []
        var total = 0
        let isScore = sort.map { $0.field == nil }
        let scoreIsKey = isScore.contains(true)
        for (si, seg) in segments.enumerated() {
            guard let (scorer, filter) = try segmentScorer(w, filter: filterWeight, si, needsScores: scoreIsKey && k > 0, ctx) else { continue }
            let base = Int32(bases[si])
            let hasFilter = filter != nil, filterSet = filter ?? DocSet()
            var keys = sort.map { s in
                SegmentSortKey(descending: s.descending, column: s.field.flatMap { seg.columns[$0] }.map { ColumnCursor($0, ctx.read) },
                               isKeyword: s.type == .keyword, type: s.type)
            }
            for i in counters.indices { counters[i].counter.begin(seg, field: counters[i].field, ctx: ctx.read) }
            // The cursor in this segment's terms.
            var after: [SortKeyValue] = []
            let afterDoc = Int32(clamping: options.searchAfter?.docID ?? 0)
            if let cursor = options.searchAfter {
                for (j, value) in cursor.values.enumerated() {
                    var key = SortKeyValue(missing: false, value: value.sortable ?? 0)
                    if case .missing = value { key.missing = true }
                    if case let .keyword(s) = value, let c = keys[j].column?.column {
                        let (ord, isExact) = c.lowerBound(Array(s.utf8))
                        key.value = isExact ? Int64(ord) * 2 : Int64(ord) * 2 - 1
                    }
                    after.append(key)
                }
            }
            var top = FieldTopK(k: k, descending: descending)
            let collectHits = k > 0
            var d = scorer.nextDoc()
            if !collectHits, counters.count == 1 {
                // Facets alone (a count): the one counter moves to a local, so counting a document does no
                // copy-on-write check of the counters' array.
                var counter = counters[0].counter
                counters[0].counter = FacetCounter(request: counter.request, kind: counter.kind, type: counter.type)
                let deleted = seg.deleted != nil
                if let (start, counts) = counter.keywordCounting() {
                    // The commonest facet, values of a keyword: counted here, straight into the ordinal counts.
                    var cursor = start
                    var missing = 0
                    while d != noMoreDocs {
                        if hasFilter && filterSet.skip(scorer, &d) { continue }
                        if !deleted || !seg.isDeleted(d) {
                            total += 1
                            let r = cursor.range(d)
                            if r.isEmpty { missing += 1 }
                            for i in r { counts[Int(cursor.value(i))] += 1 }
                        }
                        d = scorer.nextDoc()
                    }
                    counter.addMissing(missing)
                } else {
                    while d != noMoreDocs {
                        if hasFilter && filterSet.skip(scorer, &d) { continue }
                        if !deleted || !seg.isDeleted(d) { total += 1; counter.collect(d) }
                        d = scorer.nextDoc()
                    }
                }
                counters[0].counter = counter
                try ctx.read.errors.check()
                continue
            }
            if collectHits, nk == 1, !isScore[0], after.isEmpty, counters.isEmpty {
                // The common case, one field key and nothing else to do per match: a tighter loop and a
                // selection buffer instead of the heap.
                let key = keys[0]
                var single = SingleKeyTopK(k: k, descending: descending[0])
                let deleted = seg.deleted != nil
                let desc = descending[0]
                let scale: Int64 = key.isKeyword ? 2 : 1
                if var cursor = key.column {
                    while d != noMoreDocs {
                        if hasFilter && filterSet.skip(scorer, &d) { continue }
                        if !deleted || !seg.isDeleted(d) {
                            total += 1
                            let r = cursor.range(d)
                            let v = r.isEmpty ? SortKeyValue(missing: true, value: 0)
                                : SortKeyValue(missing: false, value: cursor.value(desc ? r.upperBound - 1 : r.lowerBound) &* scale)
                            single.offer(v, doc: base + d)
                        }
                        d = scorer.nextDoc()
                    }
                } else {
                    while d != noMoreDocs {   // no document of the segment has the field
                        if hasFilter && filterSet.skip(scorer, &d) { continue }
                        if !deleted || !seg.isDeleted(d) { total += 1; single.offer(SortKeyValue(missing: true, value: 0), doc: base + d) }
                        d = scorer.nextDoc()
                    }
                }
                try ctx.read.errors.check()
                for e in single.sorted() {
                    let value: SortValue
                    if e.key.missing { value = .missing }
                    else if let c = key.column?.column, c.isKeyword { value = .keyword(c.term(Int(e.key.value / 2))) }
                    else { value = SortValue.numeric(e.key.value, sort[0].type) }
                    candidates.append(([value], e.doc, .nan))
                }
                continue
            }
            while d != noMoreDocs {
                if hasFilter && filterSet.skip(scorer, &d) { continue }
                if !seg.isDeleted(d) {
                    total += 1
                    for i in counters.indices { counters[i].counter.collect(d) }
                    if collectHits {
                        var score = Float.nan
                        for j in 0..<nk {
                            if isScore[j] {
                                score = scorer.score()
                                top.candidate[j] = SortKeyValue(missing: false, value: Int64(SortValue.sortableFloat(score)))
                            } else {
                                top.candidate[j] = keys[j].value(d)
                            }
                        }
                        let gd = base + d
                        if (after.isEmpty || FieldTopK.before(after[...], afterDoc, top.candidate[...], gd, descending)) && top.accepts(doc: gd) {
                            top.insert(doc: gd, score: score)
                        }
                    }
                }
                d = scorer.nextDoc()
            }
            try ctx.read.errors.check()
            for e in 0..<top.count {
                var values: [SortValue] = []
                for j in 0..<nk {
                    let key = top.key(e, j)
                    if isScore[j] { values.append(.score(top.scores[e])) }
                    else if key.missing { values.append(.missing) }
                    else if let c = keys[j].column?.column, c.isKeyword { values.append(.keyword(c.term(Int(key.value / 2)))) }
                    else { values.append(SortValue.numeric(key.value, sort[j].type)) }
                }
                candidates.append((values, top.docs[e], top.scores[e]))
            }
        }
        candidates.sort { a, b in
            for j in 0..<nk {
                let c = Self.compare(a.values[j], b.values[j])
                if c != 0 {
                    if case .missing = a.values[j] { return false }
                    if case .missing = b.values[j] { return true }
                    return descending[j] ? c > 0 : c < 0
                }
            }
            return a.doc < b.doc
        }
        var hits = candidates.prefix(k).dropFirst(options.offset).map {
            Hit(docID: Int($0.doc), score: $0.score, sortValues: options.sort.isEmpty ? [] : $0.values)
        }
        if !scoreIsKey { try scoreHits(&hits, w, ctx: ctx) }
        return (Array(hits), total, counters.indices.map { counters[$0].counter.result() })
    }

    /// Scores hits chosen by field values (collection does not score what it sorts by field): a fresh scorer
    /// per segment is advanced to each hit's document, in doc order, as Lucene's `populateScores` does.
    func scoreHits(_ hits: inout [Hit], _ w: Weight, ctx: QueryContext) throws {
        let order = hits.indices.sorted { hits[$0].docID < hits[$1].docID }
        var si = -1
        var scorer: (any Scorer)? = nil
        for i in order {
            guard let (s, local) = locate(hits[i].docID) else { continue }
            if s != si { si = s; scorer = try w.scorer(segments[s], segmentIndex: s, ctx: ctx) }
            guard let scorer else { continue }
            let target = Int32(local)
            if scorer.doc < target { _ = scorer.advance(target) }
            hits[i].score = scorer.doc == target ? scorer.score() : 0
        }
        try ctx.read.errors.check()
    }

    /// Whether a cursor value can stand for a key of `sort`.
    static func fits(_ value: SortValue, _ sort: ResolvedSort) -> Bool {
        switch value {
        case .missing: return sort.field != nil
        case .score: return sort.field == nil
        case .keyword: return sort.field != nil && sort.type == .keyword
        case .int, .double, .date, .bool: return sort.field != nil && sort.type.isNumeric
        }
    }

    /// -1, 0 or 1 as `a` sorts before, with or after `b` ascending (values of one key; missing is greatest).
    static func compare(_ a: SortValue, _ b: SortValue) -> Int {
        switch (a, b) {
        case (.missing, .missing): return 0
        case (.missing, _): return 1
        case (_, .missing): return -1
        case let (.keyword(x), .keyword(y)):
            if x == y { return 0 }
            return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8)) ? -1 : 1
        case let (.score(x), .score(y)): return x < y ? -1 : (x > y ? 1 : 0)
        default:
            let x = a.sortable ?? 0, y = b.sortable ?? 0
            return x < y ? -1 : (x > y ? 1 : 0)
        }
    }
}
