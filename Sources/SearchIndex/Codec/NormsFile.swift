/// Norms (``IndexFileKind/norms``): one byte per document per indexed field, the field's length in tokens
/// encoded by ``NormCodec``; 0 where the document lacks the field.
/// Layout: `Index/README.md`, "Norms".
enum NormsFile {
    static func write(path: String, docCount: Int, norms: [(field: Int, bytes: [UInt8])]) throws -> Int {
        let out = try OutputFile(path: path, kind: .norms)
        var w = ByteWriter(); w.vint(norms.count); try out.write(w)
        for (f, b) in norms {
            var h = ByteWriter(); h.vint(f); try out.write(h)
            try out.write(b.prefix(docCount))
            if b.count < docCount { try out.write([UInt8](repeating: 0, count: docCount - b.count)) }
        }
        return try out.finish()
    }

    /// Field number -> body offset of that field's docCount bytes.
    static func read(_ file: MappedFile, docCount: Int) throws -> [Int: Int] {
        var r = file.reader()
        let n = try r.count(limit: 256)
        var out: [Int: Int] = [:]
        for _ in 0..<n {
            let f = try r.count(limit: 255)
            guard f > 0, out[f] == nil else { throw r.fail("norms for field \(f) repeated or reserved") }
            out[f] = r.offset
            _ = try r.slice(docCount)
        }
        guard r.atEnd else { throw r.fail("trailing bytes after the norms") }
        return out
    }
}

/// Deleted documents (``IndexFileKind/liveDocs``): a bitset, bit set = deleted.
/// Layout: `Index/README.md`, "Deletions".
enum LiveDocsFile {
    static func write(path: String, deleted: [UInt8], docCount: Int) throws -> Int {
        let out = try OutputFile(path: path, kind: .liveDocs)
        var w = ByteWriter(); w.vint(docCount); w.bytes(deleted); try out.write(w)
        return try out.finish()
    }

    static func read(_ file: MappedFile, docCount: Int) throws -> [UInt8] {
        var r = file.reader()
        let n = try r.count()
        guard n == docCount else { throw r.fail("live-docs count \(n) != segment doc count \(docCount)") }
        let bits = Array(try r.slice((docCount + 7) / 8))
        guard r.atEnd else { throw r.fail("trailing bytes after the live-docs bits") }
        return bits
    }
}
