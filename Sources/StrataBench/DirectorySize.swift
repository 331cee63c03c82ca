#if canImport(Glibc)
import Glibc
#endif

/// Sizes of directory trees, as the report states them.
public struct DirectorySize: Sendable, Equatable {
    /// Sum of file lengths (st_size): what the files hold.
    public var apparentBytes: Int
    /// Space allocated on disk (st_blocks × 512), as `du` reports it:
    /// counts preallocated segment files at their allocated size.
    public var allocatedBytes: Int
    public var files: Int

    public init(apparentBytes: Int = 0, allocatedBytes: Int = 0, files: Int = 0) {
        self.apparentBytes = apparentBytes
        self.allocatedBytes = allocatedBytes
        self.files = files
    }

    public static func + (a: DirectorySize, b: DirectorySize) -> DirectorySize {
        DirectorySize(apparentBytes: a.apparentBytes + b.apparentBytes, allocatedBytes: a.allocatedBytes + b.allocatedBytes, files: a.files + b.files)
    }

    /// Measures `path` recursively without following symlinks. Hard links
    /// count once (Prometheus snapshots hard-link block files). Entries whose
    /// name is in `excluding` (at any depth) are skipped. A missing path is 0.
    public static func measure(_ path: String, excluding: Set<String> = []) -> DirectorySize {
        var seen = Set<[UInt64]>()
        var total = DirectorySize()
        walk(path, excluding: excluding, seen: &seen, total: &total, depth: 0)
        return total
    }

    private static func walk(_ path: String, excluding: Set<String>, seen: inout Set<[UInt64]>, total: inout DirectorySize, depth: Int) {
        guard depth < 64 else { return }
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        let kind = st.st_mode & S_IFMT
        if kind == S_IFDIR {
            guard let dir = opendir(path) else { return }
            var names: [String] = []
            while let e = readdir(dir) {
                let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                    String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
                }
                if name == "." || name == ".." || excluding.contains(name) { continue }
                names.append(name)
            }
            closedir(dir)
            for n in names { walk(path + "/" + n, excluding: excluding, seen: &seen, total: &total, depth: depth + 1) }
        } else if kind == S_IFREG {
            guard seen.insert([UInt64(st.st_dev), UInt64(st.st_ino)]).inserted else { return }
            total.apparentBytes += Int(st.st_size)
            total.allocatedBytes += Int(st.st_blocks) * 512
            total.files += 1
        }
    }

    /// The immediate subdirectories of `path` (names only), sorted.
    public static func subdirectories(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let e = readdir(dir) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." { continue }
            var st = stat()
            if lstat(path + "/" + name, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR { names.append(name) }
        }
        return names.sorted()
    }
}
