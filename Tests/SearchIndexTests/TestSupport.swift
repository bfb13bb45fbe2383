import Foundation
import XCTest
@testable import SearchIndex

/// A fresh temporary directory, removed when the test ends.
func temporaryDirectory(_ test: XCTestCase, _ name: String = #function) -> String {
    let p = NSTemporaryDirectory() + "searchindex-tests-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: p) }
    return p
}

/// `../shared` beside the package root, if present.
func sharedDirectory() -> String? {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let p = root.deletingLastPathComponent().appendingPathComponent("shared").path
    return FileManager.default.fileExists(atPath: p) ? p : nil
}

func makeDoc(_ id: String, title: String, body: String, extra: [(String, String)] = []) -> Document {
    var d = Document(id: id)
    d.addText("title", title)
    d.addText("body", body)
    for (k, v) in extra { d.addStored(k, v) }
    return d
}

/// Builds an index from `docs`, committing after every `perSegment` documents (each flush a segment).
@discardableResult
func buildIndex(_ path: String, _ docs: [Document], perSegment: Int = Int.max, analyzer: Analyzer? = nil,
                config: IndexWriterConfig = IndexWriterConfig()) throws -> IndexWriter {
    let w = try IndexWriter(path: path, analyzer: analyzer, config: config)
    for (i, d) in docs.enumerated() {
        try w.addDocument(d)
        if (i + 1) % perSegment == 0 { try w.flush() }
    }
    try w.commit(waitForMerges: true)
    w.close()
    return w
}

/// A deterministic random number generator (SplitMix64), so failures reproduce.
struct SeededRNG: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// `term@position` for each term the analyzer emits.
func analyzed(_ a: Analyzer, _ text: String) -> [String] {
    var out: [String] = []
    a.analyze(text) { t, p in out.append("\(String(decoding: t, as: UTF8.self))@\(p)") }
    return out
}

/// Runs `body` and returns the `SearchIndexError` it threw; fails the test if it did not throw one.
@discardableResult
func expectSearchIndexError<T>(_ body: () throws -> T, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) -> SearchIndexError? {
    do {
        _ = try body()
        XCTFail("expected a SearchIndexError, nothing was thrown. \(message)", file: file, line: line)
    } catch let e as SearchIndexError {
        return e
    } catch {
        XCTFail("expected a SearchIndexError, got \(type(of: error)): \(error). \(message)", file: file, line: line)
    }
    return nil
}

/// Asserts that `body` throws `corruptIndex`, naming `fileName` when given.
func expectCorrupt<T>(_ fileName: String?, _ body: () throws -> T, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard let e = expectSearchIndexError(body, message, file: file, line: line) else { return }
    guard case let .corruptIndex(f, _) = e else {
        XCTFail("expected corruptIndex, got \(e). \(message)", file: file, line: line); return
    }
    if let fileName { XCTAssertEqual(f, fileName, "wrong file named in \(e). \(message)", file: file, line: line) }
}

/// Ids of the hits, in rank order.
func ids(_ r: SearchResults) -> [String] { r.hits.map { $0.document?.id ?? "?" } }

/// A stemmer-free, stopword-free analyzer (terms are just folded words).
func plainAnalyzer() -> StandardAnalyzer { try! StandardAnalyzer(stemmer: nil) }

/// `count` documents of random words from a small skewed vocabulary (some words in far more than 128
/// documents, so their postings span several blocks), with "new york" and "crude oil" phrases sprinkled in.
func generatedDocs(_ count: Int, seed: UInt64) -> [Document] {
    var rng = SeededRNG(seed: seed)
    let vocab = ["cocoa", "prices", "rise", "bahia", "harvest", "arrest", "arrival", "array", "police", "tangier",
                 "port", "ship", "grain", "wheat", "corn", "trade", "talks", "market", "stocks", "fell", "bank",
                 "rates", "oil", "crude", "barrel", "opec", "new", "york", "city", "london", "gold", "silver",
                 "the", "of", "and", "in", "a", "to", "running", "runs", "ran", "zürich", "東京", "сбор"]
    // A skewed distribution: common words occur in far more than 128 docs (several postings blocks).
    func word() -> String {
        let r = Double(rng.next() % 10_000) / 10_000
        return vocab[min(vocab.count - 1, Int(r * r * Double(vocab.count)))]
    }
    return (0..<count).map { i in
        var d = Document(id: "doc-\(i)")
        d.addText("title", (0..<Int.random(in: 1...6, using: &rng)).map { _ in word() }.joined(separator: " "))
        d.addText("body", (0..<Int.random(in: 3...60, using: &rng)).map { _ in word() }.joined(separator: " "))
        if rng.next() % 3 == 0 { d.addText("body", (0..<Int.random(in: 1...10, using: &rng)).map { _ in word() }.joined(separator: " ")) }
        if rng.next() % 4 == 0 { d.addText("body", "\(word()) new york \(word())") }
        if rng.next() % 5 == 0 { d.addText("title", "crude oil \(word())") }
        d.addStored("n", "\(i)")
        return d
    }
}

/// A postings writer configured as a segment flush configures it (fixed Huffman codes for doc blocks,
/// positions deflated a group of ``PostingsFormat.group`` blocks at a time).
func makePostingsWriter(docOut: OutputFile, posOut: OutputFile, level: Int32 = 6) -> PostingsWriter {
    PostingsWriter.forSegment(docOut: docOut, posOut: posOut, level: level)
}
