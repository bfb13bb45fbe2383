import Foundation
import CStemmer

/// Turns text into the terms that are indexed and searched.
///
/// Implement this protocol to plug in your own analysis. The same analyzer must be used to write
/// and to search an index; the built-in one is ``StandardAnalyzer``.
public protocol Analyzer: Sendable {
    /// Calls `sink` with each term's UTF-8 bytes and its position (0-based, in token order; removed
    /// stopwords still take a position so phrases keep their gaps). The bytes are only valid during the call.
    func analyze(_ text: String, _ sink: (UnsafeBufferPointer<UInt8>, Int) -> Void)
    /// Normalizes one word for a prefix query: the same folding as `analyze`, without stemming or stopwords.
    func normalizePrefix(_ text: String) -> [UInt8]
    /// A short description recorded in the index, from which it can be rebuilt (e.g.
    /// `standard(stem=english,fold=true,stop=none)`). Two analyzers with the same identity must analyze alike.
    var identity: String { get }
}

extension Analyzer {
    /// Convenience: the terms of `text` as strings (for tests and tools; not for hot paths).
    public func terms(_ text: String) -> [String] {
        var out: [String] = []
        analyze(text) { bytes, _ in out.append(String(decoding: bytes, as: UTF8.self)) }
        return out
    }
}

