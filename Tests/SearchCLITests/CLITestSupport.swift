import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The result of one run of the `search` binary.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
    /// True when the process was ended by a signal (status is then the signal number).
    var signaled = false

    /// Lines of stdout that are not empty.
    var lines: [String] { stdout.split(separator: "\n").map(String.init) }

    /// `--json` output: one object per hit per line (those with a "rank"), then the summary line.
    func jsonHits(file: StaticString = #filePath, line: UInt = #line) -> [[String: Any]] {
        jsonObjects(file: file, line: line).filter { $0["rank"] != nil }
    }

    /// The `--json` summary line (total, query, suggestion), which comes last.
    func jsonSummary(file: StaticString = #filePath, line: UInt = #line) -> [String: Any]? {
        let objects = jsonObjects(file: file, line: line)
        XCTAssertEqual(objects.filter { $0["total"] != nil }.count, 1, "one summary line", file: file, line: line)
        return objects.last { $0["total"] != nil }
    }

    private func jsonObjects(file: StaticString, line: UInt) -> [[String: Any]] {
        var objects: [[String: Any]] = []
        for l in lines {
            guard let obj = (try? JSONSerialization.jsonObject(with: Data(l.utf8))) as? [String: Any] else {
                XCTFail("not a JSON object: \(l)", file: file, line: line)
                continue
            }
            objects.append(obj)
        }
        return objects
    }

    var summary: String { "exit \(status)\n--- stdout:\n\(stdout.prefix(2000))\n--- stderr:\n\(stderr.prefix(2000))" }
}

