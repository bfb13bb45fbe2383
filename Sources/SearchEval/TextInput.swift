import Foundation

/// Internal helpers for reading text files line by line with good error reporting.
enum TextInput {
    /// Reads a whole file, mapping failures to ``EvalError/io(path:message:)``.
    static func readData(_ url: URL) throws -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw EvalError.io(path: url.path, message: "cannot read file (\(error.localizedDescription))")
        }
    }

    /// Decodes bytes as UTF-8, falling back to ISO-8859-1 (common in old TREC/Cranfield data).
    static func decode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        var latin1 = String.UnicodeScalarView()
        for b in bytes { latin1.append(Unicode.Scalar(b)) }
        return String(latin1)
    }

    /// Reads a whole text file.
    static func readString(_ url: URL) throws -> String {
        decode(try readData(url))
    }

    /// Splits text into lines on `\n`, `\r\n` or `\r` (line *i* of the result is line *i + 1* of the file).
    ///
    /// A trailing newline does not produce an extra empty line.
    static func lines(_ text: String) -> [Substring] {
        var result = text.split(omittingEmptySubsequences: false, whereSeparator: { ch in
            ch == "\n" || ch == "\r\n" || ch == "\r"
        })
        if let last = result.last, last.isEmpty { result.removeLast() }
        return result
    }

    /// Splits a line into fields on spaces and tabs.
    static func fields(_ line: Substring) -> [Substring] {
        line.split(whereSeparator: { $0 == " " || $0 == "\t" })
    }

    /// True when the line has only whitespace.
    static func isBlank(_ line: Substring) -> Bool {
        line.allSatisfy { $0.isWhitespace }
    }

    /// Collapses every run of whitespace to one space and trims both ends.
    static func collapseWhitespace<S: StringProtocol>(_ s: S) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// Parses an integer field, tolerating a redundant `.0` (e.g. `"1.0"`).
    static func integer<S: StringProtocol>(_ s: S) -> Int? {
        if let v = Int(s) { return v }
        if let d = Double(s), d.rounded() == d, abs(d) < 1e15 { return Int(d) }
        return nil
    }
}
