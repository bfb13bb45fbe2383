import Foundation

/// The term dictionary (``IndexFileKind/termDictionary``): every term of a segment, sorted, with its postings metadata.
///
/// Keys are `[field number (1 byte)][term UTF-8 bytes]` in unsigned byte order. Terms are grouped in blocks
/// of ``TermDictionaryFormat/blockSize``; only the first key of each block is held in memory (the sparse
/// index), so a lookup is a binary search in memory followed by a scan of one block.
///
/// Layout: `Index/README.md`, "Term dictionary" (the one specification of the format).
enum TermDictionaryFormat {
    static let blockSize = 32
}

/// Postings metadata of one term in one segment.
struct TermInfo {
    var docFreq: Int
    var totalTermFreq: Int
    var docOffset: Int
    var posOffset: Int
    /// For a single-document term: its doc id, stored in the dictionary instead of `.doc`; else -1.
    var singletonDoc: Int32 = -1
}

final class TermDictionaryWriter {
    private let out: OutputFile
    private var block = ByteWriter(capacity: 4096)
    private var blockCount = 0
    private var entries = 0
    private var prevKey: [UInt8] = []
    private var prevDoc = 0, prevPos = 0
    private var index = ByteWriter(capacity: 4096)
    private var lastBlockOffset = 0
    private(set) var termCount = 0

    init(out: OutputFile) { self.out = out }

    func add<C: Collection>(key: C, info: TermInfo) throws where C.Element == UInt8 {
        let k = Array(key)
        if entries == 0 {
            let off = out.position - FileEnvelope.headerSize
            index.vint(k.count); index.bytes(k); index.vint(off - lastBlockOffset)
            lastBlockOffset = off
            blockCount += 1
            prevKey = []
        }
        var p = 0
        let n = min(prevKey.count, k.count)
        while p < n && prevKey[p] == k[p] { p += 1 }
        block.vint(p); block.vint(k.count - p); block.bytes(k[p...])
        block.vint(info.docFreq); block.vint(info.totalTermFreq - info.docFreq)
        if entries == 0 { prevDoc = 0; prevPos = 0 }
        if info.docFreq == 1 { block.vint(Int(info.singletonDoc)) }
        else { block.vint(info.docOffset - prevDoc); prevDoc = info.docOffset }
        block.vint(info.posOffset - prevPos); prevPos = info.posOffset
        prevKey = k
        entries += 1; termCount += 1
        if entries == TermDictionaryFormat.blockSize { try flushBlock() }
    }

    private func flushBlock() throws {
        guard entries > 0 else { return }
        var h = ByteWriter(); h.vint(entries)
        try out.write(h); try out.write(block)
        block.removeAll(); entries = 0
    }

    func finish() throws {
        try flushBlock()
        let indexOffset = out.position - FileEnvelope.headerSize
        var w = ByteWriter(); w.vint(blockCount)
        try out.write(w); try out.write(index)
        var t = ByteWriter(); t.u64(UInt64(indexOffset)); t.u64(UInt64(termCount))
        try out.write(t)
        try out.finish()
    }
}

/// Reads a `.tdi` file: the sparse index in memory, blocks scanned on demand from the mapping.
final class TermDictionaryReader: Sendable {
    let file: MappedFile
    /// The first key of block `b` as the block index records it (lookups binary-search these; `check`
    /// compares each with the block's actual first term).
    func indexedFirstKey(_ b: Int) -> ArraySlice<UInt8> { firstKeys[keyStarts[b] ..< keyStarts[b + 1]] }

    /// The first key of every block, back to back; block `b`'s is `firstKeys[keyStarts[b]..<keyStarts[b + 1]]`.
    private let firstKeys: [UInt8]
    private let keyStarts: [Int]
    private let blockOffsets: [Int]
    let termCount: Int
    /// Every key with its document frequency, decoded on first use by a multi-term query (see ``allKeys()``).
    private let keysCache = TermKeysCache<TermKeys>()
    private let trieCache = TermKeysCache<TermTrie>()

