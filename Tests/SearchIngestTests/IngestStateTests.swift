import Foundation
import XCTest
@testable import SearchIngest

/// The record of indexed files (`IngestState`): round trips, and damage is an error naming the offset.
final class IngestStateTests: XCTestCase {
    func sample() -> IngestState {
        var s = IngestState(root: "/data/corpus", scannedAt: 1_700_000_000_123_456_789)
        s.files["a.txt"] = .init(size: 120, modified: 1_690_000_000_000_000_001, hash: 0xDEAD_BEEF_0123_4567, ids: ["a.txt"])
        s.files["rows.csv"] = .init(size: 0, modified: -5, hash: 0, ids: ["r1", "r2", "日本"])
        s.files["empty.md"] = .init(size: -1, modified: 0, hash: .max, ids: [])
        return s
    }

    func testRoundTrip() throws {
        let s = sample()
        XCTAssertEqual(try IngestState.decode(s.encode(), name: "x"), s)
        let dir = NSTemporaryDirectory() + "ingest-state-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let name = try s.write(toIndex: dir)
        let other = try s.write(toIndex: dir)
        XCTAssertEqual(try IngestState.read(fromIndex: dir, name: name), s)
        IngestState.removeStale(inIndex: dir, keep: name)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [name])
        XCTAssertThrowsError(try IngestState.read(fromIndex: dir, name: other))
        XCTAssertThrowsError(try IngestState.read(fromIndex: dir, name: "../x.state"))
    }

    /// Every flipped bit and every truncation is an error (the checksum covers every byte), never a crash
    /// or a silently different state.
    func testDamageIsAnError() {
        let bytes = sample().encode()
        for i in bytes.indices {
            for bit in [0, 3, 7] {
                var b = bytes
                b[i] ^= UInt8(1 << bit)
                XCTAssertThrowsError(try IngestState.decode(b, name: "f"), "byte \(i) bit \(bit)") { e in
                    XCTAssertTrue("\(e)".hasPrefix("f: "), "\(e)")
                }
            }
        }
        for n in 0..<bytes.count { XCTAssertThrowsError(try IngestState.decode(Array(bytes.prefix(n)), name: "f"), "\(n) bytes") }
    }

    /// Size and time decide without reading, except within the racy window of the recording walk.
    func testUnchangedBySizeAndTime() {
        let s = sample()
        XCTAssertTrue(s.isUnchanged(SourceFile(path: "a.txt", size: 120, modified: 1_690_000_000_000_000_001)))
        XCTAssertFalse(s.isUnchanged(SourceFile(path: "a.txt", size: 121, modified: 1_690_000_000_000_000_001)))
        XCTAssertFalse(s.isUnchanged(SourceFile(path: "a.txt", size: 120, modified: 1_690_000_000_000_000_002)))
        XCTAssertFalse(s.isUnchanged(SourceFile(path: "b.txt", size: 120, modified: 1_690_000_000_000_000_001)))
        var racy = s
        racy.files["a.txt"]?.modified = s.scannedAt - 1_000_000_000
        XCTAssertFalse(racy.isUnchanged(SourceFile(path: "a.txt", size: 120, modified: s.scannedAt - 1_000_000_000)))
    }
}
