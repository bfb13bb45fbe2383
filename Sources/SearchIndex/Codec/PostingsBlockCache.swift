import Foundation

/// Decoded postings kept in memory within a byte budget, so the blocks of frequent words are inflated once
/// rather than on every query that reads them. It works like RocksDB's block cache, which keeps
/// uncompressed blocks of compressed files: the files stay zlib-compressed, and only the hot part of them is
/// held inflated. One cache belongs to one ``Searcher``, and its queries share it. It holds two kinds of entry:
///
/// - Doc blocks: full blocks (``PostingsFormat/blockSize`` documents) whose doc deltas and frequencies all
///   fit in a byte, as 128 delta bytes and 128 frequency bytes (256 bytes a block). Those are the blocks of
///   frequent words, the ones queries read most; on 1M synthetic docs, 1 KiB entries of full ids held a
///   quarter as many blocks and thrashed. Partial last blocks, and terms of one block, are cheap to decode.
/// - Positions payloads, inflated (their varints are still checked as each document's positions are
///   decoded). Phrase queries read them.
///
/// Keys are the address of an entry's stored bytes in its mapped `.doc` or `.pos` file: unique while the
/// searcher (which owns both the cache and the mappings) lives. Eviction is CLOCK (second chance); a new
/// entry starts unreferenced, so a one-off scan replaces only other unreferenced entries. Once the cache is
/// full, only one miss in ``admitOneIn`` is admitted, so a working set larger than the budget does not churn
/// it. A doc block is checked (doc order, ranges, frequencies) when it is first decoded; the index never
/// changes committed files under a mapping, so a cached copy stays valid.
///
/// Thread-safe: one lock around each lookup or admission. Rebuilding a doc block from its entry under the
/// lock is a few hundred instructions; inflating and decoding it is about 10,000.
final class PostingsBlockCache: @unchecked Sendable {
    /// Bytes of a cached doc block: the doc deltas, then the frequencies.
    private static let blockBytes = 2 * PostingsFormat.blockSize
    /// Bytes an entry costs beyond its data (its ring record, index entry and allocation header).
    static let entryOverhead = 64
    /// Budget bytes one cached doc block takes.
    static let bytesPerBlock = blockBytes + entryOverhead

    /// Once full, one miss in this many is admitted (measured on 1M docs with a 64 MiB budget: admitting
    /// every miss churned the cache and made queries slower than no cache; one in 8 kept more hits, 711k
    /// against 552k, with a ninth of the evictions).
    static let admitOneIn = 8

    /// The budget in bytes.
    let capacityBytes: Int
    private let lock = NSLock()
    private struct Entry {
        var key: UInt
        var data: UnsafeMutableRawPointer?   // nil: a free slot
        var bytes: Int
        var referenced: Bool
    }
    private var ring: [Entry] = []
    private var slotOf: [UInt: Int32] = [:]
    private var freeSlots: [Int32] = []
    private var usedBytes = 0
    private var entries = 0
    private var hand = 0
    /// Misses not admitted since the last one that was (once full).
    private var skipped = 0
    private var counters = PostingsCacheStatistics(hits: 0, misses: 0, evictions: 0, blocks: 0, capacityBytes: 0)

    /// A cache of at most `bytes` bytes; nil when that holds no doc block.
    init?(bytes: Int) {
        guard bytes >= Self.bytesPerBlock else { return nil }
        capacityBytes = bytes
        counters.capacityBytes = bytes
    }

    deinit {
        for e in ring { e.data?.deallocate() }
    }

    /// The entry `key`'s data if it holds `bytes` bytes, marked as read; call with the lock held.
    private func find(_ key: UInt, bytes: Int) -> UnsafeMutableRawPointer? {
        guard let s = slotOf[key], ring[Int(s)].bytes == bytes, let p = ring[Int(s)].data else { counters.misses += 1; return nil }
        ring[Int(s)].referenced = true
        counters.hits += 1
        return p
    }

