import Foundation

/// BM25 settings. Defaults are Lucene's and tantivy's (k1 = 1.2, b = 0.75).
public struct BM25: Sendable, Equatable {
    /// Term-frequency saturation (larger: repeated terms count longer).
    public var k1: Float
    /// Length normalization, 0 (none) to 1 (full).
    public var b: Float
    /// BM25 with these parameters.
    public init(k1: Float = 1.2, b: Float = 0.75) { self.k1 = k1; self.b = b }

    /// Inverse document frequency, the Lucene/Robertson-Spärck Jones form that is never negative.
    public static func idf(docFreq: Int, docCount: Int) -> Float {
        Float(log(1 + (Double(docCount) - Double(docFreq) + 0.5) / (Double(docFreq) + 0.5)))
    }
}