/// The default analyzer: Unicode word tokenization over UTF-8 bytes, case folding, optional diacritic
/// folding, optional stopwords and Snowball stemming through the system `libstemmer`.
///
/// Words are maximal runs of letters, marks and digits of any script; an apostrophe between ASCII letters
/// joins them (a trailing `'s` is dropped, other apostrophes removed: `don't` → `dont`), while one before a
/// non-ASCII letter separates, so French elisions split (`l'été` → `l`, `ete`) and `.` or `,` between digits keeps a
/// number whole (`5.93`). Han ideographs, Hiragana and Katakana, which are written without spaces,
/// become one term per character, so a query for `東京` matches as a phrase of two terms.
/// Terms longer than 255 bytes are dropped.
public final class StandardAnalyzer: Analyzer, Sendable {
    /// The 33 English stopwords of Lucene's `EnglishAnalyzer`.
    public static let englishStopwords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
        "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
        "they", "this", "to", "was", "will", "with",
    ]

    /// Snowball algorithm name (`english`, `porter`, `french`, …) or nil for no stemming.
    public let stemmerLanguage: String?
    /// Whether accents and other diacritics are removed (`é` → `e`).
    public let foldDiacritics: Bool
    private let stopwords: Set<[UInt8]>
    private let pool: StemmerPool?
    private let maxStopwordBytes: Int
    /// Stopwords of up to 8 bytes packed into integers, so the per-token check allocates nothing.
    private let packedStopwords: Set<UInt64>

    @inline(__always) static func pack(_ t: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var v: UInt64 = 0
        for b in t { v = v << 8 | UInt64(b) }
        return v | UInt64(t.count) << 60
    }

    @inline(__always) private func isStopword(_ t: UnsafeBufferPointer<UInt8>) -> Bool {
        t.count <= 7 ? packedStopwords.contains(Self.pack(t)) : stopwords.contains(Array(t))
    }

    /// - Parameters:
    ///   - stemmer: a Snowball algorithm known to libstemmer (see ``availableStemmers``), or nil.
    ///   - stopwords: terms to drop (after folding, before stemming).
    ///   - foldDiacritics: map `é` to `e`, `ß` to `ss`, and so on.
    public init(stemmer: String? = "english", stopwords: Set<String> = [], foldDiacritics: Bool = true) throws {
        stemmerLanguage = stemmer
        self.foldDiacritics = foldDiacritics
        self.stopwords = Set(stopwords.map { Array($0.utf8) })
        maxStopwordBytes = self.stopwords.map(\.count).max() ?? -1
        packedStopwords = Set(self.stopwords.filter { $0.count <= 7 }.map { w in w.withUnsafeBufferPointer { Self.pack($0) } })
        if let stemmer {
            guard let p = StemmerPool(language: stemmer) else {
                throw SearchIndexError.invalidArgument("unknown stemmer '\(stemmer)'; available: \(Self.availableStemmers.joined(separator: ", "))")
            }
            pool = p
        } else { pool = nil }
    }

    /// The algorithms the system libstemmer offers.
    public static var availableStemmers: [String] {
        var out: [String] = []
        guard var p = sb_stemmer_list() else { return out }
        while let c = p.pointee { out.append(String(cString: c)); p += 1 }
        return out
    }

    /// `standard(stem=english,fold=true,stop=none)`; `stop` is `none`, `english` or `custom:w1|w2|…`.
    public var identity: String {
        let stop: String
        if stopwords.isEmpty { stop = "none" }
        else if stopwords == Set(Self.englishStopwords.map { Array($0.utf8) }) { stop = "english" }
        else { stop = "custom:" + stopwords.map { String(decoding: $0, as: UTF8.self) }.sorted().joined(separator: "|") }
        return "standard(stem=\(stemmerLanguage ?? "none"),fold=\(foldDiacritics),stop=\(stop))"
    }

    /// Rebuilds the analyzer an index recorded with ``identity``.
    public convenience init(identity: String) throws {
        guard identity.hasPrefix("standard("), identity.hasSuffix(")") else {
            throw SearchIndexError.invalidArgument("the index was written with a custom analyzer '\(identity)'; pass it to the searcher")
        }
        var opts: [String: String] = [:]
        for part in identity.dropFirst("standard(".count).dropLast().split(separator: ",", omittingEmptySubsequences: false) {
            let kv = part.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, opts.updateValue(String(kv[1]), forKey: String(kv[0])) == nil else {
                throw SearchIndexError.invalidArgument("malformed analyzer identity \(identity.debugDescription)")
            }
        }
        guard Set(opts.keys) == ["stem", "fold", "stop"], let stemSpec = opts["stem"], let stopSpec = opts["stop"],
              opts["fold"] == "true" || opts["fold"] == "false" else {
            throw SearchIndexError.invalidArgument("malformed analyzer identity \(identity.debugDescription)")
        }
        let stem = stemSpec == "none" ? nil : stemSpec
        let stop: Set<String>
        switch stopSpec {
        case "none": stop = []
        case "english": stop = Self.englishStopwords
        case let s where s.hasPrefix("custom:"): stop = Set(s.dropFirst(7).split(separator: "|").map(String.init))
        default: throw SearchIndexError.invalidArgument("malformed analyzer identity \(identity.debugDescription)")
        }
        try self.init(stemmer: stem, stopwords: stop, foldDiacritics: opts["fold"] == "true")
        // Exactly what this analyzer would record: anything else is damage or a different analyzer.
        guard self.identity == identity else {
            throw SearchIndexError.invalidArgument("malformed analyzer identity \(identity.debugDescription)")
        }
    }

    /// Tokenizes, folds, drops stopwords and stems `text`, calling `sink` with each term and its position.
    public func analyze(_ text: String, _ sink: (UnsafeBufferPointer<UInt8>, Int) -> Void) {
        // Through the surface forms, so the indexing fast path gives the same terms by construction.
        withStemming { stemming in
            surfaces(text) { surface, position in stemming.term(surface) { sink($0, position) } }
        }
    }

    /// Calls `body` with a ``Stemming`` that holds one of the pool's stemmers for the call.
    func withStemming<R>(_ body: (Stemming) throws -> R) rethrows -> R {
        let stemmer = pool?.take()
        defer { if let stemmer { pool?.give(stemmer) } }
        return try body(Stemming(stemmer: stemmer))
    }

    /// The indexing fast path (``SurfaceAnalyzer``): each token after folding and stopword removal, before
    /// stemming, and its position. A token's bytes start a buffer readable for 16 bytes past its start, and
    /// at least to its length rounded up to whole 8-byte words.
    func surfaces(_ text: String, _ sink: (UnsafeBufferPointer<UInt8>, Int) -> Void) {
        var t = text
        t.withUTF8 { utf8 in
            Tokenizer.tokenize(utf8, fold: foldDiacritics) { token, position in
                if token.count <= maxStopwordBytes && isStopword(token) { return }
                sink(token, position)
            }
        }
    }

    /// Whether terms differ from the tokens they come from (a stemmer is set).
    var stems: Bool { pool != nil }

    /// Like ``analyze(_:_:)``, also passing each term's UTF-8 byte range in `text` (for highlighting).
    public func analyzeWithOffsets(_ text: String, _ sink: (UnsafeBufferPointer<UInt8>, Int, Range<Int>) -> Void) {
        let stemmer = pool?.take()
        defer { if let stemmer { pool?.give(stemmer) } }
        var t = text
        t.withUTF8 { utf8 in
            Tokenizer.tokenize(utf8, fold: foldDiacritics) { (token: UnsafeBufferPointer<UInt8>, position: Int, range: Range<Int>) in
                if token.count <= maxStopwordBytes && isStopword(token) { return }
                if let stemmer { stemmer.stem(token) { sink($0, position, range) } } else { sink(token, position, range) }
            }
        }
    }

    /// Folds a prefix the way terms are folded, without stemming (a stem of a prefix is not a prefix of stems).
    public func normalizePrefix(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var t = text
        t.withUTF8 { utf8 in
            Tokenizer.tokenize(utf8, fold: foldDiacritics) { token, _ in if out.isEmpty { out = Array(token) } }
        }
        return out
    }
}

