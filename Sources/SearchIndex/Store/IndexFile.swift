import CZlib
#if canImport(Glibc)
import Glibc
/// The C library's `write(2)` (named, because `OutputFile` has a `write` of its own).
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
/// The C library's `write(2)` (named, because `OutputFile` has a `write` of its own).
private let systemWrite = Darwin.write
#endif

/// The envelope every index file shares: a 12-byte header and an 8-byte footer.
///
/// Header: magic `SIX1`, the 4-byte kind (``IndexFileKind``), the format ``version``; footer: magic `SIXF`
/// and a CRC-32 of every byte before it. Layout: `Index/README.md`, "Conventions".
/// A reader checks both magics, the kind, the version and (by default) the CRC before it trusts a byte.
enum FileEnvelope {
    static let headerMagic: [UInt8] = Array("SIX1".utf8)
    static let footerMagic: [UInt8] = Array("SIXF".utf8)
    static let headerSize = 12
    static let footerSize = 8
    /// The format version this library writes and reads. Version 2 added the stored-fields content CRCs and
    /// field table, version 3 the stored-fields id table, version 4 positions deflated in groups of blocks,
    /// version 5 doc payloads deflated in groups of blocks too, version 6 small terms' payloads deflated
    /// together in packs; an older index is refused with a clear error (rebuild it: `search index --rebuild` does).
    static let version: UInt32 = 6
}

/// Writes one index file sequentially: header, body bytes, footer; computes the CRC as it goes.
///
/// Bytes go through a 256 KiB buffer to the file descriptor; `finish()` writes the footer and fsyncs.
final class OutputFile {
    let path: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var crc: UInt = crc32(0, nil, 0)
    /// Bytes written so far, header included (the offset of the next byte).
    private(set) var position: Int = 0
    private var finished = false

    init(path: String, kind: IndexFileKind) throws {
        self.path = path
        let kind = kind.envelopeKind
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SearchIndexError.io(path: path, message: String(cString: strerror(errno))) }
        buffer.reserveCapacity(1 << 18)
        var h = FileEnvelope.headerMagic
        let k = Array(kind.utf8.prefix(4)) + Array(repeating: UInt8(ascii: " "), count: max(0, 4 - kind.utf8.count))
        h += k
        var w = ByteWriter(); w.u32(FileEnvelope.version); h += w.bytes
        try write(h)
    }
    deinit { if !finished { close(fd) } }

    func write<C: Collection>(_ bytes: C) throws where C.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        position += bytes.count
        if buffer.count >= 1 << 18 { try flushBuffer() }
    }
    func write(_ w: ByteWriter) throws { try write(w.bytes) }
    func write(_ raw: UnsafeRawBufferPointer) throws {
        buffer.append(contentsOf: raw)
        position += raw.count
        if buffer.count >= 1 << 18 { try flushBuffer() }
    }

    private func flushBuffer() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { raw in
            crc = CZlib.crc32(crc, raw.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(raw.count))
            var off = 0
            while off < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SearchIndexError.io(path: path, message: "write failed: \(String(cString: strerror(errno)))")
                }
                off += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes the footer, fsyncs and closes. Returns the file's total size.
    @discardableResult
    func finish() throws -> Int {
        try write(FileEnvelope.footerMagic)
        try flushBuffer()
        var w = ByteWriter(); w.u32(UInt32(truncatingIfNeeded: crc))
        buffer = w.bytes
        position += 4
        let c = crc
        try flushBuffer()
        crc = c
        finished = true
        if fsync(fd) != 0 { let e = errno; close(fd); throw SearchIndexError.io(path: path, message: "fsync failed: \(String(cString: strerror(e)))") }
        close(fd)
        return position
    }
}

/// A read-only, memory-mapped index file whose envelope has been checked.
///
/// The mapping stays valid after the file is unlinked, which is what lets a snapshot reader keep
/// reading a generation that a later commit has deleted.
/// (`@unchecked Sendable`: it holds raw pointers into a read-only mapping that never changes until deinit.)
final class MappedFile: @unchecked Sendable {
    let name: String
    private let base: UnsafeMutableRawPointer?
    private let length: Int
    /// The body: the bytes between header and footer.
    let body: UnsafeRawBufferPointer
    /// Offset of `body` within the file (the header size), for error messages.
    var bodyOffset: Int { FileEnvelope.headerSize }

    /// Maps `path`, checks magic, `kind` and version, and verifies the CRC when `verify` is true.
    init(path: String, name: String, kind: IndexFileKind, verify: Bool = true) throws {
        self.name = name
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw SearchIndexError.corruptIndex(file: name, reason: "file is missing") }
            throw SearchIndexError.io(path: path, message: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SearchIndexError.io(path: path, message: String(cString: strerror(errno))) }
        length = Int(st.st_size)
        guard length >= FileEnvelope.headerSize + FileEnvelope.footerSize else {
            throw SearchIndexError.corruptIndex(file: name, reason: "truncated: \(length) bytes is shorter than header and footer")
        }
        guard let p = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw SearchIndexError.io(path: path, message: "mmap failed: \(String(cString: strerror(errno)))")
        }
        base = p
        let all = UnsafeRawBufferPointer(start: p, count: length)
        body = UnsafeRawBufferPointer(rebasing: all[FileEnvelope.headerSize ..< length - FileEnvelope.footerSize])
        do { try Self.check(all, name: name, kind: kind, verify: verify) } catch { munmap(p, length); throw error }
        // The checksum read every page. Let them go from this process (they stay in the page cache, and
        // come back on first touch as minor faults), so its resident memory is the pages actually read:
        // a writer verifying every segment it applies deletions to would otherwise hold the whole index.
        if verify { _ = madvise(p, length, MADV_DONTNEED) }
    }
    deinit { if let base { munmap(base, length) } }

    /// Total size in bytes, envelope included.
    var size: Int { length }

    static func check(_ all: UnsafeRawBufferPointer, name: String, kind: IndexFileKind, verify: Bool) throws {
        let n = all.count
        let kind = kind.envelopeKind
        guard Array(all[0..<4]) == FileEnvelope.headerMagic else {
            throw SearchIndexError.corruptIndex(file: name, reason: "bad header magic at offset 0")
        }
        let k = String(decoding: all[4..<8], as: UTF8.self).trimmingSpaces()
        guard k == kind else { throw SearchIndexError.corruptIndex(file: name, reason: "file kind is '\(k)', expected '\(kind)'") }
        var r = ByteReader(all, offset: 8, file: name)
        let v = try r.u32()
        guard v == FileEnvelope.version else {
            throw SearchIndexError.corruptIndex(file: name, reason: "unsupported format version \(v) (this library reads \(FileEnvelope.version))")
        }
        guard Array(all[(n - 8)..<(n - 4)]) == FileEnvelope.footerMagic else {
            throw SearchIndexError.corruptIndex(file: name, reason: "bad footer magic at offset \(n - 8) (truncated file?)")
        }
        if verify {
            r.offset = n - 4
            let stored = try r.u32()
            let actual = UInt32(truncatingIfNeeded: crc32(0, all.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(n - 4)))
            guard stored == actual else {
                throw SearchIndexError.corruptIndex(file: name, reason: "checksum mismatch: stored \(hex32(stored)), computed \(hex32(actual))")
            }
        }
    }

    /// A bounds-checked reader over the body; offsets are relative to the body's start.
    func reader(at offset: Int = 0) -> ByteReader { ByteReader(body, offset: offset, file: name) }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

func hex32(_ v: UInt32) -> String { let h = String(v, radix: 16); return String(repeating: "0", count: 8 - h.count) + h }
