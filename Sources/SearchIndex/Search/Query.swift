/// A query tree. Text in leaves is raw user text; the searcher analyzes it with the index's analyzer.
///
/// A `nil` field means "every default field" (see ``SearchOptions/fields``), each scored with its own
/// statistics and boost, the field scores combined as ``SearchOptions/fieldCombination`` says (by default
/// the best field plus a tenth of the others, dis-max).
public indirect enum Query: Sendable, Equatable {
    /// One word. If analysis splits it into several terms (`e-mail`, `東京`) it matches as a phrase.
    case term(field: String?, text: String)
    /// A term exactly as the analyzer produced it (no further analysis), like Lucene's `TermQuery`.
    case exactTerm(field: String?, term: String)
    /// Words that must occur next to each other, in order.
    case phrase(field: String?, text: String)
    /// Every term starting with `text` (folded, not stemmed); scored as a disjunction of those terms.
    case prefix(field: String?, text: String)
    /// Words within `slop` position moves of the phrase, in any order (Lucene's sloppy phrase: a document's
    /// phrase frequency sums `1 / (1 + moves)` over its matches). `slop` 0 is ``phrase(field:text:)``.
    case sloppyPhrase(field: String?, text: String, slop: Int)
    /// Terms within `maxEdits` insertions, deletions, substitutions or transpositions of the analyzed `text`
    /// (nil: by its length, 0 edits up to 2 characters, 1 up to 5, else 2). The closest terms are kept
    /// (``SearchOptions/maxFuzzyExpansions``), scored with one blended document frequency and boosted by their
    /// similarity, so an exact match ranks above a fuzzy one.
    case fuzzy(field: String?, text: String, maxEdits: Int?)
    /// Every term matching `pattern`, where `*` is any run of characters and `?` one character; a `\`
    /// makes the next character literal. The literal parts are folded like a prefix. The most frequent
    /// matches are kept (``SearchOptions/maxPrefixTerms``).
    case wildcard(field: String?, pattern: String)
    /// Documents with a value of the int, double, date or bool `field` between `lower` and `upper` (nil: open),
    /// each bound included or not, written as the field's values are; a date bound without milliseconds
    /// stands for its whole period (`[2017-03-01 TO 2017-03-31]` includes all of March 31). Scored 1 (times
    /// a boost) where it matches, as Lucene scores a range; as a filter it only restricts.
    case range(field: String, lower: String?, upper: String?, includeLower: Bool, includeUpper: Bool)
    /// Every document, scored 0 (`*:*`).
    case matchAll
    /// `query` with its scores multiplied by `boost` (> 0).
    case boosted(Query, boost: Float)
    /// Clauses combined: a document must match every `.must`, no `.mustNot`, and (if there is no
    /// `.must`) at least one `.should`. Scores of matching `.must` and `.should` clauses add up.
    case boolean([Clause])

    /// One clause of a ``Query/boolean(_:)`` query: a sub-query and how it must occur.
    public struct Clause: Sendable, Equatable {
        /// Whether a clause is required (`must`), optional and scoring (`should`) or excluded (`mustNot`).
        public enum Occur: Sendable, Equatable { case must, should, mustNot }
        /// How the clause must occur.
        public var occur: Occur
        /// The clause's query.
        public var query: Query
        /// A clause.
        public init(_ occur: Occur, _ query: Query) { self.occur = occur; self.query = query }
    }

    /// Parses the query language (see ``QueryParser``).
    public static func parse(_ text: String, defaultOperator: QueryParser.Operator = .or, maxClauses: Int = 256) throws -> Query {
        try QueryParser(defaultOperator: defaultOperator, maxClauses: maxClauses).parse(text)
    }
}

