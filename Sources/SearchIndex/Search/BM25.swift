import Foundation

/// BM25 settings. The defaults, k1 = 1.8 and b = 0.9, were chosen on SciFact's train queries and Cranfield
/// (2-fold cross-validation) together with a title weight of 3 (``FieldSpec/weight``): with a weighted title
/// a word's combined frequency is larger, and a larger k1 saturates it later (BENCHMARKS.md, "Choosing the
/// defaults"). Lucene's and tantivy's, k1 = 1.2 and b = 0.75, are ``lucene``.
public struct BM25: Sendable, Equatable {
    /// Term-frequency saturation (larger: repeated terms count longer).
    public var k1: Float
    /// Length normalization, 0 (none) to 1 (full).
    public var b: Float
    /// BM25 with these parameters.
    public init(k1: Float = 1.8, b: Float = 0.9) { self.k1 = k1; self.b = b }

    /// Lucene's and tantivy's defaults (k1 = 1.2, b = 0.75): what the benchmarks against them use.
    public static let lucene = BM25(k1: 1.2, b: 0.75)

    /// Inverse document frequency, the Lucene/Robertson-Spärck Jones form that is never negative.
    public static func idf(docFreq: Int, docCount: Int) -> Float {
        Float(log(1 + (Double(docCount) - Double(docFreq) + 0.5) / (Double(docFreq) + 0.5)))
    }
}
