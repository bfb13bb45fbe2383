import Foundation

/// What `search index` knows of the folder it indexed: per file, its size, modification time, content hash
/// and the ids of the documents it gave. The next run reads only files whose size or time changed, parses
/// only those whose content changed, and deletes the documents of files that are gone.
///
/// It is kept in the index directory in a file of its own, named by the commit's user data
/// (``userDataKey``), so it changes atomically with the commit: it is written and synced before the commit
/// that names it, and a crash before that commit leaves the previous commit naming the previous state.
///
/// ## File format (`ingest-<16 hex digits>.state`)
/// ```
/// magic "SIST" (4 bytes), version u8 (1)
/// root: string                   the walked folder, absolute and standardized
/// scannedAt: vint                 zigzag, nanoseconds since 1970: when the walk that wrote it started
/// fileCount: vint, then per file in path byte order:
///   path string, size vint (size + 1; 0 = unknown), modified vint (zigzag, nanoseconds since 1970),
///   hash u64 (FNV-1a 64 of the content, little-endian), idCount vint, idCount × id string
/// checksum u64: FNV-1a 64 of every byte before it (little-endian)
/// ```
/// A string is a vint byte count and UTF-8 bytes; a vint is LEB128 (7 bits a byte, low first). The file must
/// end right after the checksum.
public struct IngestState: Sendable, Equatable {
    /// One indexed file.
    public struct Entry: Sendable, Equatable {
        /// Size in bytes when it was last read (-1: unknown).
        public var size: Int
        /// Modification time then, nanoseconds since 1970.
        public var modified: Int64
        /// ``CorpusWalker/contentHash(_:)`` of its content then.
        public var hash: UInt64
        /// The ids of the documents it gave, in order.
        public var ids: [String]
        /// An entry.
        public init(size: Int, modified: Int64, hash: UInt64, ids: [String]) {
            self.size = size; self.modified = modified; self.hash = hash; self.ids = ids
        }
    }

    /// The commit user-data key naming the state file.
    public static let userDataKey = "ingest_state"
    /// The walked folder (absolute, standardized).
    public var root: String
    /// Per path relative to ``root``.
    public var files: [String: Entry]
    /// When the walk that recorded this started (nanoseconds since 1970). A file modified less than
    /// ``racyWindow`` before it may have changed again within the file system's timestamp granularity
    /// without its time changing, so ``isUnchanged(_:)`` does not trust its size and time (git's "racy clean").
    public var scannedAt: Int64

    /// Two seconds: more than the timestamp granularity of common file systems.
    public static let racyWindow: Int64 = 2_000_000_000

    /// A state for `root`.
    public init(root: String, scannedAt: Int64, files: [String: Entry] = [:]) { self.root = root; self.scannedAt = scannedAt; self.files = files }

    /// Whether `file` can be taken as unchanged without reading it: the same size and time as recorded,
    /// and that time not within ``racyWindow`` of the recording walk.
    public func isUnchanged(_ file: SourceFile) -> Bool { unchangedEntry(file) != nil }

    /// The recorded entry of `file` if ``isUnchanged(_:)`` (one lookup for both).
    public func unchangedEntry(_ file: SourceFile) -> Entry? {
        guard let e = files[file.path] else { return nil }
        return e.size == file.size && e.modified == file.modified && e.modified < scannedAt - Self.racyWindow ? e : nil
    }

    /// The file's bytes (see the format above).
    public func encode() -> [UInt8] {
        var out: [UInt8] = Array("SIST".utf8) + [1]
        func vint(_ v: UInt64) {
            var v = v
            while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
            out.append(UInt8(v))
        }
        func string(_ s: String) { vint(UInt64(s.utf8.count)); out.append(contentsOf: s.utf8) }
        func u64(_ v: UInt64) { for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
        string(root)
        vint(UInt64(bitPattern: (scannedAt << 1) ^ (scannedAt >> 63)))
        vint(UInt64(files.count))
        for (path, e) in files.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            string(path)
            vint(UInt64(max(e.size + 1, 0)))
            vint(UInt64(bitPattern: (e.modified << 1) ^ (e.modified >> 63)))
            u64(e.hash)
            vint(UInt64(e.ids.count))
            for id in e.ids { string(id) }
        }
        u64(fnv1a64(out))
        return out
    }

