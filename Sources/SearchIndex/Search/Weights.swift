/// From a ``Query`` to ``Weight``s: the query's words analyzed, expanded over fields and prefixes, and
/// resolved against the snapshot's dictionaries and index-wide statistics (idf). Then, per segment, a
/// weight becomes a ``Scorer``.
extension Searcher {
    /// Fields for words without `field:`. Naming a field that is not searchable is an error.
    func defaultFields(_ options: SearchOptions) throws -> [Int] {
        if let fs = options.fields {
            return try fs.map { f in
                guard let n = fieldNumbers[f], textFieldNumbers.contains(n) else {
                    throw SearchIndexError.invalidArgument("SearchOptions.fields names \(f.debugDescription), which is not a searchable field; searchable fields: \(textFields.joined(separator: ", "))")
                }
                return n
            }
        }
        return textFieldNumbers
    }

    /// Field `f`'s weight in this search: ``SearchOptions/boosts``, else its schema weight.
    func boost(_ f: Int, _ options: SearchOptions) -> Float { options.boosts[manifest.fields[f]] ?? fieldWeights[f] }

    func weight(_ q: Query, field: String?, ctx: QueryContext) throws -> Weight {
        if let f = Self.leafField(q), let spec = typedSpec(f) { return try typedWeight(q, field: f, spec: spec, ctx: ctx) }
        switch q {
        case .matchAll: return .matchAll
        case let .range(f, _, _, _, _):
            if fieldNumbers[f] == nil || f == Manifest.idField {
                throw ctx.fieldError(f, "unknown field '\(f)'; fields with ranges: \(typedFieldList.isEmpty ? "none (declare an int, double, date or bool field)" : typedFieldList)")
            }
            throw ctx.fieldError(f, "field '\(f)' is \(manifest.schema[f]?.type.rawValue ?? "stored-only text"); ranges need an int, double, date or bool field")
        case let .term(f, text):
            if f == Manifest.idField { return try idWeight(text, ctx: ctx) }
            // With typo tolerance, a plain word also matches terms within its AUTO edit distance.
            if ctx.options.typoTolerance {
                return try perField(f, ctx) { field in try fuzzyWeight(field: field, text: text, maxEdits: nil, ctx: ctx, plainWord: true) }
            }
            return try perField(f, ctx) { field in
                let w = try analyzedWeight(field: field, text: text, slop: 0, ctx: ctx)
                ctx.recordProximity(w)
                return w
            }
        case let .phrase(f, text):
            if f == Manifest.idField { return try idWeight(text, ctx: ctx) }
            // A word that analyzes to several terms (e-mail, 東京) is a phrase; a one-word phrase is a term.
            return try perField(f, ctx) { field in try analyzedWeight(field: field, text: text, slop: 0, ctx: ctx) }
        case let .sloppyPhrase(f, text, slop):
            try requireTextField(f, "a sloppy phrase", ctx)
            return try perField(f, ctx) { field in try analyzedWeight(field: field, text: text, slop: slop, ctx: ctx) }
        case let .exactTerm(f, term):
            if f == Manifest.idField { return try idWeight(term, ctx: ctx) }
            return try perField(f, ctx) { field in
                let w = try termWeight(field: field, key: [UInt8(field)] + Array(term.utf8), ctx: ctx)
                ctx.recordProximity(w)
                return w
            }
        case let .prefix(f, text):
            if f == Manifest.idField {
                return try expansionWeight(field: 0, ctx: ctx) { dict in
                    try TermExpansion.prefixTerms(dict, prefix: [0] + Array(text.utf8), budget: &ctx.scanBudget)
                }
            }
            return try perField(f, ctx) { field in
                let p = [UInt8(field)] + analyzer.normalizePrefix(text)
                guard p.count > 1 else { return .none }
                return try expansionWeight(field: field, ctx: ctx) { dict in
                    try TermExpansion.prefixTerms(dict, prefix: p, budget: &ctx.scanBudget)
                }
            }
        case let .wildcard(f, pattern):
            try requireTextField(f, "a wildcard", ctx)
            return try perField(f, ctx) { field in
                let elements = wildcardPattern(pattern)
                guard elements.contains(where: { if case .scalar = $0 { return true }; return false }) else { return .none }
                return try expansionWeight(field: field, ctx: ctx) { dict in
                    try TermExpansion.wildcardTerms(dict, field: UInt8(field), pattern: elements, budget: &ctx.scanBudget)
                }
            }
        case let .fuzzy(f, text, edits):
            try requireTextField(f, "a fuzzy term", ctx)
            return try perField(f, ctx) { field in try fuzzyWeight(field: field, text: text, maxEdits: edits, ctx: ctx, plainWord: false) }
        case let .boosted(inner, b):
            guard b > 0, b.isFinite else { throw SearchIndexError.invalidArgument("boost \(b) must be a positive number") }
            return try weight(inner, field: field, ctx: ctx).scaled(by: b)
        case let .boolean(clauses):
            var must: [Weight] = [], should: [Weight] = [], not: [Weight] = []
            for c in clauses {
                if c.occur == .mustNot { ctx.negated += 1 }
                defer { if c.occur == .mustNot { ctx.negated -= 1 } }
                let w = try weight(c.query, field: field, ctx: ctx)
                if case .none = w { continue }   // a clause of only stopwords drops out, as in Lucene
                switch c.occur { case .must: must.append(w); case .should: should.append(w); case .mustNot: not.append(w) }
            }
            if must.isEmpty && should.isEmpty {
                // Only excluded clauses, as written (`NOT b`, `a AND (NOT b)`): every document except those.
                // (Positive clauses that were all stopwords do not turn the query into "everything but".)
                if !not.isEmpty, !clauses.contains(where: { $0.occur != .mustNot }) {
                    return .boolean(must: [.matchAll], should: [], mustNot: not)
                }
                return .none
            }
            return .boolean(must: must, should: Self.mergingRepeatedTerms(should), mustNot: not)
        }
    }

