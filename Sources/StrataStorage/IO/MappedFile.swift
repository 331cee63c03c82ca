#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file. Block chunk files, indexes and WAL
/// segments are read through it; the mapping lives as long as the object.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let count: Int
    private let base: UnsafeMutableRawPointer?

    public init(_ path: String) throws(IOError) {
        self.path = path
        let fd = try FileIO.open(path, O_RDONLY)
        defer { FileIO.close(fd) }
        let size = try FileIO.fileSize(fd: fd, path: path)
        count = size
        if size == 0 {
            base = nil
            return
        }
        let p = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0)
        if p == MAP_FAILED || p == nil { throw IOError("mmap", path, errno: errno) }
        base = p
    }

    deinit {
        if let base { munmap(base, count) }
    }

    /// The mapped bytes. The pointer is valid only inside `body`.
    @inlinable
    public func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(rawBuffer)
    }

    @usableFromInline
    var rawBuffer: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base.map { UnsafeRawPointer($0) }, count: count)
    }
}
