import StrataStorage
import Synchronization

/// The current `AlertSettings`, kept in `<data_dir>/alerting/settings.json`
/// (docs/format/alerting-files.md) and replaced atomically on `PUT`.
final class AlertSettingsStore: Sendable {
    let path: String
    private let current: Mutex<AlertSettings>

    init(dataDir: String) throws {
        path = AlertingPaths.directory(dataDir) + "/settings.json"
        var s = AlertSettings()
        if FileIO.exists(path + ".tmp") { try? FileIO.unlink(path + ".tmp") }
        if FileIO.exists(path) {
            let v = try JSONValue.parse(try FileIO.readFile(path))
            s = try AlertSettings.decode(v)
        }
        current = Mutex(s)
    }

    var settings: AlertSettings { current.withLock { $0 } }

    /// Persists first, then makes the settings current.
    func replace(_ s: AlertSettings) throws(IOError) {
        try FileIO.mkdirs(FileIO.parent(of: path))
        try FileIO.writeFileAtomically(path, s.json.jsonBytes)
        current.withLock { $0 = s }
    }
}