    /// Optional clauses with a repeated word (`pct pct`, or the same word through two fields' BM25F) merged
    /// into one clause whose boost is the sum: the same scores (a sum of equal terms is the term scaled),
    /// with one cursor instead of several over the same postings.
    static func mergingRepeatedTerms(_ ws: [Weight]) -> [Weight] {
        guard ws.count > 1 else { return ws }
        var out: [Weight] = []
        out.reserveCapacity(ws.count)
        for w in ws {
            switch w {
            case let .term(t):
                if let i = out.firstIndex(where: { if case let .term(o) = $0 { return o.field == t.field && o.key == t.key }; return false }),
                   case var .term(o) = out[i] {
                    o.boost += t.boost; out[i] = .term(o); continue
                }
            case let .combined(c):
                if let i = out.firstIndex(where: { if case let .combined(o) = $0 { return o.sameTerms(as: c) }; return false }),
                   case var .combined(o) = out[i] {
                    o.boost += c.boost; out[i] = .combined(o); continue
                }
            default: break
            }
            out.append(w)
        }
        return out
    }

    /// `_id:value`: the document whose id is exactly `value` (ids are not analyzed).
    private func idWeight(_ id: String, ctx: QueryContext) throws -> Weight {
        try termWeight(field: 0, key: [0] + Array(id.utf8), ctx: ctx)
    }

    /// Throws when `f` is the id field, which takes only exact ids and prefixes.
    private func requireTextField(_ f: String?, _ what: String, _ ctx: QueryContext) throws {
        guard f == Manifest.idField else { return }
        throw ctx.fieldError(Manifest.idField, "the \(Manifest.idField) field takes exact ids and id prefixes, not \(what)")
    }

