#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed file-system operation, with the path and the errno it failed with.
public struct IOError: Error, Sendable, CustomStringConvertible, Equatable {
    public let op: String
    public let path: String
    public let errno: Int32

    public init(_ op: String, _ path: String, errno: Int32) {
        self.op = op
        self.path = path
        self.errno = errno
    }

    public var isNoSpace: Bool { errno == ENOSPC || errno == EDQUOT }

    public var description: String {
        "\(op) \(path): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
