import Foundation

/// Decoded postings blocks (doc ids and term frequencies) kept in memory within a byte budget, so the blocks
/// of frequent words are inflated once rather than on every query that reads them. It works like RocksDB's
/// block cache, which keeps uncompressed blocks of compressed files: the files stay zlib-compressed, and
/// only the hot part of them is held inflated. One cache belongs to one ``Searcher``, and its queries share it.
///
/// - Only full blocks (``PostingsFormat/blockSize`` documents) are kept. Each takes 1 KiB; a term's partial
///   last block, and terms of one block, are cheap to decode and would crowd out the full ones.
/// - Keys are the address of a block's stored bytes in its mapped `.doc` file. They are unique while the
///   searcher (which owns both the cache and the mappings) lives.
/// - Eviction is CLOCK (second chance). A new block starts unreferenced, so a one-off scan of many blocks
///   replaces only other unreferenced ones. Once the cache is full, only one miss in ``admitOneIn`` is
///   admitted, so a working set larger than the budget does not churn it.
/// - A block is checked (doc order, ranges, frequencies) when it is first decoded; a cached copy is never
///   corrupt unless the mapping underneath changes, which the index never does to committed files.
///
/// Thread-safe: one lock around each lookup or insert. The copy of 1 KiB under the lock is about 100
/// instructions; inflating and decoding the block is about 10,000.
final class PostingsBlockCache: @unchecked Sendable {
    /// 32-bit words per slot: the doc ids, then the frequencies.
    private static let slotWords = 2 * PostingsFormat.blockSize
    /// Bytes one cached block costs, with its share of the index (key, flag, hash-table entry).
    static let bytesPerBlock = slotWords * 4 + 48

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
    /// `capacity * slotWords` words, allocated at once but touched (made resident) only as slots fill.
    private let data: UnsafeMutablePointer<UInt32>
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
        data = .allocate(capacity: capacity * Self.slotWords)
        counters.capacityBytes = capacity * Self.bytesPerBlock
    }

    deinit {
        keys.deallocate(); referenced.deallocate(); data.deallocate()
    }

    /// Copies the cached block `key` into `docs` and `freqs` (``PostingsFormat/blockSize`` each) and returns
    /// true; false when it is not cached.
    func lookup(_ key: UInt, docs: UnsafeMutablePointer<Int32>, freqs: UnsafeMutablePointer<UInt32>) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard let s = slots[key] else { counters.misses += 1; return false }
        let n = PostingsFormat.blockSize
        let p = data + Int(s) * Self.slotWords
        UnsafeMutableRawPointer(docs).copyMemory(from: p, byteCount: n * 4)
        freqs.update(from: p + n, count: n)
        referenced[Int(s)] = true
        counters.hits += 1
        return true
    }

    /// Keeps a copy of the decoded block `key`, evicting a block not read since the clock hand last passed
    /// it when the cache is full.
    func insert(_ key: UInt, docs: UnsafePointer<Int32>, freqs: UnsafePointer<UInt32>) {
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
        let n = PostingsFormat.blockSize
        let p = data + s * Self.slotWords
        UnsafeMutableRawPointer(p).copyMemory(from: docs, byteCount: n * 4)
        (p + n).update(from: freqs, count: n)
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
    /// Full blocks looked for and not found (then inflated, decoded and added).
    public var misses: Int
    /// Blocks dropped to make room.
    public var evictions: Int
    /// Blocks held now.
    public var blocks: Int
    /// The budget, rounded down to whole blocks.
    public var capacityBytes: Int
}