extension Query: CustomStringConvertible {
    /// The query in a compact syntax, for logs and tests (`+` required, `-` excluded, `=` exact term).
    public var description: String {
        func f(_ field: String?) -> String { field.map { "\($0):" } ?? "" }
        switch self {
        case let .term(field, t): return f(field) + t
        case let .exactTerm(field, t): return f(field) + "=" + t
        case let .phrase(field, t): return f(field) + "\"\(t)\""
        case let .prefix(field, t): return f(field) + t + "*"
        case let .sloppyPhrase(field, t, slop): return f(field) + "\"\(t)\"~\(slop)"
        case let .fuzzy(field, t, edits): return f(field) + t + "~" + (edits.map { String($0) } ?? "")
        case let .wildcard(field, p): return f(field) + p
        case let .range(field, lo, hi, il, iu):
            return "\(field):\(il ? "[" : "{")\(lo ?? "*") TO \(hi ?? "*")\(iu ? "]" : "}")"
        case .matchAll: return "*:*"
        case let .boosted(q, b): return q.description + "^\(b)"
        case let .boolean(cs):
            return "(" + cs.map { c in
                (c.occur == .must ? "+" : c.occur == .mustNot ? "-" : "") + c.query.description
            }.joined(separator: " ") + ")"
        }
    }
}

/// Parses the query language into a ``Query``.
///
/// - bare words: `tangier arrest` (combined with the default operator, OR unless configured to AND)
/// - `+word` required, `-word` excluded; `AND`, `OR`, `NOT` between clauses (as in Lucene's classic
///   parser: `a AND b` makes both required, `NOT a` excludes `a`)
/// - `"exact phrase"`, `field:word`, `field:"a phrase"`, `field:(a b)`, `prefix*`, parentheses
/// - `word~` / `word~1` fuzzy (at most 2 edits), `"a phrase"~3` sloppy phrase, `te*t` / `te?t` wildcards
///   (a leading one too), `word^2` / `"a phrase"^3` / `(a b)^0.5` boosts
/// - on typed fields (``FieldType``): `topics:crude` (an exact keyword), `date:[2017-02-01 TO 2017-02-28]`
///   (`{ }` exclusive ends, `*` open), `price:<10`, `date:>=2017-03-01`; `*:*` is every document
/// - `\` makes the next character literal. Any construct this parser does not support is an error: never a
///   silent guess.
///
/// Errors are ``SearchIndexError/querySyntax(query:position:message:)`` with a 0-based character offset.
public struct QueryParser: Sendable {
    /// How bare words combine: any of them (`or`) or all of them (`and`).
    public enum Operator: Sendable { case or, and }
    /// How bare words combine.
    public var defaultOperator: Operator
    /// The most clauses (words, phrases and prefixes, at any depth) a query may have; more is a
    /// ``SearchIndexError/querySyntax(query:position:message:)`` error at the first clause too many, so that a
    /// query pasted into a search box cannot hold a core for seconds (Lucene's `maxClauseCount` is 1024; scoring cost grows with the clauses' postings, and 256 keeps a query of the most common words of a 20k-document index well under 100 ms).
    public var maxClauses: Int
    /// A parser; see ``maxClauses``.
    public init(defaultOperator: Operator = .or, maxClauses: Int = 256) {
        self.defaultOperator = defaultOperator; self.maxClauses = maxClauses
    }

    private struct State {
        let chars: [Character]
        let text: String
        var i = 0
        var leaves = 0
        func error(_ at: Int, _ m: String) -> SearchIndexError { .querySyntax(query: text, position: at, message: m) }
    }

    /// Parses `text`; throws ``SearchIndexError/querySyntax(query:position:message:)`` with the position of the problem.
    public func parse(_ text: String) throws -> Query {
        var st = State(chars: Array(text), text: text)
        let q = try parseSequence(&st, field: nil, depth: 0)
        if st.i < st.chars.count { throw st.error(st.i, "unexpected ')'") }
        return q
    }

    private static let special: Set<Character> = ["(", ")", "\"", "+", "-", ":"]