    init(file: MappedFile) throws {
        self.file = file
        var r = file.reader()
        guard file.body.count >= 16 else { throw SearchIndexError.corruptIndex(file: file.name, reason: "term dictionary too short") }
        try r.seek(file.body.count - 16)
        let indexOffset = Int(truncatingIfNeeded: try r.u64())
        termCount = Int(truncatingIfNeeded: try r.u64())
        try r.seek(indexOffset)
        let n = try r.count(limit: file.body.count)
        var off = 0
        var firstKeys: [UInt8] = [], keyStarts: [Int] = [], blockOffsets: [Int] = []
        keyStarts.reserveCapacity(n + 1); blockOffsets.reserveCapacity(n)
        for _ in 0..<n {
            let kl = try r.count(limit: 1 << 16)
            keyStarts.append(firstKeys.count)
            firstKeys.append(contentsOf: try r.slice(kl))
            off += try r.count(limit: file.body.count)
            guard off < indexOffset else { throw r.fail("block offset \(off) out of range") }
            blockOffsets.append(off)
        }
        keyStarts.append(firstKeys.count)
        self.firstKeys = firstKeys; self.keyStarts = keyStarts; self.blockOffsets = blockOffsets
    }

    var blockCount: Int { blockOffsets.count }

    private func compareFirstKey(_ b: Int, _ key: UnsafeRawBufferPointer) -> Int {
        firstKeys.withUnsafeBytes { fk in
            let s = keyStarts[b], l = keyStarts[b + 1] - s
            let n = min(l, key.count)
            for i in 0..<n {
                let x = fk[s + i], y = key[i]
                if x != y { return x < y ? -1 : 1 }
            }
            return l == key.count ? 0 : (l < key.count ? -1 : 1)
        }
    }

    /// Index of the last block whose first key is <= key, or nil if key sorts before all.
    private func blockFor(_ key: UnsafeRawBufferPointer) -> Int? {
        var lo = 0, hi = blockOffsets.count - 1, ans = -1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if compareFirstKey(mid, key) <= 0 { ans = mid; lo = mid + 1 } else { hi = mid - 1 }
        }
        return ans >= 0 ? ans : nil
    }

    /// Decodes an entry's postings metadata, after its key; `doc` and `pos` are the block's running offsets.
    @inline(__always) private static func readInfo(_ r: inout ByteReader, doc: inout Int, pos: inout Int) throws -> TermInfo {
        let df = try r.count(), extra = try r.count()
        let d = try r.count(limit: Int.max), q = try r.count(limit: Int.max)
        guard df > 0 else { throw r.fail("term with zero docFreq") }
        var single: Int32 = -1
        if df == 1 {
            guard d < Int(Int32.max) else { throw r.fail("inline doc id out of range") }
            single = Int32(d)
        } else {
            let (nd, o1) = doc.addingReportingOverflow(d)
            guard !o1 else { throw r.fail("postings offset out of range") }
            doc = nd
        }
        let (np, o2) = pos.addingReportingOverflow(q)
        guard !o2 else { throw r.fail("positions offset out of range") }
        pos = np
        return TermInfo(docFreq: df, totalTermFreq: df + extra, docOffset: doc, posOffset: pos, singletonDoc: single)
    }

    /// Walks the entries of block `b` in order; `body` returns false to stop. Throws on corrupt data.
    func scanBlock(_ b: Int, _ body: (_ key: [UInt8], _ info: TermInfo) -> Bool) throws {
        var r = file.reader(at: blockOffsets[b])
        let n = try r.count(limit: 1 << 20)
        var key: [UInt8] = []
        var doc = 0, pos = 0
        for _ in 0..<n {
            let p = try r.count(limit: key.count)
            let sl = try r.count(limit: 1 << 16)
            key.removeLast(key.count - p)
            let suffix = try r.slice(sl)
            key.append(contentsOf: UnsafeBufferPointer(start: suffix.baseAddress?.assumingMemoryBound(to: UInt8.self), count: suffix.count))
            let info = try Self.readInfo(&r, doc: &doc, pos: &pos)
            if !body(key, info) { return }
        }
    }

    /// Looks up one key: a binary search of the in-memory block index, then one pass over the block that
    /// compares each entry with `key` as it decodes (no key is built, no closure is called). A prefix-coded
    /// entry that shares more bytes with the previous key than the previous key shared with `key` sorts the
    /// same way as that key did, so only the bytes past the shared prefix are compared.
    func lookup(_ key: [UInt8]) throws -> TermInfo? {
        guard let b = key.withUnsafeBytes({ blockFor($0) }) else { return nil }
        var r = file.reader(at: blockOffsets[b])
        let n = try r.count(limit: 1 << 20)
        var prevLen = 0     // length of the previous entry's key
        var matched = 0     // leading bytes the previous entry's key shares with `key` (it sorted before `key`)
        var doc = 0, pos = 0
        for _ in 0..<n {
            let p = try r.count(limit: prevLen)
            let sl = try r.count(limit: 1 << 16)
            let suffix = try r.slice(sl)
            let len = p + sl
            prevLen = len
            // How this entry compares with `key`: -1 before it, 0 equal, 1 after it.
            var order = -1
            if p <= matched {
                var m = p
                while m < len && m < key.count && suffix[m - p] == key[m] { m += 1 }
                if m == len && m == key.count { order = 0 }
                else if m == key.count || (m < len && suffix[m - p] > key[m]) { order = 1 }
                else { matched = m }
            }
            // (p > matched: the entry repeats the previous key up to past the byte where that key fell
            // below `key`, so it is below `key` too.)
            if order > 0 { return nil }
            let info = try Self.readInfo(&r, doc: &doc, pos: &pos)   // (every entry: the offsets are running sums)
            if order == 0 { return info }
        }
        return nil
    }

    static func less(_ a: [UInt8], _ b: [UInt8]) -> Bool { a.lexicographicallyPrecedes(b) }

    /// Every key of the dictionary in order, with its document frequency, decoded once (on first use) and
    /// kept: prefix and wildcard expansions walk it in memory, seeking by binary search, instead of decoding
    /// a block at every skip, and the fuzzy walk's trie is built from it. About 8 bytes per term plus the key
    /// bytes (offsets and frequencies).
    func allKeys() throws -> TermKeys {
        try keysCache.get {
            var bytes: [UInt8] = [], starts: [Int32] = [0], docFreqs: [Int32] = []
            // (termCount comes from the file: bound it by the file's size before trusting it for an allocation.)
            let expected = min(max(termCount, 0), file.body.count)
            bytes.reserveCapacity(expected * 8); starts.reserveCapacity(expected + 1); docFreqs.reserveCapacity(expected)
            for b in 0..<blockCount {
                try scanBlock(b) { k, info in
                    bytes.append(contentsOf: k); starts.append(Int32(truncatingIfNeeded: bytes.count))
                    docFreqs.append(Int32(clamping: info.docFreq))
                    return true
                }
            }
            guard bytes.count < Int(Int32.max) else {
                throw SearchIndexError.invalidArgument("\(file.name): the term dictionary is too large to expand fuzzy or wildcard terms over")
            }
            return TermKeys(bytes: bytes, starts: starts, docFreqs: docFreqs)
        }
    }
}

