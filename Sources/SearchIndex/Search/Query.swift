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
        case .term?, .phrase?, .prefix?, .exactTerm?:
            st.leaves += 1
            if st.leaves > maxClauses { throw st.error(start, "too many clauses: a query may have at most \(maxClauses)") }
        default: break
        }
        return q
    }

    private func parseClauseBody(_ st: inout State, field: String?, depth: Int) throws -> Query? {
        var field = field
        // field:
        var j = st.i
        while j < st.chars.count, st.chars[j].isLetter || st.chars[j].isNumber || st.chars[j] == "_" || st.chars[j] == "." { j += 1 }
        if j > st.i, j < st.chars.count, st.chars[j] == ":" {
            field = String(st.chars[st.i..<j])
            st.i = j + 1
            if st.i >= st.chars.count || st.chars[st.i].isWhitespace { throw st.error(j, "field '\(field!)' needs a value after ':'") }
        }
        let c = st.chars[st.i]
        if c == "(" {
            let open = st.i
            st.i += 1
            let q = try parseSequence(&st, field: field, depth: depth + 1)
            guard st.i < st.chars.count, st.chars[st.i] == ")" else { throw st.error(open, "unbalanced '('") }
            st.i += 1
            if case let .boolean(cs) = q, cs.isEmpty { return nil }
            return q
        }
        if c == ")" { throw st.error(st.i, "unexpected ')'") }
        if c == "\"" {
            let open = st.i
            st.i += 1
            var s = ""
            while st.i < st.chars.count && st.chars[st.i] != "\"" { s.append(st.chars[st.i]); st.i += 1 }
            guard st.i < st.chars.count else { throw st.error(open, "unterminated '\"'") }
            st.i += 1
            return .phrase(field: field, text: s)
        }
        var s = ""
        while st.i < st.chars.count {
            let ch = st.chars[st.i]
            if ch.isWhitespace || ch == "(" || ch == ")" || ch == "\"" { break }
            if ch == "\\", st.i + 1 < st.chars.count { s.append(st.chars[st.i + 1]); st.i += 2; continue }
            s.append(ch); st.i += 1
        }
        if s.isEmpty { throw st.error(st.i, "expected a word") }
        if s.hasSuffix("*") {
            let p = String(s.dropLast())
            if p.isEmpty || p.hasSuffix("*") { throw st.error(st.i - 1, "a prefix query needs at least one character before '*'") }
            return .prefix(field: field, text: p)
        }
        return .term(field: field, text: s)
    }
}