    private func skipSpace(_ st: inout State) { while st.i < st.chars.count && st.chars[st.i].isWhitespace { st.i += 1 } }

    private func parseSequence(_ st: inout State, field: String?, depth: Int) throws -> Query {
        guard depth < 64 else { throw st.error(st.i, "parentheses nested too deeply") }
        var clauses: [Query.Clause] = []
        var explicit: [Bool] = []   // whether the clause's occur was set by an operator or modifier
        var pendingConj: (op: String, at: Int)?
        while true {
            skipSpace(&st)
            if st.i >= st.chars.count || st.chars[st.i] == ")" { break }
            // Operators
            if let op = peekOperator(st) {
                let at = st.i
                if op == "NOT" {
                    st.i += 3
                    skipSpace(&st)
                    guard st.i < st.chars.count, st.chars[st.i] != ")" else { throw st.error(at, "NOT needs a clause after it") }
                    let q = try parseClause(&st, field: field, depth: depth)
                    if let q {
                        // `a AND NOT b` is `a AND -b`: the AND makes the clause before it required.
                        if pendingConj?.op == "AND", let last = clauses.indices.last, clauses[last].occur != .mustNot {
                            clauses[last].occur = .must; explicit[last] = true
                        }
                        clauses.append(.init(.mustNot, q)); explicit.append(true)
                    }
                    pendingConj = nil
                    continue
                }
                guard !clauses.isEmpty || pendingConj != nil else { throw st.error(at, "\(op) needs a clause before it") }
                if pendingConj != nil { throw st.error(at, "two operators in a row") }
                pendingConj = (op, at); st.i += op.count
                continue
            }
            var occur: Query.Clause.Occur = defaultOperator == .and ? .must : .should
            var isExplicit = false
            let c = st.chars[st.i]
            if c == "+" || c == "-" {
                occur = c == "+" ? .must : .mustNot; isExplicit = true; st.i += 1
                if st.i >= st.chars.count || st.chars[st.i].isWhitespace { throw st.error(st.i - 1, "'\(c)' must be followed by a clause") }
            }
            guard let q = try parseClause(&st, field: field, depth: depth) else { pendingConj = nil; continue }
            if let conj = pendingConj {
                if conj.op == "AND" {
                    if !isExplicit { occur = .must; isExplicit = true }
                    if let last = clauses.indices.last, clauses[last].occur != .mustNot { clauses[last].occur = .must; explicit[last] = true }
                } else if !isExplicit {
                    occur = .should; isExplicit = true
                    if let last = clauses.indices.last, !explicit[last] { clauses[last].occur = .should }
                }
                pendingConj = nil
            }
            clauses.append(.init(occur, q)); explicit.append(isExplicit)
        }
        if let conj = pendingConj { throw st.error(conj.at, "\(conj.op) needs a clause after it") }
        if clauses.count == 1, clauses[0].occur != .mustNot { return clauses[0].query }
        return .boolean(clauses)
    }

    private func peekOperator(_ st: State) -> String? {
        for op in ["AND", "OR", "NOT", "&&", "||"] {
            let cs = Array(op)
            guard st.i + cs.count <= st.chars.count, Array(st.chars[st.i ..< st.i + cs.count]) == cs else { continue }
            let after = st.i + cs.count
            if after == st.chars.count || st.chars[after].isWhitespace || st.chars[after] == "(" || st.chars[after] == "\"" {
                return op == "&&" ? "AND" : op == "||" ? "OR" : op
            }
        }
        return nil
    }

    /// One clause: group, phrase, or word (with an optional `field:` in front). Nil for an empty group.
    private func parseClause(_ st: inout State, field: String?, depth: Int) throws -> Query? {
        let start = st.i
        let q = try parseClauseBody(&st, field: field, depth: depth)
        switch q {
        case .term?, .phrase?, .prefix?, .exactTerm?, .sloppyPhrase?, .fuzzy?, .wildcard?, .boosted?, .range?, .matchAll?:
            st.leaves += 1
            if st.leaves > maxClauses { throw st.error(start, "too many clauses: a query may have at most \(maxClauses)") }
        default: break
        }
        return q
    }