    /// A disjunction of the terms `expand` finds in each segment's dictionary, with their document
    /// frequencies summed over the segments: the `maxPrefixTerms` most frequent (ties: key order), each
    /// scored as a term.
    func expansionWeight(field: Int, ctx: QueryContext,
                                 _ expand: (TermDictionaryReader) throws -> [(key: [UInt8], docFreq: Int)]) throws -> Weight {
        var candidates: [(key: [UInt8], docFreq: Int)]
        if segments.count == 1 {
            candidates = try expand(segments[0].dict)
        } else {
            var merged: [[UInt8]: Int] = [:]
            for s in segments { for (k, df) in try expand(s.dict) { merged[k, default: 0] += df } }
            candidates = merged.map { ($0.key, $0.value) }
        }
        // Always in this order (not the dictionary's): the terms' scores add up in it, so the same query gives
        // the same floats whatever the segments.
        candidates.sort { $0.docFreq != $1.docFreq ? $0.docFreq > $1.docFreq : $0.key.lexicographicallyPrecedes($1.key) }
        let limit = ctx.options.maxPrefixTerms
        if candidates.count > limit { candidates.removeLast(candidates.count - limit) }
        let ts = try candidates.map { t in
            try termWeightValue(field: field, key: t.key, df: t.docFreq, infos: try segments.map { try $0.term(t.key) }, ctx: ctx)
        }
        return ts.isEmpty ? .none : ts.count == 1 ? .term(ts[0]) : .expansion(ts)
    }

    /// A wildcard pattern (`\` escapes) as elements, its literal runs folded like a prefix.
    func wildcardPattern(_ pattern: String) -> [TermExpansion.PatternElement] {
        var out: [TermExpansion.PatternElement] = []
        var run = ""
        func flush() {
            guard !run.isEmpty else { return }
            out += TermExpansion.scalars(of: [0] + analyzer.normalizePrefix(run)).map { .scalar($0) }
            run = ""
        }
        var escaped = false
        for ch in pattern {
            if escaped { run.append(ch); escaped = false; continue }
            switch ch {
            case "\\": escaped = true
            case "*": flush(); if out.last != .anyRun { out.append(.anyRun) }
            case "?": flush(); out.append(.any)
            default: run.append(ch)
            }
        }
        flush()
        return out
    }

    /// `text~maxEdits` in one field: the analyzed word's terms within the edits (AUTO when nil), the closest
    /// ``SearchOptions/maxFuzzyExpansions`` kept, as Lucene's `FuzzyQuery` does: every term scored with the
    /// highest document frequency among them (so a rare misspelling does not outscore the word it is close
    /// to) and boosted by its similarity, `1 - edits / min(length of term, length of word)`; the exact term
    /// has boost 1. With `plainWord` (typo tolerance), a word that analyzes to several terms stays a phrase.
    private func fuzzyWeight(field: Int, text: String, maxEdits: Int?, ctx: QueryContext, plainWord: Bool) throws -> Weight {
        var tokens: [[UInt8]] = []
        analyzer.analyze(text) { t, _ in tokens.append(Array(t)) }
        if tokens.isEmpty { return .none }
        if tokens.count > 1 {
            if plainWord { return try analyzedWeight(field: field, text: text, slop: 0, ctx: ctx) }
            throw ctx.fieldError(nil, "the fuzzy term \(text.debugDescription) analyzes to \(tokens.count) words; a fuzzy term must be one word")
        }
        let key = [UInt8(field)] + tokens[0]
        let word = TermExpansion.scalars(of: key)
        let k = min(maxEdits ?? TermExpansion.autoEdits(word.count), 2)
        if k == 0 { return try termWeight(field: field, key: key, ctx: ctx) }
        var found: [[UInt8]: (edits: Int, df: Int)] = [:]
        for s in segments {
            for (t, df, d) in try TermExpansion.fuzzyTerms(s.dict, field: UInt8(field), word: word, maxEdits: k,
                                                          prefixLength: ctx.options.fuzzyPrefixLength, budget: &ctx.scanBudget) {
                found[t, default: (d, 0)].df += df
            }
        }
        let top = found.sorted {
            $0.value.edits != $1.value.edits ? $0.value.edits < $1.value.edits
                : $0.value.df != $1.value.df ? $0.value.df > $1.value.df : $0.key.lexicographicallyPrecedes($1.key)
        }.prefix(ctx.options.maxFuzzyExpansions)
        guard let blended = top.map(\.value.df).max() else { return .none }
        let ts = try top.map { t -> TermWeight in
            let length = min(TermExpansion.scalars(of: t.key).count, word.count)
            let similarity = t.value.edits == 0 ? 1 : max(0.1, 1 - Float(t.value.edits) / Float(max(length, 1)))
            return try termWeightValue(field: field, key: t.key, df: blended, infos: try segments.map { try $0.term(t.key) },
                                       ctx: ctx, scale: similarity)
        }
        return ts.count == 1 ? .term(ts[0]) : .expansion(ts)
    }

