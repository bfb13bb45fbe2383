import Foundation

/// Which segments to merge, by size tiers (after Lucene's `TieredMergePolicy`, simplified).
///
/// Segments are sized by their live bytes (file bytes × the share of documents not deleted); anything
/// smaller than ``floorSegmentMB`` counts as that size. The index may hold about ``segmentsPerTier``
/// segments of each size tier, tiers growing by ``maxMergeAtOnce``: the budget is computed from the total
/// size, and while there are more segments than that, the policy merges the group of up to
/// ``maxMergeAtOnce`` segments of similar size (consecutive by size) that scores best: even sizes
/// (low skew), small total, many deletions reclaimed. A merged segment is never planned above
/// ``maxMergedSegmentMB``; segments over half of that are left alone unless more than
/// ``deletesPctAllowed`` percent of their documents are deleted, when they are rewritten on their own to
/// drop them. Smaller segments with that many deletions are merged whatever the budget says.
public struct TieredMergePolicy: Sendable, Equatable {
    /// Segments allowed per tier before a merge is planned (Lucene: 10).
    public var segmentsPerTier: Int
    /// Most segments merged at once; also the factor between tiers (Lucene: 10).
    public var maxMergeAtOnce: Int
    /// Largest merged segment planned, in MiB (Lucene: 5 GiB).
    public var maxMergedSegmentMB: Double
    /// Segments smaller than this count as this size (Lucene: 2 MiB), so tiny flushes merge early.
    public var floorSegmentMB: Double
    /// A segment with more than this percent of its documents deleted is merged to drop them (Lucene: 20).
    public var deletesPctAllowed: Double

    /// A policy with Lucene's defaults.
    public init(segmentsPerTier: Int = 10, maxMergeAtOnce: Int = 10, maxMergedSegmentMB: Double = 5 * 1024,
                floorSegmentMB: Double = 2, deletesPctAllowed: Double = 20) {
        self.segmentsPerTier = segmentsPerTier; self.maxMergeAtOnce = maxMergeAtOnce
        self.maxMergedSegmentMB = maxMergedSegmentMB; self.floorSegmentMB = floorSegmentMB
        self.deletesPctAllowed = deletesPctAllowed
    }

    /// One segment as the policy sees it.
    struct Candidate: Equatable {
        /// Its position in the writer's segment list.
        var index: Int
        /// Bytes of its files.
        var bytes: Int
        var docCount: Int
        var delCount: Int

        var deletedPct: Double { docCount > 0 ? 100 * Double(delCount) / Double(docCount) : 0 }
        var liveBytes: Double { docCount > 0 ? Double(bytes) * Double(docCount - delCount) / Double(docCount) : 0 }
    }

    /// The merges to run (each a list of ``Candidate/index``, at least one), largest segments first; no
    /// segment is in two merges. `candidates` are the segments no running merge holds.
    func findMerges(_ candidates: [Candidate]) -> [[Int]] {
        let mb = 1024.0 * 1024
        let maxBytes = maxMergedSegmentMB * mb, floor = floorSegmentMB * mb
        let perTier = max(2, segmentsPerTier), atOnce = max(2, maxMergeAtOnce)
        func size(_ c: Candidate) -> Double { max(c.liveBytes, floor) }
        var merges: [[Int]] = []
        var eligible: [Candidate] = []
        for c in candidates.sorted(by: { $0.liveBytes != $1.liveBytes ? $0.liveBytes > $1.liveBytes : $0.index < $1.index }) {
            if c.liveBytes > maxBytes / 2 {
                // Too large to merge with others; rewritten alone when it carries many deletions.
                if c.deletedPct > deletesPctAllowed { merges.append([c.index]) }
                continue
            }
            eligible.append(c)
        }
        // The budget: segmentsPerTier per tier, tiers growing by maxMergeAtOnce from the smallest size.
        let total = eligible.reduce(0) { $0 + size($1) }
        var allowed = 0.0
        var level = eligible.map(size).min() ?? floor
        var remaining = total
        while remaining > 0 {
            let count = remaining / level
            if count < Double(perTier) { allowed += count.rounded(.up); break }
            allowed += Double(perTier)
            remaining -= Double(perTier) * level
            level *= Double(atOnce)
        }
        let budget = max(Int(allowed), perTier)
        while !eligible.isEmpty {
            let overBudget = eligible.count + merges.count > budget
            let heavy = eligible.contains { $0.deletedPct > deletesPctAllowed }
            guard overBudget || heavy else { break }
            // The best window of consecutive (by size) segments, up to atOnce, within maxBytes.
            var best: (score: Double, members: [Int])? = nil
            for start in eligible.indices {
                var members: [Int] = [], sum = 0.0, sizes: [Double] = []
                for j in start..<eligible.count where members.count < atOnce {
                    let s = eligible[j].liveBytes
                    if sum + s > maxBytes { continue }
                    members.append(j); sum += s; sizes.append(size(eligible[j]))
                }
                let reclaims = members.contains { eligible[$0].deletedPct > deletesPctAllowed }
                guard members.count >= 2 || reclaims else { continue }
                if !overBudget && !reclaims { continue }
                let skew = (sizes.max() ?? 1) / max(sizes.reduce(0, +), 1)
                let docs = members.reduce(0) { $0 + eligible[$1].docCount }
                let live = members.reduce(0) { $0 + eligible[$1].docCount - eligible[$1].delCount }
                let nonDeleted = docs > 0 ? Double(live) / Double(docs) : 1
                let score = skew * pow(max(sum, 1), 0.05) * nonDeleted * nonDeleted
                if best == nil || score < best!.score { best = (score, members) }
            }
            guard let chosen = best else { break }
            merges.append(chosen.members.map { eligible[$0].index })
            let taken = Set(chosen.members)
            eligible = eligible.enumerated().filter { !taken.contains($0.offset) }.map(\.element)
        }
        return merges
    }
}