    private func parseClauseBody(_ st: inout State, field: String?, depth: Int) throws -> Query? {
        var field = field
        // `*:*`: every document.
        if st.i + 3 <= st.chars.count, Array(st.chars[st.i ..< st.i + 3]) == ["*", ":", "*"],
           st.i + 3 == st.chars.count || st.chars[st.i + 3].isWhitespace || st.chars[st.i + 3] == ")" {
            st.i += 3
            return .matchAll
        }
        // field:
        var j = st.i
        while j < st.chars.count, st.chars[j].isLetter || st.chars[j].isNumber || st.chars[j] == "_" || st.chars[j] == "." { j += 1 }
        if j > st.i, j < st.chars.count, st.chars[j] == ":" {
            field = String(st.chars[st.i..<j])
            st.i = j + 1
            if st.i >= st.chars.count || st.chars[st.i].isWhitespace { throw st.error(j, "field '\(field!)' needs a value after ':'") }
        }
        let c = st.chars[st.i]
        if c == "[" || c == "{" {
            guard let field else { throw st.error(st.i, "a range needs a field: date:[2017-01-01 TO 2017-12-31]") }
            return try parseRange(&st, field: field)
        }
        if c == ">" || c == "<" {
            guard let field else { throw st.error(st.i, "'\(c)' needs a field: price:>10, date:>=2017-03-01") }
            return try parseComparison(&st, field: field)
        }
        if c == "(" {
            let open = st.i
            st.i += 1
            let q = try parseSequence(&st, field: field, depth: depth + 1)
            guard st.i < st.chars.count, st.chars[st.i] == ")" else { throw st.error(open, "unbalanced '('") }
            st.i += 1
            if st.i < st.chars.count, st.chars[st.i] == "~" { throw st.error(st.i, "'~' applies to a word (fuzzy) or a phrase (slop), not to a group") }
            let boost = try parseBoost(&st)
            if case let .boolean(cs) = q, cs.isEmpty { return nil }
            return boost.map { .boosted(q, boost: $0) } ?? q
        }
        if c == ")" { throw st.error(st.i, "unexpected ')'") }
        if c == "\"" {
            let open = st.i
            st.i += 1
            var s = ""
            while st.i < st.chars.count && st.chars[st.i] != "\"" {
                if st.chars[st.i] == "\\", st.i + 1 < st.chars.count { s.append(st.chars[st.i + 1]); st.i += 2; continue }
                s.append(st.chars[st.i]); st.i += 1
            }
            guard st.i < st.chars.count else { throw st.error(open, "unterminated '\"'") }
            st.i += 1
            var q = Query.phrase(field: field, text: s)
            if st.i < st.chars.count, st.chars[st.i] == "~" {
                let at = st.i
                st.i += 1
                guard let n = parseInt(&st) else { throw st.error(at, "a phrase's '~' needs a slop: \"a b\"~2") }
                guard n <= Self.maxSlop else { throw st.error(at, "slop \(n) is more than \(Self.maxSlop)") }
                if n > 0 { q = .sloppyPhrase(field: field, text: s, slop: n) }
            }
            return try parseBoost(&st).map { .boosted(q, boost: $0) } ?? q
        }
        // A word: up to a space, a parenthesis, a quote, `~` or `^`; `\` escapes the next character.
        let wordStart = st.i
        var s = ""
        var pattern = ""          // the word with literal `*`, `?` and `\` escaped, for a wildcard
        var wildcards: [Int] = [] // positions of unescaped `*` and `?`
        while st.i < st.chars.count {
            let ch = st.chars[st.i]
            if ch.isWhitespace || ch == "(" || ch == ")" || ch == "\"" || ch == "~" || ch == "^" { break }
            if ch == "\\" {
                guard st.i + 1 < st.chars.count else { throw st.error(st.i, "'\\' at the end escapes nothing") }
                let next = st.chars[st.i + 1]
                s.append(next)
                if next == "*" || next == "?" || next == "\\" { pattern.append("\\") }
                pattern.append(next)
                st.i += 2; continue
            }
            if ch == "[" || ch == "]" || ch == "{" || ch == "}" {
                throw st.error(st.i, "'\(ch)' inside a word: a range is field:[a TO b] (escape it with \\ to search for it)")
            }
            if ch == "*" || ch == "?" { wildcards.append(st.i) }
            s.append(ch); pattern.append(ch); st.i += 1
        }
        if s.isEmpty { throw st.error(st.i, "expected a word") }
        var q: Query
        if !wildcards.isEmpty {
            if wildcards.count == 1, st.chars[wildcards[0]] == "*", wildcards[0] == st.i - 1 {
                let p = String(s.dropLast())
                if p.isEmpty { throw st.error(st.i - 1, "a lone '*' matches everything; give at least one character") }
                q = .prefix(field: field, text: p)
            } else {
                guard wildcards.count < s.count else { throw st.error(wordStart, "a wildcard needs at least one character besides '*' and '?'") }
                if wildcards.count >= 2, zip(wildcards, wildcards.dropFirst()).contains(where: { $1 == $0 + 1 && st.chars[$0] == "*" && st.chars[$1] == "*" }) {
                    throw st.error(wildcards[0], "'**' is one '*'")
                }
                q = .wildcard(field: field, pattern: pattern)
            }
        } else {
            q = .term(field: field, text: s)
        }
        if st.i < st.chars.count, st.chars[st.i] == "~" {
            let at = st.i
            guard case .term = q else { throw st.error(at, "'~' (fuzzy) cannot follow a wildcard or prefix") }
            st.i += 1
            var edits: Int? = nil
            if st.i < st.chars.count, st.chars[st.i].isNumber {
                guard let n = parseInt(&st), n <= 2 else { throw st.error(at, "fuzzy terms allow at most 2 edits (word~, word~1, word~2)") }
                edits = n
            }
            if st.i < st.chars.count, st.chars[st.i] == "." { throw st.error(st.i, "fuzzy similarity as a fraction (word~0.8) is not supported: give 0, 1 or 2 edits") }
            q = .fuzzy(field: field, text: s, maxEdits: edits)
        }
        if let b = try parseBoost(&st) { q = .boosted(q, boost: b) }
        if st.i < st.chars.count, !st.chars[st.i].isWhitespace, st.chars[st.i] != "(", st.chars[st.i] != ")", st.chars[st.i] != "\"" {
            throw st.error(st.i, "unexpected '\(st.chars[st.i])' after \(s)")
        }
        return q
    }

