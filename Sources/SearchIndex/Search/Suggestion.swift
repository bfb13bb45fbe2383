/// "Did you mean": a corrected query for one that found few documents. Each plain word of the query
/// (not in quotes, not excluded) whose term is missing from the index, or ten times rarer than a term one or
/// two edits away, is replaced by the closest such term (fewest edits, then most documents).
extension Searcher {
    /// The corrected query text, or nil when no word needs correcting. `text` is the query as typed (the
    /// replacements are made there, word by word); the dictionary terms it suggests are analyzed forms
    /// (folded, and stemmed when the index stems).
    func suggestion(for query: Query, text: String, options: SearchOptions) throws -> String? {
        // The plain words, as typed; a query of more than `maxWords` gets no suggestion (a pasted paragraph
        // is not a typo), so a suggestion costs at most that many dictionary walks.
        var words: [(field: String?, word: String)] = []
        func collect(_ q: Query) {
            switch q {
            case let .term(f, word), let .fuzzy(f, word, _): words.append((f, word))
            case let .boosted(inner, _): collect(inner)
            case let .boolean(cs): for c in cs where c.occur != .mustNot { collect(c.query) }
            default: break
            }
        }
        collect(query)
        guard !words.isEmpty, words.count <= Self.suggestionMaxWords else { return nil }
        // One budget for all the words' walks; when it runs out, the words not yet looked at keep their spelling.
        var budget = min(options.maxTermsScanned, Self.suggestionMaxTermsScanned)
        var replacements: [(word: String, with: String)] = []
        for (f, word) in words {
            if let c = try correction(word, field: f, options: options, budget: &budget) { replacements.append((word, c)) }
        }
        guard !replacements.isEmpty else { return nil }
        var out = Array(text)
        for (word, with) in replacements { out = Self.replacingWord(Array(word), with: Array(with), in: out) }
        let s = String(out)
        return s == text ? nil : s
    }

    /// Most plain words a query may have and still get a suggestion.
    static let suggestionMaxWords = 12
    /// Most dictionary terms the walks of one suggestion may read.
    static let suggestionMaxTermsScanned = 200_000

    /// The best replacement for `word` in `field` (the default fields when nil), or nil.
    private func correction(_ word: String, field: String?, options: SearchOptions, budget: inout Int) throws -> String? {
        if field == Manifest.idField { return nil }
        var tokens: [[UInt8]] = []
        analyzer.analyze(word) { t, _ in tokens.append(Array(t)) }
        guard tokens.count == 1 else { return nil }
        let fields: [Int]
        if let field {
            guard let n = fieldNumbers[field], n > 0 else { return nil }
            fields = [n]
        } else {
            fields = try defaultFields(options)
        }
        let scalars = TermExpansion.scalars(of: [0] + tokens[0])
        guard scalars.count >= 3 else { return nil }
        var own = 0
        var found: [[UInt8]: (edits: Int, df: Int)] = [:]
        for f in fields {
            for s in segments {
                own += try s.term([UInt8(f)] + tokens[0])?.docFreq ?? 0
                guard let found1 = try? TermExpansion.fuzzyTerms(s.dict, field: UInt8(f), word: scalars,
                                                                 maxEdits: max(1, TermExpansion.autoEdits(scalars.count)),
                                                                 prefixLength: 0, budget: &budget) else { return nil }
                for (k, df, d) in found1 where d > 0 {
                    let t = Array(k.dropFirst())
                    found[t, default: (d, 0)].df += df
                }
            }
        }
        guard let best = found.min(by: { a, b in
            a.value.edits != b.value.edits ? a.value.edits < b.value.edits
                : a.value.df != b.value.df ? a.value.df > b.value.df : a.key.lexicographicallyPrecedes(b.key)
        }) else { return nil }
        guard own == 0 || best.value.df >= 10 * own else { return nil }
        return String(decoding: best.key, as: UTF8.self)
    }

    /// `text` with every whole-word occurrence of `word` (not inside a longer word) replaced.
    static func replacingWord(_ word: [Character], with replacement: [Character], in text: [Character]) -> [Character] {
        guard !word.isEmpty else { return text }
        func isWordChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
        var out: [Character] = []
        var i = 0
        while i < text.count {
            if i + word.count <= text.count, Array(text[i ..< i + word.count]) == word,
               i == 0 || !isWordChar(text[i - 1]), i + word.count == text.count || !isWordChar(text[i + word.count]) {
                out += replacement; i += word.count
            } else {
                out.append(text[i]); i += 1
            }
        }
        return out
    }
}
