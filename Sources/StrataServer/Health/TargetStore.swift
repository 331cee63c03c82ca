import StrataStorage
import Synchronization

/// Keeps the targets made through the API in `targets.json` in the data
/// directory (docs/format/targets.md), written atomically: tmp, fsync,
/// rename, fsync the directory.
final class TargetStore: Sendable {
    static let version = 1
    let path: String
    /// One writer at a time, each writing the newest state, so the file
    /// always ends up equal to the last change.
    private let writeLock = Mutex<Void>(())

    init(path: String) { self.path = path }

    enum LoadError: Error, CustomStringConvertible {
        case unreadable(String)
        case invalid(String)
        var description: String {
            switch self {
            case .unreadable(let m): return m
            case .invalid(let m): return m
            }
        }
    }

    func load() throws(LoadError) -> [TargetSpec] {
        // A tmp file is a write that never got renamed: the old file is authoritative.
        try? FileIO.unlink(path + ".tmp")
        guard FileIO.exists(path) else { return [] }
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(path) } catch { throw .unreadable("reading \(path): \(error)") }
        let v: JSONValue
        do { v = try JSONValue.parse(bytes) } catch { throw .invalid("\(path): \(error)") }
        guard v["version"]?.int64Value == Int64(Self.version) else {
            throw .invalid("\(path): unsupported version \(String(decoding: (v["version"] ?? .null).jsonBytes, as: UTF8.self))")
        }
        guard case .array(let items)? = v["targets"] else { throw .invalid("\(path): \"targets\" must be a list") }
        var out: [TargetSpec] = []
        for (i, item) in items.enumerated() {
            do { out.append(try TargetSpec.decode(item, source: .api)) } catch {
                throw .invalid("\(path): target \(i): \(error.message)")
            }
        }
        return out
    }

    /// Writes `snapshot()` (called under the write lock, so the newest state wins).
    func save(_ snapshot: () -> [TargetSpec]) throws(IOError) {
        try writeLock.withLock { _ throws(IOError) in
            try FileIO.writeFileAtomically(path, Self.encode(snapshot()))
        }
    }

    static func encode(_ specs: [TargetSpec]) -> [UInt8] {
        var w = JSONWriter(capacity: 256 + specs.count * 256)
        w.raw("{\"version\":")
        w.int(version)
        w.raw(",\"targets\":[")
        for (i, s) in specs.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.raw("\n  ")
            s.writeDefinition(to: &w)
        }
        w.raw("\n]}\n")
        return w.bytes
    }
}

extension TargetSpec {
    /// The definition fields, as accepted by `decode`.
    func writeDefinition(to w: inout JSONWriter) {
        w.raw("{\"id\":")
        w.string(id)
        w.raw(",\"name\":")
        w.string(name)
        w.raw(",\"url\":")
        w.string(url)
        w.raw(",\"kind\":")
        w.string(kind.rawValue)
        w.raw(",\"interval\":")
        w.string(PromDurationText.format(intervalMs))
        w.raw(",\"timeout\":")
        w.string(PromDurationText.format(timeoutMs))
        w.raw(",\"labels\":{")
        for (i, k) in labels.keys.sorted().enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(k)
            w.byte(UInt8(ascii: ":"))
            w.string(labels[k]!)
        }
        w.raw("}}")
    }
}
