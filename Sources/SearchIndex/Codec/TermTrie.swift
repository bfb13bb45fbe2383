/// A dictionary's keys as a trie of Unicode scalars, built in memory from ``TermKeys`` on the first fuzzy
/// query and kept (it is not a file). The root's children are the field bytes; below them each node adds one
/// scalar of the term. A fuzzy walk intersects it with a Levenshtein automaton, as tantivy does with its
/// FST: it follows only the children that can still match, and looks a child up by its scalar instead of
/// seeking through sorted keys. About 16 bytes per node.
///
/// Nodes are numbered in preorder (so in key order); node 0 is the root. A node's children are
/// `children[childStart[n] ..< childStart[n + 1]]`, in increasing scalar order.
struct TermTrie: Sendable {
    /// The scalar each node adds (the field byte for the root's children).
    let labels: [UInt32]
    /// The index in the ``TermKeys`` of the key a node ends, or -1.
    let keyIndex: [Int32]
    let childStart: [Int32]
    let children: [Int32]
    /// The deepest node's depth below its field node (the longest term, in scalars).
    let maxDepth: Int

    init(_ keys: TermKeys) {
        var labels: [UInt32] = [0], keyIndex: [Int32] = [-1], parent: [Int32] = [-1]
        labels.reserveCapacity(keys.count * 3); keyIndex.reserveCapacity(keys.count * 3); parent.reserveCapacity(keys.count * 3)
        // The path to the previous key's last node: node ids and the scalars along it (path[0] is the root).
        var path: [Int32] = [0], scalars: [UInt32] = []
        var current: [UInt32] = []
        var deepest = 0
        keys.bytes.withUnsafeBufferPointer { all in
            for i in 0..<keys.count {
                let s = Int(keys.starts[i]), e = Int(keys.starts[i + 1])
                guard e > s else { continue }
                // The key as scalars: its field byte, then the term's scalars (invalid UTF-8 decodes byte by
                // byte, as the walk's reference does).
                current.removeAll(keepingCapacity: true)
                current.append(UInt32(all[s]))
                var o = s + 1
                while o < e {
                    let b0 = UInt32(all[o])
                    var v = b0, len = 1
                    if b0 >= 0xF0, o + 3 < e { v = (b0 & 0x07) << 18 | UInt32(all[o + 1] & 0x3F) << 12 | UInt32(all[o + 2] & 0x3F) << 6 | UInt32(all[o + 3] & 0x3F); len = 4 }
                    else if b0 >= 0xE0, o + 2 < e { v = (b0 & 0x0F) << 12 | UInt32(all[o + 1] & 0x3F) << 6 | UInt32(all[o + 2] & 0x3F); len = 3 }
                    else if b0 >= 0xC0, o + 1 < e { v = (b0 & 0x1F) << 6 | UInt32(all[o + 1] & 0x3F); len = 2 }
                    current.append(v)
                    o += len
                }
                var common = 0
                while common < min(scalars.count, current.count) && scalars[common] == current[common] { common += 1 }
                path.removeLast(path.count - 1 - common)
                scalars.removeLast(scalars.count - common)
                for x in common..<current.count {
                    let node = Int32(labels.count)
                    labels.append(current[x]); keyIndex.append(-1); parent.append(path[path.count - 1])
                    path.append(node); scalars.append(current[x])
                }
                keyIndex[Int(path[path.count - 1])] = Int32(i)
                deepest = max(deepest, current.count - 1)
            }
        }
        // Children grouped by parent: in preorder a parent precedes its children, and siblings appear in key
        // order, so a counting pass and a filling pass keep them sorted.
        let n = labels.count
        var start = [Int32](repeating: 0, count: n + 1)
        for x in 1..<n { start[Int(parent[x]) + 1] += 1 }
        for x in 0..<n { start[x + 1] += start[x] }
        var fill = start
        var children = [Int32](repeating: 0, count: max(n - 1, 0))
        for x in 1..<n {
            let p = Int(parent[x])
            children[Int(fill[p])] = Int32(x); fill[p] += 1
        }
        self.labels = labels; self.keyIndex = keyIndex; childStart = start; self.children = children
        maxDepth = deepest
    }

    /// The child of `node` whose scalar is `label`, or -1 (a binary search of its children).
    @inline(__always) func child(_ node: Int, _ label: UInt32,
                                 _ children: UnsafeBufferPointer<Int32>, _ labels: UnsafeBufferPointer<UInt32>,
                                 _ childStart: UnsafeBufferPointer<Int32>) -> Int {
        var a = Int(childStart[node]), b = Int(childStart[node + 1])
        while a < b {
            let mid = (a + b) >> 1
            let l = labels[Int(children[mid])]
            if l == label { return Int(children[mid]) }
            if l < label { a = mid + 1 } else { b = mid }
        }
        return -1
    }
}