/// Runs the built `search` executable in a temporary folder.
///
/// The binary is looked up next to the test bundle (SwiftPM puts executables and the `.xctest` in the same
/// products directory), or taken from `$SEARCH_CLI_BINARY`.
class CLITestCase: XCTestCase {
    static let binary: URL? = {
        let fm = FileManager.default
        func executable(_ u: URL) -> Bool {
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: u.path, isDirectory: &isDir) && !isDir.boolValue && fm.isExecutableFile(atPath: u.path)
        }
        if let p = ProcessInfo.processInfo.environment["SEARCH_CLI_BINARY"], !p.isEmpty {
            return executable(URL(fileURLWithPath: p)) ? URL(fileURLWithPath: p) : nil
        }
        var dirs: [URL] = []
        let bundle = Bundle(for: CLITestCase.self).bundleURL
        dirs.append(bundle.deletingLastPathComponent())               // macOS: products/X.xctest (a directory)
        dirs.append(bundle)                                            // Linux: the bundle URL is the products dir
        if let exe = Bundle.main.executableURL { dirs.append(exe.deletingLastPathComponent()) }
        dirs.append(Bundle.main.bundleURL)
        if let arg0 = ProcessInfo.processInfo.arguments.first {
            dirs.append(URL(fileURLWithPath: arg0).deletingLastPathComponent())
        }
        for d in dirs {
            let u = d.appendingPathComponent("search")
            if executable(u) { return u.standardizedFileURL }
        }
        return nil
    }()

    /// A fresh temporary folder per test; the binary runs with it as the working directory.
    var tmp: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        guard Self.binary != nil else {
            throw XCTSkip("the `search` executable was not found next to the test bundle; build with `swift build --build-tests` or set SEARCH_CLI_BINARY")
        }
        tmp = FileManager.default.temporaryDirectory
            .appendingPathComponent("search-cli-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let tmp {
            // Undo chmods so that the folder can be removed.
            if let e = FileManager.default.enumerator(atPath: tmp.path) {
                for case let rel as String in e { chmod(tmp.appendingPathComponent(rel).path, 0o755) }
            }
            try? FileManager.default.removeItem(at: tmp)
        }
        try super.tearDownWithError()
    }

    // MARK: Files

    func path(_ rel: String) -> String { tmp.appendingPathComponent(rel).path }

    /// Writes `text` (or `bytes`) to `rel` under the temporary folder, creating folders as needed.
    @discardableResult
    func write(_ rel: String, _ text: String) throws -> URL { try write(rel, bytes: Array(text.utf8)) }

    @discardableResult
    func write(_ rel: String, bytes: [UInt8]) throws -> URL {
        let u = tmp.appendingPathComponent(rel)
        try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: u)
        return u
    }

    func mkdir(_ rel: String) throws {
        try FileManager.default.createDirectory(at: tmp.appendingPathComponent(rel), withIntermediateDirectories: true)
    }

    /// Files of an index directory.
    func indexFiles(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path(dir))) ?? []).sorted()
    }

    // MARK: Running

    /// The environment the binary runs with: the test's own, without the variables the CLI reads.
    func environment(_ extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["SEARCH_INDEX"] = nil
        env["NO_COLOR"] = nil
        for (k, v) in extra { env[k] = v }
        return env
    }

    func makeProcess(_ args: [String], env: [String: String], cwd: String?) -> Process {
        let p = Process()
        p.executableURL = Self.binary!
        p.arguments = args
        p.environment = environment(env)
        p.currentDirectoryURL = cwd.map { URL(fileURLWithPath: $0) } ?? tmp
        p.standardInput = FileHandle.nullDevice
        return p
    }

    /// Runs `search args…` and waits for it (at most `timeout` seconds, then it is killed and the test fails).
    @discardableResult
    func search(_ args: [String], env: [String: String] = [:], cwd: String? = nil, timeout: TimeInterval = 60,
                file: StaticString = #filePath, line: UInt = #line) throws -> CLIResult {
        let p = makeProcess(args, env: env, cwd: cwd)
        let id = UUID().uuidString
        let outURL = tmp.appendingPathComponent(".out-\(id)"), errURL = tmp.appendingPathComponent(".err-\(id)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        p.standardOutput = out
        p.standardError = err
        let done = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in done.signal() }
        try p.run()
        try out.close(); try err.close()
        if done.wait(timeout: .now() + timeout) == .timedOut {
            kill(p.processIdentifier, SIGKILL)
            done.wait()
            XCTFail("search \(args.joined(separator: " ")) did not finish within \(timeout) s", file: file, line: line)
        }
        p.waitUntilExit()
        return CLIResult(status: p.terminationStatus,
                         stdout: String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self),
                         stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self),
                         signaled: p.terminationReason == .uncaughtSignal)
    }

    /// Runs `search args…` with stdout on a pseudo-terminal (so that `isatty(1)` is true in the child).
    /// Returns nil when no pseudo-terminal can be opened.
    func searchOnTerminal(_ args: [String], env: [String: String] = [:]) throws -> CLIResult? {
        #if canImport(Glibc)
        // posix_openpt & co. are hidden behind feature macros in the Glibc module: look them up at run time.
        typealias IntFn = @convention(c) (Int32) -> Int32
        typealias NameFn = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
        let libc = dlopen(nil, RTLD_NOW)
        guard let o = dlsym(libc, "posix_openpt"), let g = dlsym(libc, "grantpt"), let u = dlsym(libc, "unlockpt"),
              let n = dlsym(libc, "ptsname") else { return nil }
        let master = unsafeBitCast(o, to: IntFn.self)(O_RDWR | O_NOCTTY)
        guard master >= 0 else { return nil }
        defer { close(master) }
        guard unsafeBitCast(g, to: IntFn.self)(master) == 0, unsafeBitCast(u, to: IntFn.self)(master) == 0,
              let name = unsafeBitCast(n, to: NameFn.self)(master) else { return nil }
        let slave = open(name, O_RDWR | O_NOCTTY)
        guard slave >= 0 else { return nil }
        let p = makeProcess(args, env: env, cwd: nil)
        let slaveHandle = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
        p.standardOutput = slaveHandle
        let errURL = tmp.appendingPathComponent(".tty-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let err = try FileHandle(forWritingTo: errURL)
        p.standardError = err
        try p.run()
        try slaveHandle.close(); try err.close()
        // Drain the terminal while the child runs so that it never blocks on a full buffer; after the child
        // exits and the last slave descriptor is closed, read() fails with EIO.
        var output: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(master, &buf, buf.count)
            if n <= 0 { break }
            output += buf[0..<n]
        }
        p.waitUntilExit()
        return CLIResult(status: p.terminationStatus,
                         stdout: String(decoding: output, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n"),
                         stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
        #else
        return nil
        #endif
    }

    /// Runs a command and asserts its exit status.
    @discardableResult
    func expect(_ status: Int32, _ args: [String], env: [String: String] = [:], cwd: String? = nil,
                file: StaticString = #filePath, line: UInt = #line) throws -> CLIResult {
        let r = try search(args, env: env, cwd: cwd, file: file, line: line)
        XCTAssertEqual(r.status, status, "search \(args.joined(separator: " ")) → \(r.summary)", file: file, line: line)
        XCTAssertFalse(r.signaled, "search \(args.joined(separator: " ")) crashed: \(r.summary)", file: file, line: line)
        return r
    }

    /// `search stats`'s document count.
    func documentCount(index: String, file: StaticString = #filePath, line: UInt = #line) throws -> Int? {
        let r = try expect(0, ["stats", "--index", index], file: file, line: line)
        for l in r.lines where l.hasPrefix("documents: ") {
            return Int(l.dropFirst("documents: ".count).prefix { $0.isNumber })
        }
        XCTFail("no 'documents:' line in stats: \(r.summary)", file: file, line: line)
        return nil
    }

    /// Ids of every hit of `query` (JSON output, large limit).
    func hitIDs(_ query: String, index: String, extra: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let r = try expect(0, ["--json", "--limit", "100000", "--index", index] + extra + ["--", query], file: file, line: line)
        return r.jsonHits(file: file, line: line).compactMap { $0["id"] as? String }
    }
}

extension String {
    var hasANSIEscape: Bool { contains("\u{1B}[") }
}