    private func analyzedWeight(field: Int, text: String, slop: Int, ctx: QueryContext) throws -> Weight {
        var keys: [[UInt8]] = [], positions: [Int] = []
        analyzer.analyze(text) { t, p in keys.append([UInt8(field)] + Array(t)); positions.append(p) }
        if keys.isEmpty { return .none }
        if keys.count == 1 { return try termWeight(field: field, key: keys[0], ctx: ctx) }
        return try phraseWeight(field: field, keys: keys, positions: positions, slop: slop, ctx: ctx)
    }

    private func perField(_ f: String?, _ ctx: QueryContext, _ make: (Int) throws -> Weight) throws -> Weight {
        if let f {
            guard let n = fieldNumbers[f], textFieldNumbers.contains(n) else {
                let known = textFields.joined(separator: ", ") + (typedFieldList.isEmpty ? "" : "; typed fields: \(typedFieldList)")
                if let n = fieldNumbers[f], n > 0 {
                    throw ctx.fieldError(f, "field '\(f)' is stored but not searchable; searchable fields: \(known)")
                }
                throw ctx.fieldError(f, "unknown field '\(f)'; searchable fields: \(known)")
            }
            return try make(n)
        }
        let ws = try defaultFields(ctx.options).map(make).filter { if case .none = $0 { return false }; return true }
        if ws.isEmpty { return .none }
        if ws.count == 1 { return ws[0] }
        switch ctx.options.fieldCombination {
        case .sum: return .boolean(must: [], should: ws, mustNot: [])
        case let .max(tie): return .dismax(ws, tieBreaker: tie)
        case .combined:
            let terms = ws.compactMap { w -> TermWeight? in if case let .term(t) = w { return t }; return nil }
            guard terms.count == ws.count else { return .dismax(ws, tieBreaker: 0.1) }
            return .combined(combinedWeight(terms, ctx: ctx))
        }
    }

    /// One word's terms in several fields as one BM25F term (``FieldCombination/combined``): the field
    /// boosts weight frequencies and lengths; df is the most documents any of the fields has the word in,
    /// over the most documents any of them has text in; the average length is the weighted sum of the
    /// fields' token counts over those documents.
    func combinedWeight(_ terms: [TermWeight], ctx: QueryContext) -> CombinedWeight {
        var df = 0, docs = 0, length: Float = 0
        let weights = terms.map { boost($0.field, ctx.options) }
        for (t, w) in zip(terms, weights) {
            df = max(df, t.infos.reduce(0) { $0 + ($1?.docFreq ?? 0) })
            docs = max(docs, totals.docCount[t.field])
            length += w * Float(totals.tokens[t.field])
        }
        let idf = BM25.idf(docFreq: df, docCount: max(docs, df))
        return CombinedWeight(terms: terms, fieldWeights: weights, idf: idf, boost: 1, avgdl: docs > 0 ? length / Float(docs) : 1)
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

    /// A term's weight from its per-segment dictionary entries (nil where a segment lacks it); `scale`
    /// multiplies its field boost.
    private func termWeight(field: Int, key: [UInt8], df: Int, infos: [TermInfo?], ctx: QueryContext, scale: Float = 1) throws -> Weight {
        .term(try termWeightValue(field: field, key: key, df: df, infos: infos, ctx: ctx, scale: scale))
    }

    private func termWeightValue(field: Int, key: [UInt8], df: Int, infos: [TermInfo?], ctx: QueryContext, scale: Float = 1) throws -> TermWeight {
        try ctx.chargeTerms(1)
        ctx.highlight(field: field, key: key)
        let idf = BM25.idf(docFreq: df, docCount: max(totals.docCount[field], df))
        return TermWeight(field: field, key: key, idf: idf, boost: boost(field, ctx.options) * scale, infos: infos)
    }

    func phraseWeight(field: Int, keys: [[UInt8]], positions: [Int], slop: Int, ctx: QueryContext) throws -> Weight {
        try ctx.chargeTerms(keys.count)
        ctx.highlight(field: field, phrase: keys, offsets: positions, slop: slop)
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
        return .phrase(PhraseWeight(field: field, offsets: positions.map { UInt32($0 - base) }, slop: slop, keys: keys, idf: idf,
                                    boost: boost(field, ctx.options), infos: perSeg, text: keys.map { String(decoding: $0.dropFirst(), as: UTF8.self) }.joined(separator: " ")))
    }
}

struct TermWeight {
    let field: Int
    let key: [UInt8]
    let idf: Float
    var boost: Float
    let infos: [TermInfo?]