    /// `[lower TO upper]` with `[`/`]` inclusive and `{`/`}` exclusive ends and `*` for an open one.
    private func parseRange(_ st: inout State, field: String) throws -> Query {
        let open = st.i
        let includeLower = st.chars[st.i] == "["
        st.i += 1
        skipSpace(&st)
        let lower = try parseBound(&st, stopAt: ["]", "}"])
        skipSpace(&st)
        guard st.i + 2 <= st.chars.count, st.chars[st.i] == "T", st.chars[st.i + 1] == "O",
              st.i + 2 < st.chars.count, st.chars[st.i + 2].isWhitespace else {
            throw st.error(st.i, "expected 'TO' in the range: \(field):[a TO b]")
        }
        st.i += 2
        skipSpace(&st)
        let upper = try parseBound(&st, stopAt: ["]", "}"])
        skipSpace(&st)
        guard st.i < st.chars.count, st.chars[st.i] == "]" || st.chars[st.i] == "}" else {
            throw st.error(open, "unterminated range: close it with ']' (inclusive) or '}' (exclusive)")
        }
        let includeUpper = st.chars[st.i] == "]"
        st.i += 1
        let q = Query.range(field: field, lower: lower == "*" ? nil : lower, upper: upper == "*" ? nil : upper,
                            includeLower: includeLower, includeUpper: includeUpper)
        return try parseBoost(&st).map { .boosted(q, boost: $0) } ?? q
    }

