import Foundation

/// A fresh directory under the system temp dir, removed by `remove()`.
/// Tests create one per test so that they never share state.
public struct TempDirectory: Sendable {
    public let path: String

    public init(_ prefix: String = "strata-test") throws {
        let base = FileManager.default.temporaryDirectory.path
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buf -> Bool in
            mkdtemp(buf.baseAddress!) != nil
        }
        guard made else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        path = String(cString: template)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    public func sub(_ name: String) -> String { path + "/" + name }
}