extension TermDictionaryReader {
    /// The dictionary's keys as a trie (``TermTrie``), built from ``allKeys()`` on first use and kept: the
    /// fuzzy walk follows it.
    func trie() throws -> TermTrie {
        let keys = try allKeys()
        return try trieCache.get { TermTrie(keys) }
    }
}

/// A dictionary's keys in order, in one byte array, with each term's document frequency. Immutable.
struct TermKeys: Sendable {
    let bytes: [UInt8]
    /// Key `i` is `bytes[starts[i] ..< starts[i + 1]]`.
    let starts: [Int32]
    let docFreqs: [Int32]
    var count: Int { docFreqs.count }
    init(bytes: [UInt8], starts: [Int32], docFreqs: [Int32]) {
        self.bytes = bytes; self.starts = starts; self.docFreqs = docFreqs
    }

    /// Key `i`.
    @inline(__always) func key(_ i: Int) -> ArraySlice<UInt8> { bytes[Int(starts[i]) ..< Int(starts[i + 1])] }

    /// The index of the first key >= `target` (`count` when there is none): a binary search.
    func lowerBound(_ target: [UInt8]) -> Int {
        bytes.withUnsafeBufferPointer { all in
            var a = 0, b = count
            while a < b {
                let mid = (a + b) / 2
                let s = Int(starts[mid]), e = Int(starts[mid + 1])
                // key(mid) < target?
                if UnsafeBufferPointer(rebasing: all[s ..< e]).lexicographicallyPrecedes(target) { a = mid + 1 } else { b = mid }
            }
            return a
        }
    }
}

/// Builds ``TermKeys`` (or a structure derived from them) once, for any number of threads.
/// (`@unchecked Sendable`: `value` is only read or written under `lock`.)
final class TermKeysCache<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value? = nil
    func get(_ build: () throws -> Value) throws -> Value {
        lock.lock(); defer { lock.unlock() }
        if let value { return value }
        let v = try build()
        value = v
        return v
    }
}
