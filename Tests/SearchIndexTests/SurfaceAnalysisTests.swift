import XCTest
@testable import SearchIndex

/// The indexing fast path that stems each distinct surface form once per buffer (`SurfaceAnalyzer`) must
/// write exactly the segment the plain path (`Analyzer.analyze` per token) writes: the same postings,
/// positions, norms and stored fields, byte for byte. The plain path is forced through an analyzer that
/// forwards to the same `StandardAnalyzer` without being a `SurfaceAnalyzer`.
final class SurfaceAnalysisTests: XCTestCase {
    private struct Forwarding: Analyzer {
        let base: StandardAnalyzer
        func analyze(_ text: String, _ sink: (UnsafeBufferPointer<UInt8>, Int) -> Void) { base.analyze(text, sink) }
        func normalizePrefix(_ text: String) -> [UInt8] { base.normalizePrefix(text) }
        var identity: String { "forwarding(" + base.identity + ")" }
    }

    private func randomText(_ rng: inout SeededRNG) -> String {
        let stems = ["run", "connect", "nation", "happy", "argu", "generous", "studi", "caf\u{E9}", "Stra\u{DF}e", "the", "and", "a"]
        let endings = ["", "s", "ing", "ed", "ness", "ly", "ies", "ation", "al", "'s"]
        var words: [String] = []
        for _ in 0..<Int(rng.next() % 60) {
            switch rng.next() % 20 {
            case 0: words.append(String(repeating: "x", count: 240 + Int(rng.next() % 20)) + "ing")   // near and over 255 bytes
            case 1: words.append("W\(rng.next() % 500)")
            default:
                let w = stems[Int(rng.next() % UInt64(stems.count))] + endings[Int(rng.next() % UInt64(endings.count))]
                words.append(rng.next() % 4 == 0 ? w.uppercased() : w)
            }
        }
        return words.joined(separator: rng.next() % 3 == 0 ? ", " : " ")
    }

    func testSurfacePathWritesTheSameSegment() throws {
        for stopwords in [Set<String>(), StandardAnalyzer.englishStopwords] {
            let analyzer = try StandardAnalyzer(stopwords: stopwords)
            XCTAssertTrue((analyzer as Analyzer) is SurfaceAnalyzer)
            var dirs: [String] = []
            for plain in [false, true] {
                let dir = NSTemporaryDirectory() + "surface-\(UUID().uuidString)"
                dirs.append(dir)
                var config = IndexWriterConfig(ramBufferMB: 256)
                config.threads = 1
                let writer = try IndexWriter(path: dir, analyzer: plain ? Forwarding(base: analyzer) : analyzer, config: config)
                var rng = SeededRNG(seed: 7)
                for i in 0..<3_000 {
                    var doc = Document(id: "d\(i % 2_800)")   // some ids come twice: replaced in the buffer
                    doc.addText("title", randomText(&rng))
                    doc.addText("body", randomText(&rng))
                    if i % 7 == 0 { doc.addText("body", randomText(&rng)) }
                    try writer.addDocument(doc)
                }
                try writer.commit()
                writer.close()
            }
            defer { for d in dirs { try? FileManager.default.removeItem(atPath: d) } }
            let names = try FileManager.default.contentsOfDirectory(atPath: dirs[0]).filter { $0.hasPrefix("_") }.sorted()
            XCTAssertEqual(names, try FileManager.default.contentsOfDirectory(atPath: dirs[1]).filter { $0.hasPrefix("_") }.sorted())
            XCTAssertTrue(names.contains { $0.hasSuffix(".pos") })
            // One segment: with one indexing thread, the thread goes on filling the buffer the writer began
            // (past the 4 MiB the writer inverts itself), so the surface path's larger buffer accounting
            // does not move a segment boundary.
            XCTAssertFalse(names.contains { $0.hasPrefix("_2.") }, "\(names)")
            for name in names {
                let a = try Data(contentsOf: URL(fileURLWithPath: dirs[0] + "/" + name))
                let b = try Data(contentsOf: URL(fileURLWithPath: dirs[1] + "/" + name))
                XCTAssertEqual(a, b, "\(name) differs (stopwords: \(stopwords.count))")
            }
        }
    }
}
