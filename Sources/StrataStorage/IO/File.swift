#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every file-system call of the storage engine goes through `FileIO`, so that
/// one place handles EINTR, short writes, and (issue #7) fault injection.
public enum FileIO {
    public static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0o644) throws(IOError) -> Int32 {
        let creating = flags & O_CREAT != 0
        if creating, let fault = Failpoints.check(.create, path) { throw IOError("open", path, errno: fault) }
        let existed = Failpoints.isTracing && creating ? exists(path) : true
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 {
                if creating || flags & O_TRUNC != 0 {
                    if Failpoints.isTracing { Failpoints.emit(.open(path: path, created: !existed, truncated: flags & O_TRUNC != 0)) }
                    if case .fail(let e) = Failpoints.decide(.create, .after, path) {
                        _ = Glibc.close(fd)
                        throw IOError("open", path, errno: e)
                    }
                }
                return fd
            }
            if errno != EINTR { throw IOError("open", path, errno: errno) }
        }
    }

    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Writes all of `bytes` or throws. On failure some prefix may have been written;
    /// callers that need atomicity truncate back (see `WAL`).
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(IOError) {
        var done = 0
        let total = bytes.count
        guard let base = bytes.baseAddress else { return }
        while done < total {
            var want = total - done
            var shortFault: Int32? = nil
            switch Failpoints.decide(.write, .before, path) {
            case .proceed: break
            case .fail(let e): throw IOError("write", path, errno: e)
            case .shortWrite(let n, let e):
                // A disk that fills in the middle of the call: a prefix lands, then the error.
                want = min(want, max(0, n))
                shortFault = e
            }
            let n = want == 0 ? 0 : Glibc.write(fd, base + done, want)
            if n < 0 {
                if errno == EINTR { continue }
                throw IOError("write", path, errno: errno)
            }
            if Failpoints.isTracing && n > 0 {
                let end = Int(lseek(fd, 0, SEEK_CUR))
                Failpoints.emit(.write(path: path, offset: end - n, bytes: Array(UnsafeRawBufferPointer(start: base + done, count: n))))
            }
            done += n
            if let shortFault { throw IOError("write", path, errno: shortFault) }
            if n == 0 { throw IOError("write", path, errno: EIO) }
            if case .fail(let e) = Failpoints.decide(.write, .after, path) { throw IOError("write", path, errno: e) }
        }
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(IOError) {
        // `withUnsafeBytes` is `rethrows`, which erases the error type; carry it out by hand.
        var failure: IOError?
        bytes.withUnsafeBytes { raw in
            do throws(IOError) { try writeAll(fd, raw, path: path) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    public static func fsync(_ fd: Int32, path: String) throws(IOError) {
        if let fault = Failpoints.check(.fsync, path) { throw IOError("fsync", path, errno: fault) }
        while Glibc.fsync(fd) != 0 {
            if errno != EINTR { throw IOError("fsync", path, errno: errno) }
        }
        try synced(path, "fsync")
    }

    public static func fdatasync(_ fd: Int32, path: String) throws(IOError) {
        if let fault = Failpoints.check(.fsync, path) { throw IOError("fdatasync", path, errno: fault) }
        while Glibc.fdatasync(fd) != 0 {
            if errno != EINTR { throw IOError("fdatasync", path, errno: errno) }
        }
        try synced(path, "fdatasync")
    }

    /// The after-failpoint and trace of a completed fsync.
    @inline(__always)
    private static func synced(_ path: String, _ call: String) throws(IOError) {
        if Failpoints.isTracing { Failpoints.emit(.fsync(path: path)) }
        if case .fail(let e) = Failpoints.decide(.fsync, .after, path) { throw IOError(call, path, errno: e) }
    }

    public static func truncate(_ fd: Int32, to size: Int, path: String) throws(IOError) {
        if let fault = Failpoints.check(.truncate, path) { throw IOError("ftruncate", path, errno: fault) }
        while Glibc.ftruncate(fd, off_t(size)) != 0 {
            if errno != EINTR { throw IOError("ftruncate", path, errno: errno) }
        }
        if Failpoints.isTracing { Failpoints.emit(.truncate(path: path, size: size)) }
        if case .fail(let e) = Failpoints.decide(.truncate, .after, path) { throw IOError("ftruncate", path, errno: e) }
    }

    /// fsyncs a directory so that entries created, renamed or removed in it are durable.
    public static func syncDirectory(_ path: String) throws(IOError) {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try fsync(fd, path: path)
    }

    public static func rename(_ from: String, _ to: String) throws(IOError) {
        if let fault = Failpoints.check(.rename, from) { throw IOError("rename", from, errno: fault) }
        if Glibc.rename(from, to) != 0 { throw IOError("rename", from + " -> " + to, errno: errno) }
        if Failpoints.isTracing { Failpoints.emit(.rename(from: from, to: to)) }
        if case .fail(let e) = Failpoints.decide(.rename, .after, from) { throw IOError("rename", from, errno: e) }
    }

    public static func unlink(_ path: String) throws(IOError) {
        if let fault = Failpoints.check(.remove, path) { throw IOError("unlink", path, errno: fault) }
        if Glibc.unlink(path) != 0 {
            if errno != ENOENT { throw IOError("unlink", path, errno: errno) }
            return
        }
        if Failpoints.isTracing { Failpoints.emit(.unlink(path: path)) }
        if case .fail(let e) = Failpoints.decide(.remove, .after, path) { throw IOError("unlink", path, errno: e) }
    }

    /// Creates a directory (an existing one is fine). A new directory's entry
    /// is made durable by fsyncing its parent: without that a power loss can
    /// drop the directory, and everything fsynced inside it, again.
    public static func mkdir(_ path: String, _ mode: mode_t = 0o755) throws(IOError) {
        if let fault = Failpoints.check(.create, path) { throw IOError("mkdir", path, errno: fault) }
        if Glibc.mkdir(path, mode) != 0 {
            if errno != EEXIST { throw IOError("mkdir", path, errno: errno) }
            return
        }
        if Failpoints.isTracing { Failpoints.emit(.mkdir(path: path)) }
        if case .fail(let e) = Failpoints.decide(.create, .after, path) { throw IOError("mkdir", path, errno: e) }
        try syncDirectory(parent(of: path))
    }

    /// `mkdir -p`.
    public static func mkdirs(_ path: String) throws(IOError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for comp in path.split(separator: "/") {
            prefix += comp
            if !isDirectory(prefix) { try mkdir(prefix) }
            prefix += "/"
        }
    }

    public static func exists(_ path: String) -> Bool {
        statPath(path) != nil
    }

    public static func isDirectory(_ path: String) -> Bool {
        guard let st = statPath(path) else { return false }
        return (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func fileSize(_ path: String) throws(IOError) -> Int {
        guard let st = statPath(path) else { throw IOError("stat", path, errno: errno) }
        return Int(st.st_size)
    }

    public static func fileSize(fd: Int32, path: String) throws(IOError) -> Int {
        var st = stat()
        if Glibc.fstat(fd, &st) != 0 { throw IOError("fstat", path, errno: errno) }
        return Int(st.st_size)
    }

    /// Names in a directory, excluding `.` and `..`, unsorted.
    public static func list(_ path: String) throws(IOError) -> [String] {
        guard let dir = opendir(path) else { throw IOError("opendir", path, errno: errno) }
        defer { closedir(dir) }
        var out: [String] = []
        while let ent = readdir(dir) {
            let name = withUnsafePointer(to: ent.pointee.d_name) { p in
                p.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { out.append(name) }
        }
        return out
    }

    /// `rm -rf`, for block directories and leftovers. Not on hot paths.
    public static func removeTree(_ path: String) throws(IOError) {
        if isDirectory(path) {
            for name in try list(path) { try removeTree(path + "/" + name) }
            if let fault = Failpoints.check(.remove, path) { throw IOError("rmdir", path, errno: fault) }
            if Glibc.rmdir(path) != 0 {
                if errno != ENOENT { throw IOError("rmdir", path, errno: errno) }
                return
            }
            if Failpoints.isTracing { Failpoints.emit(.rmdir(path: path)) }
            if case .fail(let e) = Failpoints.decide(.remove, .after, path) { throw IOError("rmdir", path, errno: e) }
        } else {
            try unlink(path)
        }
    }

    /// Reads a whole file (small files: meta, index sections, tombstones).
    public static func readFile(_ path: String) throws(IOError) -> [UInt8] {
        let fd = try open(path, O_RDONLY)
        defer { close(fd) }
        let size = try fileSize(fd: fd, path: path)
        var out = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = out.withUnsafeMutableBytes { raw in Glibc.pread(fd, raw.baseAddress! + done, size - done, off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw IOError("read", path, errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        if done < size { out.removeLast(size - done) }
        return out
    }

    /// Writes `bytes` to `path` atomically: `path.tmp`, fsync, rename, fsync the directory.
    public static func writeFileAtomically(_ path: String, _ bytes: [UInt8]) throws(IOError) {
        let tmp = path + ".tmp"
        let fd = try open(tmp, O_WRONLY | O_CREAT | O_TRUNC)
        do {
            try writeAll(fd, bytes, path: tmp)
            try fsync(fd, path: tmp)
        } catch {
            close(fd)
            try? unlink(tmp)
            throw error
        }
        close(fd)
        try rename(tmp, path)
        try syncDirectory(parent(of: path))
    }

    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }
}

/// `stat(2)`, outside `FileIO` so that the name resolves to the function, not the struct.
func statPath(_ path: String) -> stat? {
    var st = stat()
    return stat(path, &st) == 0 ? st : nil
}