    /// `>v`, `>=v`, `<v`, `<=v`: a range open on one side.
    private func parseComparison(_ st: inout State, field: String) throws -> Query {
        let at = st.i
        let greater = st.chars[st.i] == ">"
        st.i += 1
        var inclusive = false
        if st.i < st.chars.count, st.chars[st.i] == "=" { inclusive = true; st.i += 1 }
        guard st.i < st.chars.count, !st.chars[st.i].isWhitespace else {
            throw st.error(at, "a comparison needs a value right after it: \(field):>=10")
        }
        let v = try parseBound(&st, stopAt: [")"])
        guard v != "*" else { throw st.error(at, "'*' is not a value to compare with") }
        let q = greater ? Query.range(field: field, lower: v, upper: nil, includeLower: inclusive, includeUpper: false)
                        : Query.range(field: field, lower: nil, upper: v, includeLower: false, includeUpper: inclusive)
        return try parseBoost(&st).map { .boosted(q, boost: $0) } ?? q
    }

    /// A range bound: a quoted string, or the characters up to a space, `^` or one of `stopAt`.
    private func parseBound(_ st: inout State, stopAt: Set<Character>) throws -> String {
        let start = st.i
        if st.i < st.chars.count, st.chars[st.i] == "\"" {
            st.i += 1
            var s = ""
            while st.i < st.chars.count, st.chars[st.i] != "\"" {
                if st.chars[st.i] == "\\", st.i + 1 < st.chars.count { s.append(st.chars[st.i + 1]); st.i += 2; continue }
                s.append(st.chars[st.i]); st.i += 1
            }
            guard st.i < st.chars.count else { throw st.error(start, "unterminated '\"'") }
            st.i += 1
            return s
        }
        var s = ""
        while st.i < st.chars.count, !st.chars[st.i].isWhitespace, !stopAt.contains(st.chars[st.i]), st.chars[st.i] != "^" {
            if st.chars[st.i] == "[" || st.chars[st.i] == "{" { throw st.error(st.i, "unexpected '\(st.chars[st.i])' in a range bound") }
            s.append(st.chars[st.i]); st.i += 1
        }
        if s.isEmpty { throw st.error(start, "expected a value") }
        return s
    }

    /// The most position moves a sloppy phrase may allow.
    static let maxSlop = 64

    /// Decimal digits at `st.i` (at most 6), or nil if there are none.
    private func parseInt(_ st: inout State) -> Int? {
        var n = 0, digits = 0
        while st.i < st.chars.count, let d = st.chars[st.i].wholeNumberValue, st.chars[st.i].isASCII, digits < 6 {
            n = n * 10 + d; digits += 1; st.i += 1
        }
        return digits > 0 ? n : nil
    }

    /// `^boost` at `st.i`, if present: a positive decimal number.
    private func parseBoost(_ st: inout State) throws -> Float? {
        guard st.i < st.chars.count, st.chars[st.i] == "^" else { return nil }
        let at = st.i
        st.i += 1
        var text = ""
        while st.i < st.chars.count, st.chars[st.i].isASCII, st.chars[st.i].isNumber || st.chars[st.i] == "." { text.append(st.chars[st.i]); st.i += 1 }
        guard let b = Float(text), b > 0, b.isFinite, b <= 1_000_000 else { throw st.error(at, "'^' needs a positive number: word^2, (a b)^0.5") }
        return b
    }
}
