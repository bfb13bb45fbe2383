import Foundation
import XCTest
@testable import SearchEval

/// A temporary folder removed when the test finishes.
final class TempFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("SearchEvalTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `text` to `relativePath` (creating sub-folders) and returns its URL.
    @discardableResult
    func write(_ relativePath: String, _ text: String) throws -> URL {
        let file = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file
    }
}

/// The committed fixtures folder (copied into the test bundle).
func fixturesFolder() throws -> URL {
    if let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) { return url }
    // Fall back to the source tree.
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
}

/// `../shared/collections` relative to the package root, found from this file's path.
func sharedCollectionsFolder() -> URL {
    URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // SearchEvalTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .deletingLastPathComponent()  // parent of package root
        .appendingPathComponent("shared")
        .appendingPathComponent("collections")
}

/// Asserts that `body` throws ``EvalError/malformed(path:line:reason:)`` at `line` in a file
/// whose name ends with `fileSuffix`; returns the reason.
@discardableResult
func assertMalformed<T>(line expectedLine: Int, file fileSuffix: String,
                        _ body: () throws -> T,
                        file: StaticString = #filePath, line: UInt = #line) -> String? {
    do {
        _ = try body()
        XCTFail("expected a malformed-input error", file: file, line: line)
    } catch let error as EvalError {
        guard case let .malformed(path, errorLine, reason) = error else {
            XCTFail("expected .malformed, got \(error)", file: file, line: line)
            return nil
        }
        XCTAssertEqual(errorLine, expectedLine, "\(error)", file: file, line: line)
        XCTAssertTrue(path.hasSuffix(fileSuffix), "path \(path) should end with \(fileSuffix)", file: file, line: line)
        XCTAssertTrue(error.description.contains(":\(expectedLine):"), error.description, file: file, line: line)
        return reason
    } catch {
        XCTFail("expected EvalError, got \(error)", file: file, line: line)
    }
    return nil
}
