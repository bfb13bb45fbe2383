import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// File-system operations on an index directory: listing, atomic rename, fsync and the write lock.
public struct IndexDirectory: Sendable {
    /// The directory's path.
    public let path: String
    /// The index directory at `path` (nothing is created or read yet).
    public init(path: String) { self.path = path }

    /// The path of the file `name` in this directory.
    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Whether the directory exists.
    public var exists: Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    /// Creates the directory (and its parents) if needed; throws ``SearchIndexError/io(path:message:)``.
    public func create() throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        catch { throw SearchIndexError.io(path: path, message: "cannot create directory: \(error.localizedDescription)") }
    }

    /// The names of the files in the directory.
    public func list() throws -> [String] {
        do { return try FileManager.default.contentsOfDirectory(atPath: path) }
        catch { throw SearchIndexError.io(path: path, message: "cannot list directory") }
    }

    /// Removes the file `name`, ignoring a file that is already gone.
    public func remove(_ name: String) { unlink(file(name)) }

    /// Removes every file of segment `segment` (`_5.doc`, `_5_2.liv`, …): the output of a flush or merge
    /// that will not be committed.
    func removeFiles(ofSegment segment: String) {
        for n in (try? list()) ?? [] where IndexFileKind.isIndexFile(n) && IndexFileKind.file(n, belongsTo: segment) { remove(n) }
    }

    /// Renames `from` to `to` atomically (POSIX rename), then fsyncs the directory.
    public func atomicRename(_ from: String, _ to: String) throws {
        guard rename(file(from), file(to)) == 0 else {
            throw SearchIndexError.io(path: file(to), message: "rename failed: \(String(cString: strerror(errno)))")
        }
        try sync()
    }

    /// fsyncs the directory itself so that new names and renames are durable.
    public func sync() throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SearchIndexError.io(path: path, message: "cannot open directory: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        if fsync(fd) != 0 && errno != EINVAL {
            throw SearchIndexError.io(path: path, message: "fsync of directory failed: \(String(cString: strerror(errno)))")
        }
    }

    /// The size of the file `name` in bytes (0 if it does not exist).
    public func size(of name: String) -> Int {
        var st = stat()
        return stat(file(name), &st) == 0 ? Int(st.st_size) : 0
    }
}

/// An exclusive, advisory lock on `write.lock` (flock). The kernel drops it when the process dies,
/// so a crash never leaves a stale lock behind. The file holds the holder's pid for error messages.
final class WriteLock {
    private var fd: Int32
    init(directory: IndexDirectory) throws {
        let p = directory.file("write.lock")
        fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SearchIndexError.io(path: p, message: "cannot open lock file: \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buf = [UInt8](repeating: 0, count: 256)
            let n = pread(fd, &buf, 256, 0)
            let holder = n > 0 ? String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "unknown holder"
            close(fd)
            throw SearchIndexError.lockHeld(directory: directory.path, holder: holder)
        }
        let me = Array("pid \(getpid()) on \(ProcessInfo.processInfo.hostName)\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, me, me.count, 0)
    }
    func release() {
        if fd >= 0 { _ = ftruncate(fd, 0); flock(fd, LOCK_UN); close(fd); fd = -1 }
    }
    deinit { release() }
}