    /// The term's scorer over segment `seg` (number `si`), or nil when the segment lacks the term.
    func scorer(_ seg: SegmentReader, segmentIndex si: Int, ctx: QueryContext) -> TermScorer? {
        guard let info = infos[si] else { return nil }
        return TermScorer(cursor: seg.cursor(info, ctx.read), idf: idf, boost: boost, bm25: ctx.options.bm25,
                          cache: ctx.normCache(field), norms: seg.norms(field),
                          fieldName: ctx.totals.names[field], key: key)
    }
}

/// A word over several fields scored as one field (``CombinedTermScorer``).
struct CombinedWeight {
    /// The word's term in each field (their own idf and boost unused).
    let terms: [TermWeight]
    let fieldWeights: [Float]
    let idf: Float
    /// The query's boost (`^`), outside the saturation.
    var boost: Float
    let avgdl: Float

    /// Whether `other` is the same word in the same fields with the same weights (it scores the same up to boost).
    func sameTerms(as other: CombinedWeight) -> Bool {
        terms.count == other.terms.count && fieldWeights == other.fieldWeights
            && zip(terms, other.terms).allSatisfy { $0.field == $1.field && $0.key == $1.key }
    }
}

struct PhraseWeight {
    let field: Int
    let offsets: [UInt32]
    /// Position moves allowed (0: exact phrase).
    let slop: Int
    /// The terms' keys, in phrase order.
    let keys: [[UInt8]]
    let idf: Float
    var boost: Float
    let infos: [[TermInfo]?]
    let text: String
}

/// A query with its analysis and index-wide statistics resolved; turns into a scorer per segment.
indirect enum Weight {
    case none
    /// Every document (score 0): the positive side of a query of only excluded clauses.
    case matchAll
    case term(TermWeight)
    case phrase(PhraseWeight)
    case boolean(must: [Weight], should: [Weight], mustNot: [Weight])
    case dismax([Weight], tieBreaker: Float)
    /// The terms one fuzzy, prefix or wildcard query stands for in one field (two or more), their scores
    /// summed: a disjunction scored in windows (``ExpansionScorer``), never split into a top-level
    /// disjunction's clauses.
    case expansion([TermWeight])
    /// A range of a column's values.
    case range(RangeWeight)
    /// A word over several fields, scored as one field (BM25F).
    case combined(CombinedWeight)

    /// The weight's scorer over segment `seg` (number `si` of the snapshot), or nil when nothing in the segment
    /// can match.
    func scorer(_ seg: SegmentReader, segmentIndex si: Int, ctx: QueryContext) throws -> (any Scorer)? {
        switch self {
        case .none: return nil
        case .matchAll: return AllDocsScorer(docCount: seg.meta.docCount)
        case let .term(t): return t.scorer(seg, segmentIndex: si, ctx: ctx)
        case let .combined(c):
            var cursors: [PostingsCursor] = [], weights: [Float] = []
            for (t, w) in zip(c.terms, c.fieldWeights) {
                guard let info = t.infos[si] else { continue }
                cursors.append(seg.cursor(info, ctx.read)); weights.append(w)
            }
            if cursors.isEmpty { return nil }
            var norms: [UnsafeRawBufferPointer] = [], normWeights: [Float] = []
            for (t, w) in zip(c.terms, c.fieldWeights) { if let n = seg.norms(t.field) { norms.append(n); normWeights.append(w) } }
            return CombinedTermScorer(cursors: cursors, fieldWeights: weights, norms: norms, normWeights: normWeights,
                                      idf: c.idf, boost: c.boost, bm25: ctx.options.bm25, avgdl: c.avgdl,
                                      terms: c.terms, fieldNames: ctx.totals.names)
        case let .expansion(ts):
            let subs = ts.compactMap { $0.scorer(seg, segmentIndex: si, ctx: ctx) }
            if subs.count <= 1 { return subs.first }
            if ctx.explaining || !ctx.needsScores {
                return DisjunctionScorer(subs, docAtATime: ctx.explaining, needsScores: ctx.needsScores)
            }
            return ExpansionScorer(subs)
        case let .phrase(p):
            guard let infos = p.infos[si], infos.count == p.offsets.count else { return nil }
            return PhraseScorer(cursors: infos.map { seg.cursor($0, ctx.read) }, offsets: p.offsets, slop: p.slop, keys: p.keys, idf: p.idf, boost: p.boost,
                                bm25: ctx.options.bm25, cache: ctx.normCache(p.field), norms: seg.norms(p.field),
                                label: "\(ctx.totals.names[p.field]):\"\(p.text)\"")
        case let .range(r):
            guard let (bits, count) = r.matches(seg, ctx: ctx.read) else { return nil }
            return BitSetScorer(bits: bits, count: count, docCount: seg.meta.docCount, score: r.boost,
                                label: "\(ctx.totals.names[r.field]) in range (constant score)")
        case let .dismax(ws, tie):
            let subs = try ws.compactMap { try $0.scorer(seg, segmentIndex: si, ctx: ctx) }
            if subs.isEmpty { return nil }
            return subs.count == 1 ? subs[0] : DisjunctionScorer(subs, tieBreaker: tie, docAtATime: ctx.explaining, needsScores: ctx.needsScores)
        case let .boolean(must, should, mustNot):
            func build(_ ws: [Weight]) throws -> [any Scorer] {
                try ws.compactMap { try $0.scorer(seg, segmentIndex: si, ctx: ctx) }
            }
            let m = try build(must), s = try build(should), n = try build(mustNot)
            if m.count < must.count { return nil }   // a required clause matches nothing here
            let excluded: (any Scorer)? = n.isEmpty ? nil : (n.count == 1 ? n[0] : DisjunctionScorer(n, docAtATime: ctx.explaining, needsScores: false))
            let optional: (any Scorer)? = s.isEmpty ? nil : (s.count == 1 ? s[0] : DisjunctionScorer(s, docAtATime: ctx.explaining, needsScores: ctx.needsScores))
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

extension Weight {
    /// This weight with every score multiplied by `b` (a query's `^b`).
    func scaled(by b: Float) -> Weight {
        switch self {
        case .none, .matchAll: return self
        case var .range(r): r.boost *= b; return .range(r)
        case var .term(t): t.boost *= b; return .term(t)
        case var .phrase(p): p.boost *= b; return .phrase(p)
        case let .boolean(must, should, mustNot):
            return .boolean(must: must.map { $0.scaled(by: b) }, should: should.map { $0.scaled(by: b) }, mustNot: mustNot)
        case let .dismax(ws, tie): return .dismax(ws.map { $0.scaled(by: b) }, tieBreaker: tie)
        case let .expansion(ts): return .expansion(ts.map { var t = $0; t.boost *= b; return t })
        case var .combined(c): c.boost *= b; return .combined(c)
        }
    }
}
