/// From a ``Query`` to ``Weight``s: the query's words analyzed, expanded over fields and prefixes, and
/// resolved against the snapshot's dictionaries and index-wide statistics (idf). Then, per segment, a
/// weight becomes a ``Scorer``.
extension Searcher {
    /// Fields for words without `field:`.
    func defaultFields(_ options: SearchOptions) -> [Int] {
        if let fs = options.fields { return fs.compactMap { fieldNumbers[$0] } }
        return manifest.fields.indices.filter { $0 > 0 && totals.docCount[$0] > 0 }
    }

    func boost(_ f: Int, _ options: SearchOptions) -> Float { options.boosts[manifest.fields[f]] ?? 1 }

    func weight(_ q: Query, field: String?, ctx: QueryContext) throws -> Weight {
        switch q {
        case let .term(f, text), let .phrase(f, text):
            // A word that analyzes to several terms (e-mail, 東京) is a phrase; a one-word phrase is a term.
            return try perField(f, ctx.options) { field in try analyzedWeight(field: field, text: text, ctx: ctx) }
        case let .exactTerm(f, term):
            return try perField(f, ctx.options) { field in
                try termWeight(field: field, key: [UInt8(field)] + Array(term.utf8), ctx: ctx)
            }
        case let .prefix(f, text):
            return try perField(f, ctx.options) { field in
                let p = [UInt8(field)] + analyzer.normalizePrefix(text)
                guard p.count > 1 else { return .none }
                // The scan already yields each segment's entry for every matching term: keep them, so the
                // chosen terms need no second dictionary lookup.
                var found: [[UInt8]: (df: Int, infos: [TermInfo?])] = [:]
                for (si, s) in segments.enumerated() {
                    for (k, info) in try s.dict.prefixTerms(p, limit: 4096) {
                        found[k, default: (0, [TermInfo?](repeating: nil, count: segments.count))].df += info.docFreq
                        found[k]?.infos[si] = info
                    }
                }
                let top = found.sorted { $0.value.df != $1.value.df ? $0.value.df > $1.value.df : $0.key.lexicographicallyPrecedes($1.key) }
                    .prefix(ctx.options.maxPrefixTerms)
                let ws = try top.map { try termWeight(field: field, key: $0.key, df: $0.value.df, infos: $0.value.infos, ctx: ctx) }
                return ws.isEmpty ? .none : .boolean(must: [], should: ws, mustNot: [])
            }
        case let .boolean(clauses):
            var must: [Weight] = [], should: [Weight] = [], not: [Weight] = []
            for c in clauses {
                let w = try weight(c.query, field: field, ctx: ctx)
                if case .none = w { continue }   // a clause of only stopwords drops out, as in Lucene
                switch c.occur { case .must: must.append(w); case .should: should.append(w); case .mustNot: not.append(w) }
            }
            if must.isEmpty && should.isEmpty { return .none }
            return .boolean(must: must, should: should, mustNot: not)
        }
    }

    private func analyzedWeight(field: Int, text: String, ctx: QueryContext) throws -> Weight {
        var keys: [[UInt8]] = [], positions: [Int] = []
        analyzer.analyze(text) { t, p in keys.append([UInt8(field)] + Array(t)); positions.append(p) }
        if keys.isEmpty { return .none }
        if keys.count == 1 { return try termWeight(field: field, key: keys[0], ctx: ctx) }
        return try phraseWeight(field: field, keys: keys, positions: positions, ctx: ctx)
    }

    private func perField(_ f: String?, _ options: SearchOptions, _ make: (Int) throws -> Weight) throws -> Weight {
        if let f {
            guard let n = fieldNumbers[f], n > 0 else { return .none }
            return try make(n)
        }
        let ws = try defaultFields(options).map(make).filter { if case .none = $0 { return false }; return true }
        if ws.isEmpty { return .none }
        if ws.count == 1 { return ws[0] }
        switch options.fieldCombination {
        case .sum: return .boolean(must: [], should: ws, mustNot: [])
        case let .max(tie): return .dismax(ws, tieBreaker: tie)
        }
    }

    func termWeight(field: Int, key: [UInt8], ctx: QueryContext) throws -> Weight {
        var df = 0
        var infos: [TermInfo?] = []
        for s in segments {
            let i = try s.term(key)
            infos.append(i)
            df += i?.docFreq ?? 0
        }
        return try termWeight(field: field, key: key, df: df, infos: infos, ctx: ctx)
    }