    /// Decodes a state file; `name` is used in errors.
    public static func decode(_ bytes: [UInt8], name: String) throws -> IngestState {
        try bytes.withUnsafeBufferPointer { try decode($0, name: name) }
    }

    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, name: String) throws -> IngestState {
        var i = 0
        func fail(_ why: String) -> IngestStateError { IngestStateError(file: name, offset: i, reason: why) }
        guard bytes.count >= 13, Array(bytes[0..<4]) == Array("SIST".utf8) else { throw fail("not an ingest state file (bad magic)") }
        guard bytes[4] == 1 else { i = 4; throw fail("unknown version \(bytes[4])") }
        let body = bytes.count - 8
        var stored: UInt64 = 0
        for k in 0..<8 { stored |= UInt64(bytes[body + k]) << (8 * UInt64(k)) }
        guard stored == fnv1a64(UnsafeBufferPointer(rebasing: bytes[0..<body])) else { i = body; throw fail("checksum mismatch") }
        i = 5
        func vint() throws -> UInt64 {
            var v: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard i < body else { throw fail("truncated number") }
                let b = bytes[i]; i += 1
                guard shift < 64 else { throw fail("number too long") }
                v |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return v }
                shift += 7
            }
        }
        func count(_ limit: Int) throws -> Int {
            let v = try vint()
            guard v <= UInt64(limit) else { throw fail("count \(v) exceeds \(limit)") }
            return Int(v)
        }
        func string() throws -> String {
            let n = try count(body - i)
            defer { i += n }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<i + n]), as: UTF8.self)
        }
        func u64() throws -> UInt64 {
            guard i + 8 <= body else { throw fail("truncated hash") }
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
            i += 8
            return v
        }
        let root = try string()
        let zs = try vint()
        var state = IngestState(root: root, scannedAt: Int64(bitPattern: zs >> 1) ^ -Int64(bitPattern: zs & 1))
        let n = try count(body)
        state.files.reserveCapacity(n)
        for _ in 0..<n {
            let path = try string()
            let size = try count(Int.max) - 1
            let z = try vint()
            let modified = Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1)
            let hash = try u64()
            let k = try count(body - i)
            var ids: [String] = []
            ids.reserveCapacity(k)
            for _ in 0..<k { ids.append(try string()) }
            guard state.files.updateValue(Entry(size: size, modified: modified, hash: hash, ids: ids), forKey: path) == nil else {
                throw fail("file \(path.debugDescription) listed twice")
            }
        }
        guard i == body else { throw fail("\(body - i) trailing bytes") }
        return state
    }

    /// Writes the state into index directory `directory` under a new name, synced to disk, and returns the
    /// name (to record under ``userDataKey`` in the commit).
    public func write(toIndex directory: String) throws -> String {
        let name = "ingest-" + String(format: "%016llx", UInt64.random(in: 0...UInt64.max)) + ".state"
        let path = directory + "/" + name
        guard FileManager.default.createFile(atPath: path, contents: Data(encode())),
              let h = FileHandle(forUpdatingAtPath: path) else {
            throw IngestStateError(file: path, offset: 0, reason: "cannot write")
        }
        defer { try? h.close() }
        try h.synchronize()
        return name
    }

    /// Reads the state named `name` in index directory `directory`.
    public static func read(fromIndex directory: String, name: String) throws -> IngestState {
        guard name.hasPrefix("ingest-"), name.hasSuffix(".state"), !name.contains("/") else {
            throw IngestStateError(file: name, offset: 0, reason: "not an ingest state file name")
        }
        let path = directory + "/" + name
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IngestStateError(file: path, offset: 0, reason: "missing or unreadable")
        }
        return try decode([UInt8](data), name: path)
    }

    /// Removes the state files in `directory` other than `keep` (those of earlier commits).
    public static func removeStale(inIndex directory: String, keep: String?) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for n in names where n.hasPrefix("ingest-") && n.hasSuffix(".state") && n != keep {
            try? FileManager.default.removeItem(atPath: directory + "/" + n)
        }
    }
}

/// A damaged or unreadable ingest state file: which file, the byte offset, and what is wrong.
public struct IngestStateError: Error, Equatable, CustomStringConvertible {
    /// The file.
    public var file: String
    /// The byte offset of the problem.
    public var offset: Int
    /// What is wrong.
    public var reason: String
    /// `file: reason at offset N`.
    public var description: String { "\(file): \(reason) at offset \(offset)" }
}