/// An analyzer whose terms are a function of its tokens before stemming (surface forms), so an indexer
/// may stem each distinct surface form once and remember its term (``SegmentBuffer`` does, per buffer).
/// For every text, `analyze` must call its sink with exactly `stemming.term(surface)` for each
/// `(surface, position)` that `surfaces` passes, in the same order. A surface's bytes must be readable
/// for ``SurfaceTable/readableBytes(_:)`` bytes from its start (the table reads them a word at a time).
protocol SurfaceAnalyzer: Analyzer {
    /// Calls `body` with a ``Stemming`` valid during the call.
    func withStemming<R>(_ body: (Stemming) throws -> R) rethrows -> R
    /// Each surface form of `text` and its position.
    func surfaces(_ text: String, _ sink: (UnsafeBufferPointer<UInt8>, Int) -> Void)
    /// False when terms are the surface forms themselves (then the surface table would only cost).
    var stems: Bool { get }
}

extension StandardAnalyzer: SurfaceAnalyzer {}

/// Turns a surface form into its term, with the stemmer an ``SurfaceAnalyzer/withStemming(_:)`` call
/// holds (valid only during that call).
struct Stemming {
    fileprivate let stemmer: CachedStemmer?
    /// Calls `body` with the term of `surface`.
    @inline(__always) func term(_ surface: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        if let stemmer { stemmer.stem(surface, body) } else { body(surface) }
    }
}

/// libstemmer stemmers are not thread-safe; an analyzer keeps a few and lends one per `analyze` call.
/// (`@unchecked Sendable`: its mutable list of free stemmers is only touched under `lock`.)
final class StemmerPool: @unchecked Sendable {
    private let language: String
    private var free: [CachedStemmer] = []
    private let lock = NSLock()

    init?(language: String) {
        self.language = language
        guard let s = CachedStemmer(language: language) else { return nil }
        free.append(s)
    }

    func take() -> CachedStemmer? {
        lock.lock(); defer { lock.unlock() }
        if let s = free.popLast() { return s }
        return CachedStemmer(language: language)
    }
    func give(_ s: CachedStemmer) {
        lock.lock(); free.append(s); lock.unlock()
    }
}

/// One libstemmer instance with a direct-mapped cache of recent words (word frequencies are Zipfian, so
/// most tokens hit): 4,096 slots of up to 24-byte words and stems, 200 KB.
final class CachedStemmer {
    private let stemmer: OpaquePointer
    private static let slots = 4096, maxLen = 24, slotSize = 2 + 2 * 24
    private let cache: UnsafeMutablePointer<UInt8>

    init?(language: String) {
        guard let s = sb_stemmer_new(language, "UTF_8") else { return nil }
        stemmer = s
        cache = .allocate(capacity: Self.slots * Self.slotSize)
        cache.initialize(repeating: 0, count: Self.slots * Self.slotSize)   // word length 0 = empty slot
    }
    deinit { sb_stemmer_delete(stemmer); cache.deallocate() }

    /// Calls `body` with the stem of `word`.
    @inline(__always)
    func stem(_ word: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        let n = word.count
        guard n > 0, n <= Self.maxLen, let w = word.baseAddress else { return stemUncached(word, body) }
        var h: UInt32 = 2166136261
        for b in word { h = (h ^ UInt32(b)) &* 16777619 }
        let slot = cache + Int(h & UInt32(Self.slots - 1)) * Self.slotSize
        if Int(slot[0]) == n && memcmp(slot + 2, w, n) == 0 {
            return body(UnsafeBufferPointer(start: slot + 2 + Self.maxLen, count: Int(slot[1])))
        }
        guard let s = sb_stemmer_stem(stemmer, w, Int32(n)) else { return body(word) }
        let m = Int(sb_stemmer_length(stemmer))
        s.withMemoryRebound(to: UInt8.self, capacity: m) { stem in
            if m <= Self.maxLen {
                slot[0] = UInt8(n); slot[1] = UInt8(m)
                (slot + 2).update(from: w, count: n)
                (slot + 2 + Self.maxLen).update(from: stem, count: m)
            }
            body(UnsafeBufferPointer(start: stem, count: m))
        }
    }

    private func stemUncached(_ word: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        guard let s = sb_stemmer_stem(stemmer, word.baseAddress, Int32(word.count)) else { return body(word) }
        let m = Int(sb_stemmer_length(stemmer))
        s.withMemoryRebound(to: UInt8.self, capacity: m) { body(UnsafeBufferPointer(start: $0, count: m)) }
    }
}