    /// A term's weight from its per-segment dictionary entries (nil where a segment lacks it).
    private func termWeight(field: Int, key: [UInt8], df: Int, infos: [TermInfo?], ctx: QueryContext) throws -> Weight {
        try ctx.chargeTerms(1)
        let idf = BM25.idf(docFreq: df, docCount: max(totals.docCount[field], df))
        return .term(TermWeight(field: field, key: key, idf: idf, boost: boost(field, ctx.options), infos: infos))
    }

    func phraseWeight(field: Int, keys: [[UInt8]], positions: [Int], ctx: QueryContext) throws -> Weight {
        try ctx.chargeTerms(keys.count)
        var idf: Float = 0
        var perSeg = [[TermInfo]?](repeating: [], count: segments.count)
        for k in keys {
            var df = 0
            for (si, s) in segments.enumerated() {
                if let i = try s.term(k) { perSeg[si]?.append(i); df += i.docFreq } else { perSeg[si] = nil }
            }
            idf += BM25.idf(docFreq: df, docCount: max(totals.docCount[field], df))
        }
        let base = positions.min() ?? 0
        return .phrase(PhraseWeight(field: field, offsets: positions.map { UInt32($0 - base) }, idf: idf,
                                    boost: boost(field, ctx.options), infos: perSeg, text: keys.map { String(decoding: $0.dropFirst(), as: UTF8.self) }.joined(separator: " ")))
    }
}

struct TermWeight {
    let field: Int
    let key: [UInt8]
    let idf: Float
    let boost: Float
    let infos: [TermInfo?]
}

struct PhraseWeight {
    let field: Int
    let offsets: [UInt32]
    let idf: Float
    let boost: Float
    let infos: [[TermInfo]?]
    let text: String
}

/// A query with its analysis and index-wide statistics resolved; turns into a scorer per segment.
indirect enum Weight {
    case none
    case term(TermWeight)
    case phrase(PhraseWeight)
    case boolean(must: [Weight], should: [Weight], mustNot: [Weight])
    case dismax([Weight], tieBreaker: Float)

    /// The weight's scorer over segment `seg` (number `si` of the snapshot), or nil when nothing in the segment
    /// can match.
    func scorer(_ seg: SegmentReader, segmentIndex si: Int, ctx: QueryContext) throws -> (any Scorer)? {
        switch self {
        case .none: return nil
        case let .term(t):
            guard let info = t.infos[si] else { return nil }
            return TermScorer(cursor: seg.cursor(info, ctx.read), idf: t.idf, boost: t.boost, bm25: ctx.options.bm25,
                              cache: ctx.normCache(t.field), norms: seg.norms(t.field),
                              fieldName: ctx.totals.names[t.field], key: t.key)
        case let .phrase(p):
            guard let infos = p.infos[si], infos.count == p.offsets.count else { return nil }
            return PhraseScorer(cursors: infos.map { seg.cursor($0, ctx.read) }, offsets: p.offsets, idf: p.idf, boost: p.boost,
                                bm25: ctx.options.bm25, cache: ctx.normCache(p.field), norms: seg.norms(p.field),
                                label: "\(ctx.totals.names[p.field]):\"\(p.text)\"")
        case let .dismax(ws, tie):
            let subs = try ws.compactMap { try $0.scorer(seg, segmentIndex: si, ctx: ctx) }
            if subs.isEmpty { return nil }
            return subs.count == 1 ? subs[0] : DisjunctionScorer(subs, tieBreaker: tie, docAtATime: ctx.explaining)
        case let .boolean(must, should, mustNot):
            func build(_ ws: [Weight]) throws -> [any Scorer] {
                try ws.compactMap { try $0.scorer(seg, segmentIndex: si, ctx: ctx) }
            }
            let m = try build(must), s = try build(should), n = try build(mustNot)
            if m.count < must.count { return nil }   // a required clause matches nothing here
            let excluded: (any Scorer)? = n.isEmpty ? nil : (n.count == 1 ? n[0] : DisjunctionScorer(n, docAtATime: ctx.explaining))
            let optional: (any Scorer)? = s.isEmpty ? nil : (s.count == 1 ? s[0] : DisjunctionScorer(s, docAtATime: ctx.explaining))
            if m.isEmpty {
                guard let optional else { return nil }
                return excluded == nil ? optional : BooleanScorer(required: optional, optional: nil, excluded: excluded)
            }
            let required = m.count == 1 ? m[0] : ConjunctionScorer(m)
            if optional == nil && excluded == nil { return required }
            return BooleanScorer(required: required, optional: optional, excluded: excluded)
        }
    }
}
