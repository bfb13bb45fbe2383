/// The windows of a sloppy phrase in one document (or one stored text): Lucene's sloppy matching, shared by
/// the phrase scorer (which sums `1 / (1 + span)` over them) and the highlighter (which marks their words).
///
/// Every term's positions are shifted back by its offset in the phrase. The scan keeps one position per
/// term, takes the term with the smallest shifted value, reports the window up to the largest when it spans
/// at most `slop`, and moves that term on: the minimal windows, as in the smallest-range-covering-k-lists
/// problem. Terms with the same key (`repeatOf[i]`: the nearest earlier term with term i's key, or -1) take
/// increasing positions in phrase order, so two never share one.
enum SloppyWindows {
    /// Calls `window(span, idx)` for each window of at most `slop`, where `idx[i]` is the index of term i's
    /// position in the window. `count(i)` is how many positions term i has (in increasing order), and
    /// `position(i, k)` its k-th.
    static func scan(terms n: Int, offsets: [Int], repeatOf: [Int], slop: Int,
                     count: (Int) -> Int, position: (Int, Int) -> Int, window: (Int, [Int]) -> Void) {
        guard n > 0, (0..<n).allSatisfy({ count($0) > 0 }) else { return }
        var idx = [Int](repeating: 0, count: n)
        let hasRepeats = repeatOf.contains { $0 >= 0 }
        func value(_ i: Int) -> Int { position(i, idx[i]) - offsets[i] }
        /// Keeps each repeated term after the previous one of the same key; false when one runs out.
        func separateRepeats() -> Bool {
            for i in 0..<n where repeatOf[i] >= 0 {
                while position(i, idx[i]) <= position(repeatOf[i], idx[repeatOf[i]]) {
                    idx[i] += 1
                    if idx[i] >= count(i) { return false }
                }
            }
            return true
        }
        guard !hasRepeats || separateRepeats() else { return }
        while true {
            var lo = 0, hi = value(0)
            for i in 1..<max(n, 1) where i < n {
                let v = value(i)
                if v < value(lo) { lo = i }
                if v > hi { hi = v }
            }
            let span = hi - value(lo)
            if span <= slop { window(span, idx) }
            idx[lo] += 1
            if idx[lo] >= count(lo) { return }
            if hasRepeats, !separateRepeats() { return }
        }
    }
}
