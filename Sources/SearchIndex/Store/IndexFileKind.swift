/// Every kind of file an index directory holds, and how each is named: the one place that defines
/// them.
///
/// A segment is six files named after it, `_<n>.<extension>`, plus, once documents of it are deleted,
/// a live-docs file `_<n>_<delGen>.liv`. The commit point is `segments_<generation>`. Each file starts
/// with an envelope header that repeats its kind as four ASCII bytes (its envelope kind), so a file renamed
/// to the wrong place is refused. Writers, readers, `check`, `stats` and the clean-up of leftovers all
/// take names and kinds from here. The byte layout of each kind is specified in `Index/README.md`.
public enum IndexFileKind: CaseIterable, Sendable {
    /// The sorted terms with their postings metadata (`.tdi`).
    case termDictionary
    /// Doc ids and term frequencies, in zlib-compressed 128-document blocks with skip data (`.doc`).
    case postings
    /// Term positions, in zlib-compressed blocks aligned with the postings blocks (`.pos`).
    case positions
    /// One length byte per document and indexed field (`.nrm`).
    case norms
    /// Each document's id and stored values, in zlib-compressed chunks (`.fdt`).
    case storedFields
    /// Typed fields' values per document, in zlib-compressed blocks with min/max (`.col`).
    case columns
    /// The deleted-documents bitset of one generation of deletions (`_<n>_<delGen>.liv`).
    case liveDocs
    /// The commit point, `segments_<generation>`.
    case manifest

    /// The files every segment has, in the order a segment writes them.
    public static let perSegment: [IndexFileKind] = [.termDictionary, .postings, .positions, .norms, .storedFields, .columns]

    /// The four ASCII bytes of the file's envelope header.
    var envelopeKind: String {
        switch self {
        case .termDictionary: "TDIC"
        case .postings: "POST"
        case .positions: "POSI"
        case .norms: "NORM"
        case .storedFields: "STOR"
        case .columns: "COLS"
        case .liveDocs: "LIVE"
        case .manifest: "MANI"
        }
    }

    /// The file-name extension (`nil` for the manifest, which is named by its generation).
    public var fileExtension: String? {
        switch self {
        case .termDictionary: "tdi"
        case .postings: "doc"
        case .positions: "pos"
        case .norms: "nrm"
        case .storedFields: "fdt"
        case .columns: "col"
        case .liveDocs: "liv"
        case .manifest: nil
        }
    }

    /// A short description for people (`search stats`).
    public var summary: String {
        switch self {
        case .termDictionary: "term dictionary"
        case .postings: "postings (docs, freqs)"
        case .positions: "positions"
        case .norms: "norms"
        case .storedFields: "stored fields"
        case .columns: "columns (sort, ranges, facets)"
        case .liveDocs: "deletions"
        case .manifest: "commit manifest"
        }
    }

    /// The kind of the file called `fileName` in an index directory, or nil when it is not an index file
    /// (a temporary `segments_N.tmp`, the write lock, anything else).
    public init?(fileName: String) {
        if let g = Self.manifestGeneration(fileName), g >= 0 { self = .manifest; return }
        guard fileName.hasPrefix("_"), let dot = fileName.lastIndex(of: ".") else { return nil }
        let ext = fileName[fileName.index(after: dot)...]
        guard let k = Self.allCases.first(where: { $0.fileExtension.map { $0 == ext } ?? false }) else { return nil }
        self = k
    }

    /// The kind whose envelope header says `envelopeKind`.
    init?(envelopeKind: String) {
        guard let k = Self.allCases.first(where: { $0.envelopeKind == envelopeKind }) else { return nil }
        self = k
    }

    // MARK: - Names

    private static let manifestPrefix = "segments_"

    /// The name of segment `segment`'s file of this kind (not for ``liveDocs`` or ``manifest``, which carry
    /// a generation: see ``liveDocsFileName(segment:generation:)`` and ``manifestFileName(generation:)``).
    func fileName(segment: String) -> String { "\(segment).\(fileExtension ?? "")" }

    /// The live-docs file of `segment`'s deletions generation `generation`.
    static func liveDocsFileName(segment: String, generation: Int) -> String { "\(segment)_\(generation).liv" }

    /// The commit point of `generation`.
    public static func manifestFileName(generation: Int) -> String { "\(manifestPrefix)\(generation)" }

    /// The temporary name a commit point is written under before its atomic rename.
    static func manifestTempFileName(generation: Int) -> String { manifestFileName(generation: generation) + ".tmp" }

    /// The generation of a commit-point file name, or nil when `fileName` is not one.
    static func manifestGeneration(_ fileName: String) -> Int? {
        guard fileName.hasPrefix(manifestPrefix) else { return nil }
        return Int(fileName.dropFirst(manifestPrefix.count))
    }

    /// The name of segment number `number`: `_` and the number in base 36 (`_1`, …, `_z`, `_10`).
    static func segmentName(_ number: Int) -> String { "_" + String(number, radix: 36) }

    /// The number of a well-formed segment name (the inverse of ``segmentName(_:)``), or nil.
    static func segmentNumber(ofName name: String) -> Int? {
        guard name.hasPrefix("_"), let n = Int(name.dropFirst(), radix: 36), n >= 0, segmentName(n) == name else { return nil }
        return n
    }

    /// The number of the segment a file belongs to (`_<base 36>.…` or `_<base 36>_<delGen>.liv`), or nil.
    static func segmentNumber(ofFile fileName: String) -> Int? {
        guard fileName.hasPrefix("_") else { return nil }
        let digits = fileName.dropFirst().prefix { $0.isNumber || ($0.isLetter && $0.isLowercase) }
        return Int(digits, radix: 36)
    }

    /// Whether index file `fileName` is one of segment `segment`'s (`_5.doc`, `_5_2.liv`).
    static func file(_ fileName: String, belongsTo segment: String) -> Bool {
        fileName.hasPrefix(segment + ".") || fileName.hasPrefix(segment + "_")
    }

    /// Whether `fileName` belongs to the index (a segment file or a commit point, temporary ones included):
    /// a writer removes such files when no commit references them.
    public static func isIndexFile(_ fileName: String) -> Bool {
        fileName.hasPrefix("_") || fileName.hasPrefix(manifestPrefix)
    }
}
