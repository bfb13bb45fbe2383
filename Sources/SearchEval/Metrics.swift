import Foundation

/// The evaluation measures reported for one query or averaged over queries.
public struct MetricSet: Sendable, Equatable, Codable {
    /// nDCG at 10 with linear graded gains (trec_eval `ndcg_cut.10`).
    public var ndcgAt10: Double
    /// Recall at 100 (trec_eval `recall_100`).
    public var recallAt100: Double
    /// Recall at 1000 (trec_eval `recall_1000`).
    public var recallAt1000: Double
    /// Mean average precision over the full ranking (trec_eval `map`).
    public var map: Double
    /// Reciprocal rank of the first relevant document within the top 10, else 0
    /// (trec_eval `recip_rank` on a run cut to 10; BEIR's `MRR@10`).
    public var mrrAt10: Double
    /// The number of queries behind the values (1 for a per-query set).
    public var queriesEvaluated: Int

    /// Creates a metric set.
    public init(ndcgAt10: Double = 0, recallAt100: Double = 0, recallAt1000: Double = 0,
                map: Double = 0, mrrAt10: Double = 0, queriesEvaluated: Int = 0) {
        self.ndcgAt10 = ndcgAt10
        self.recallAt100 = recallAt100
        self.recallAt1000 = recallAt1000
        self.map = map
        self.mrrAt10 = mrrAt10
        self.queriesEvaluated = queriesEvaluated
    }
}

/// trec_eval-compatible evaluation of a ``RankedRun`` against ``Qrels``.
///
/// Conventions (all checked against pytrec_eval 0.5, i.e. trec_eval 9 code, by the golden test):
/// - **Ordering**: each query's results are re-sorted by score descending, ties broken by
///   document id descending (byte-wise, like `strcmp`). Scores are compared as 32-bit floats,
///   as trec_eval stores them, so scores that differ only beyond float precision tie.
///   A document listed twice keeps its best-ranked occurrence.
/// - **Relevance**: a document is relevant when its judged value is `>= 1` (trec_eval's default
///   relevance level); unjudged documents count as non-relevant. nDCG uses the judged values as
///   linear gains (negative values count as 0) with discount `log2(rank + 1)`; the ideal DCG
///   is built from all judged documents with a positive gain, cut at 10.
/// - **Which queries**: only queries present in the run (even with an empty result list) *and*
///   in the qrels are evaluated. By default, queries whose judgments contain no relevant
///   document are skipped (pytrec_eval/trec_eval would report all-zero values for them and
///   include them in the mean; set ``Options/skipQueriesWithoutRelevant`` to `false` for that).
///   Queries missing from the run are ignored, as in pytrec_eval and BEIR; set
///   ``Options/includeQueriesMissingFromRun`` for trec_eval `-c` behaviour (they count as 0).
public enum Metrics {
    /// Choices for which queries enter the evaluation.
    public struct Options: Sendable, Equatable {
        /// Skip queries whose qrels have no relevant (`>= 1`) document. Default `true`.
        ///
        /// `false` matches pytrec_eval/BEIR exactly: such queries get all-zero values and count in the mean.
        public var skipQueriesWithoutRelevant: Bool
        /// Score judged queries that are absent from the run as all zeros and include them in the
        /// mean (trec_eval `-c`). Default `false`, matching pytrec_eval and BEIR.
        public var includeQueriesMissingFromRun: Bool

        /// Creates options; the defaults are described on each property.
        public init(skipQueriesWithoutRelevant: Bool = true, includeQueriesMissingFromRun: Bool = false) {
            self.skipQueriesWithoutRelevant = skipQueriesWithoutRelevant
            self.includeQueriesMissingFromRun = includeQueriesMissingFromRun
        }
    }

    /// Evaluates a run with the default ``Options``.
    ///
    /// - Returns: The mean over evaluated queries (with ``MetricSet/queriesEvaluated`` set to
    ///   their count; all zeros when no query qualifies) and the per-query values.
    public static func evaluate(run: RankedRun, qrels: Qrels) -> (mean: MetricSet, perQuery: [String: MetricSet]) {
        evaluate(run: run, qrels: qrels, options: Options())
    }