    /// Writes the cached doc block `key` into `docs` and `freqs` (``PostingsFormat/blockSize`` each; the doc
    /// ids rebuilt from their deltas after `base`, the doc before the block or 0) and returns true; false
    /// when it is not cached.
    func lookup(_ key: UInt, base: Int32, docs: UnsafeMutablePointer<Int32>, freqs: UnsafeMutablePointer<UInt32>) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard let raw = find(key, bytes: Self.blockBytes) else { return false }
        let p = raw.assumingMemoryBound(to: UInt8.self)
        let n = PostingsFormat.blockSize
        var d = base
        for i in 0..<n {
            d &+= Int32(p[i])
            docs[i] = d
            freqs[i] = UInt32(p[n + i])
        }
        return true
    }

    /// Keeps the decoded doc block `key` (doc ids after `base`) when its doc deltas and frequencies each fit
    /// in a byte.
    func insert(_ key: UInt, base: Int32, docs: UnsafePointer<Int32>, freqs: UnsafePointer<UInt32>) {
        let n = PostingsFormat.blockSize
        var prev = base, wide: UInt32 = 0
        for i in 0..<n {
            wide |= UInt32(bitPattern: docs[i] &- prev) | freqs[i]
            prev = docs[i]
        }
        guard wide <= 255 else { return }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: Self.blockBytes, alignment: 8)
        let p = raw.assumingMemoryBound(to: UInt8.self)
        prev = base
        for i in 0..<n {
            p[i] = UInt8(truncatingIfNeeded: docs[i] &- prev)
            p[n + i] = UInt8(truncatingIfNeeded: freqs[i])
            prev = docs[i]
        }
        if !admit(key, raw, Self.blockBytes) { raw.deallocate() }
    }

    /// Copies the cached payload `key` of `count` bytes (an inflated positions group) to `dest`; false when
    /// it is not cached.
    func lookupBytes(_ key: UInt, into dest: UnsafeMutableRawPointer, count: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard let p = find(key, bytes: count) else { return false }
        dest.copyMemory(from: p, byteCount: count)
        return true
    }

    /// Keeps a copy of the `count` bytes at `source` (an inflated positions group) under `key`, unless they
    /// would take more than an eighth of the budget.
    func insertBytes(_ key: UInt, from source: UnsafeRawPointer, count: Int) {
        guard count > 0, count + Self.entryOverhead <= capacityBytes / 8 else { return }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 8)
        raw.copyMemory(from: source, byteCount: count)
        if !admit(key, raw, count) { raw.deallocate() }
    }

    /// Takes `data` (`bytes` bytes, allocated by the caller) as entry `key`, evicting entries not read since
    /// the clock hand last passed them until it fits; false (the caller keeps `data`) when `key` is already
    /// held or the admission rule turns it away.
    private func admit(_ key: UInt, _ data: UnsafeMutableRawPointer, _ bytes: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard slotOf[key] == nil else { return false }   // another query decoded it meanwhile
        let cost = bytes + Self.entryOverhead
        if usedBytes + cost > capacityBytes {
            // Full: admit one miss in `admitOneIn`. An entry read often misses often and soon gets in; a
            // stream of entries read once (a working set larger than the budget) mostly does not churn it.
            skipped += 1
            if skipped < Self.admitOneIn { return false }
            skipped = 0
            while usedBytes + cost > capacityBytes && entries > 0 {
                if hand >= ring.count { hand = 0 }
                if ring[hand].data == nil { hand += 1; continue }
                if ring[hand].referenced { ring[hand].referenced = false; hand += 1; continue }
                let e = ring[hand]
                slotOf.removeValue(forKey: e.key)
                e.data?.deallocate()
                ring[hand].data = nil
                usedBytes -= e.bytes + Self.entryOverhead
                entries -= 1
                freeSlots.append(Int32(hand))
                counters.evictions += 1
                hand += 1
            }
            if usedBytes + cost > capacityBytes { return false }
        }
        let entry = Entry(key: key, data: data, bytes: bytes, referenced: false)
        let s: Int
        if let f = freeSlots.popLast() { s = Int(f); ring[s] = entry } else { s = ring.count; ring.append(entry) }
        slotOf[key] = Int32(s)
        usedBytes += cost
        entries += 1
        return true
    }

    /// Hits, misses and evictions so far, and the blocks held.
    var statistics: PostingsCacheStatistics {
        lock.lock(); defer { lock.unlock() }
        var c = counters
        c.blocks = entries
        return c
    }
}

/// What a searcher's cache of decoded postings blocks has done (see ``Searcher/postingsCacheStatistics``).
public struct PostingsCacheStatistics: Sendable, Equatable {
    /// Lookups found in the cache (doc blocks and positions payloads not inflated).
    public var hits: Int
    /// Lookups not found (then inflated, and offered to the cache).
    public var misses: Int
    /// Entries dropped to make room.
    public var evictions: Int
    /// Entries held now (doc blocks and positions payloads).
    public var blocks: Int
    /// The budget, in bytes.
    public var capacityBytes: Int
}
