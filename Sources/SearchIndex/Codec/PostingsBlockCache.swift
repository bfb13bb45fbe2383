import Foundation

/// Decoded postings blocks (doc ids and term frequencies) kept in memory within a byte budget, so the blocks
/// of frequent words are inflated once rather than on every query that reads them. It works like RocksDB's
/// block cache, which keeps uncompressed blocks of compressed files: the files stay zlib-compressed, and
/// only the hot part of them is held inflated. One cache belongs to one ``Searcher``, and its queries share it.
///
/// - Only full blocks (``PostingsFormat/blockSize`` documents) whose doc deltas and frequencies all fit in a
///   byte are kept, as 128 delta bytes and 128 frequency bytes: 256 bytes a block. Those are the blocks of
///   frequent words, the ones queries read most; on 1M synthetic docs, 1 KiB slots of full ids held a
///   quarter as many blocks and thrashed. Partial last blocks, and terms of one block, are cheap to decode.
/// - Keys are the address of a block's stored bytes in its mapped `.doc` file. They are unique while the
///   searcher (which owns both the cache and the mappings) lives.
/// - Eviction is CLOCK (second chance). A new block starts unreferenced, so a one-off scan of many blocks
///   replaces only other unreferenced ones. Once the cache is full, only one miss in ``admitOneIn`` is
///   admitted, so a working set larger than the budget does not churn it.
/// - A block is checked (doc order, ranges, frequencies) when it is first decoded; a cached copy is never
///   corrupt unless the mapping underneath changes, which the index never does to committed files.
///
/// Thread-safe: one lock around each lookup or insert. Rebuilding a block from its slot under the lock is a
/// few hundred instructions; inflating and decoding it is about 10,000.
final class PostingsBlockCache: @unchecked Sendable {
    /// Bytes per slot: the doc deltas, then the frequencies.
    private static let slotBytes = 2 * PostingsFormat.blockSize
    /// Bytes one cached block costs, with its share of the index (key, flag, hash-table entry).
    static let bytesPerBlock = slotBytes + 48

    /// Once full, one miss in this many is admitted (measured on 1M docs with a 64 MiB budget: admitting
    /// every miss churned the cache and made queries slower than no cache; one in 8 kept more hits, 711k
    /// against 552k, with a ninth of the evictions).
    static let admitOneIn = 8
    /// How many blocks fit.
    let capacity: Int
    private let lock = NSLock()
    private var slots: [UInt: Int32] = [:]
    private let keys: UnsafeMutablePointer<UInt>
    private let referenced: UnsafeMutablePointer<Bool>
    /// `capacity * slotBytes` bytes, allocated at once but touched (made resident) only as slots fill.
    private let data: UnsafeMutablePointer<UInt8>
    private var used = 0
    private var hand = 0
    /// Misses not admitted since the last one that was (once full).
    private var skipped = 0
    private var counters = PostingsCacheStatistics(hits: 0, misses: 0, evictions: 0, blocks: 0, capacityBytes: 0)

    /// A cache of at most `bytes` bytes; nil when that holds no block.
    init?(bytes: Int) {
        guard bytes >= Self.bytesPerBlock else { return nil }
        capacity = bytes / Self.bytesPerBlock
        keys = .allocate(capacity: capacity); keys.initialize(repeating: 0, count: capacity)
        referenced = .allocate(capacity: capacity); referenced.initialize(repeating: false, count: capacity)
        data = .allocate(capacity: capacity * Self.slotBytes)
        counters.capacityBytes = capacity * Self.bytesPerBlock
    }

    deinit {
        keys.deallocate(); referenced.deallocate(); data.deallocate()
    }

    /// Writes the cached block `key` into `docs` and `freqs` (``PostingsFormat/blockSize`` each; the doc ids
    /// rebuilt from their deltas after `base`, the doc before the block or 0) and returns true; false when it
    /// is not cached.
    func lookup(_ key: UInt, base: Int32, docs: UnsafeMutablePointer<Int32>, freqs: UnsafeMutablePointer<UInt32>) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard let s = slots[key] else { counters.misses += 1; return false }
        let n = PostingsFormat.blockSize
        let p = data + Int(s) * Self.slotBytes
        var d = base
        for i in 0..<n {
            d &+= Int32(p[i])
            docs[i] = d
            freqs[i] = UInt32(p[n + i])
        }
        referenced[Int(s)] = true
        counters.hits += 1
        return true
    }

    /// Keeps the decoded block `key` (doc ids after `base`) when its doc deltas and frequencies each fit in a
    /// byte, evicting a block not read since the clock hand last passed it when the cache is full.
    func insert(_ key: UInt, base: Int32, docs: UnsafePointer<Int32>, freqs: UnsafePointer<UInt32>) {
        let n = PostingsFormat.blockSize
        var prev = base, wide: UInt32 = 0
        for i in 0..<n {
            wide |= UInt32(bitPattern: docs[i] &- prev) | freqs[i]
            prev = docs[i]
        }
        guard wide <= 255 else { return }
        lock.lock(); defer { lock.unlock() }
        guard slots[key] == nil else { return }   // another query decoded it meanwhile
        if used == capacity {
            // Full: admit one miss in `admitOneIn`. A block read often misses often and soon gets in; a
            // stream of blocks read once (a working set larger than the budget) mostly does not churn it.
            skipped += 1
            if skipped < Self.admitOneIn { return }
            skipped = 0
        }
        let s: Int
        if used < capacity {
            s = used; used += 1
        } else {
            while referenced[hand] { referenced[hand] = false; hand = hand + 1 == capacity ? 0 : hand + 1 }
            s = hand
            hand = hand + 1 == capacity ? 0 : hand + 1
            slots.removeValue(forKey: keys[s])
            counters.evictions += 1
        }
        keys[s] = key
        referenced[s] = false
        let p = data + s * Self.slotBytes
        prev = base
        for i in 0..<n {
            p[i] = UInt8(truncatingIfNeeded: docs[i] &- prev)
            p[n + i] = UInt8(truncatingIfNeeded: freqs[i])
            prev = docs[i]
        }
        slots[key] = Int32(s)
    }

    /// Hits, misses and evictions so far, and the blocks held.
    var statistics: PostingsCacheStatistics {
        lock.lock(); defer { lock.unlock() }
        var c = counters
        c.blocks = used
        return c
    }
}

/// What a searcher's cache of decoded postings blocks has done (see ``Searcher/postingsCacheStatistics``).
public struct PostingsCacheStatistics: Sendable, Equatable {
    /// Blocks found in the cache (not inflated).
    public var hits: Int
    /// Full blocks looked for and not found (then inflated and decoded, and added when compact enough).
    public var misses: Int
    /// Blocks dropped to make room.
    public var evictions: Int
    /// Blocks held now.
    public var blocks: Int
    /// The budget, rounded down to whole blocks.
    public var capacityBytes: Int
}