    /// Evaluates a run; see ``Metrics`` for the conventions and ``Options`` for query selection.
    public static func evaluate(run: RankedRun, qrels: Qrels,
                                options: Options) -> (mean: MetricSet, perQuery: [String: MetricSet]) {
        var perQuery: [String: MetricSet] = [:]
        for (qid, entries) in run.results {
            guard let judged = qrels.judgments[qid] else { continue }
            if options.skipQueriesWithoutRelevant && !judged.values.contains(where: { $0 >= 1 }) { continue }
            perQuery[qid] = evaluateQuery(results: entries, judgments: judged)
        }
        if options.includeQueriesMissingFromRun {
            for (qid, judged) in qrels.judgments where run.results[qid] == nil {
                if options.skipQueriesWithoutRelevant && !judged.values.contains(where: { $0 >= 1 }) { continue }
                perQuery[qid] = MetricSet(queriesEvaluated: 1)
            }
        }
        return (mean(of: Array(perQuery.values)), perQuery)
    }

    /// The arithmetic mean of per-query sets; ``MetricSet/queriesEvaluated`` is their count.
    public static func mean(of sets: [MetricSet]) -> MetricSet {
        guard !sets.isEmpty else { return MetricSet() }
        // Sum in a fixed order so results do not depend on dictionary order.
        let sorted = sets.sorted { ($0.ndcgAt10, $0.map, $0.recallAt100, $0.recallAt1000, $0.mrrAt10)
            < ($1.ndcgAt10, $1.map, $1.recallAt100, $1.recallAt1000, $1.mrrAt10) }
        var total = MetricSet()
        for s in sorted {
            total.ndcgAt10 += s.ndcgAt10
            total.recallAt100 += s.recallAt100
            total.recallAt1000 += s.recallAt1000
            total.map += s.map
            total.mrrAt10 += s.mrrAt10
        }
        let n = Double(sets.count)
        return MetricSet(ndcgAt10: total.ndcgAt10 / n, recallAt100: total.recallAt100 / n,
                         recallAt1000: total.recallAt1000 / n, map: total.map / n,
                         mrrAt10: total.mrrAt10 / n, queriesEvaluated: sets.count)
    }

    /// Evaluates one query's results against its judgments (document id → relevance).
    ///
    /// A query without relevant documents gets all zeros.
    public static func evaluateQuery(results: [(docID: String, score: Double)], judgments: [String: Int]) -> MetricSet {
        let ranking = trecEvalOrder(results)
        let numRelevant = judgments.values.reduce(0) { $0 + ($1 >= 1 ? 1 : 0) }

        var dcg = 0.0
        var relevantSeen = 0
        var precisionSum = 0.0
        var firstRelevantRank: Int?
        var relevantAt100 = 0
        var relevantAt1000 = 0
        for (index, entry) in ranking.enumerated() {
            let rank = index + 1
            let gain = judgments[entry.docID] ?? 0
            if rank <= 10 && gain > 0 {
                dcg += Double(gain) / log2(Double(rank) + 1)
            }
            if gain >= 1 {
                relevantSeen += 1
                precisionSum += Double(relevantSeen) / Double(rank)
                if firstRelevantRank == nil { firstRelevantRank = rank }
                if rank <= 100 { relevantAt100 += 1 }
                if rank <= 1000 { relevantAt1000 += 1 }
            }
        }

        let idealGains = judgments.values.filter { $0 > 0 }.sorted(by: >).prefix(10)
        var idcg = 0.0
        for (index, gain) in idealGains.enumerated() {
            idcg += Double(gain) / log2(Double(index + 1) + 1)
        }

        var result = MetricSet(queriesEvaluated: 1)
        result.ndcgAt10 = idcg > 0 ? dcg / idcg : 0
        if numRelevant > 0 {
            let r = Double(numRelevant)
            result.recallAt100 = Double(relevantAt100) / r
            result.recallAt1000 = Double(relevantAt1000) / r
            result.map = precisionSum / r
        }
        if let rank = firstRelevantRank, rank <= 10 {
            result.mrrAt10 = 1 / Double(rank)
        }
        return result
    }

    /// Results in trec_eval's evaluation order: `Float(score)` descending, then document id
    /// descending (byte-wise); duplicate document ids keep their first (best) occurrence.
    public static func trecEvalOrder(_ results: [(docID: String, score: Double)]) -> [(docID: String, score: Double)] {
        let keyed = results.map { (entry: $0, key: sortKey($0.score)) }
        let sorted = keyed.sorted { a, b in
            if a.key != b.key { return a.key > b.key }
            return b.entry.docID.utf8.lexicographicallyPrecedes(a.entry.docID.utf8)
        }
        var seen = Set<String>()
        var out: [(docID: String, score: Double)] = []
        out.reserveCapacity(sorted.count)
        for item in sorted where seen.insert(item.entry.docID).inserted {
            out.append(item.entry)
        }
        return out
    }

    /// trec_eval keeps scores as `float`; NaN sorts last.
    private static func sortKey(_ score: Double) -> Float {
        score.isNaN ? -Float.infinity : Float(score)
    }
}
