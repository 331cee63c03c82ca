import Foundation

/// The dashboard's static files (issue #11), read once from the package
/// resource bundle and kept in memory: a handful of small text files, so
/// every request is a dictionary lookup and no file I/O.
public struct DashboardAssets: Sendable {
    public struct Asset: Sendable {
        public let bytes: [UInt8]
        public let contentType: String
        /// Strong validator: a hash of the bytes, so a rebuilt binary with
        /// changed assets is never served from a stale cache (RFC 9110 §8.8.3).
        public let etag: String
    }

    /// Keyed by the file name relative to the assets folder (`app.js`, `pages/health.js`).
    public let files: [String: Asset]
    /// Where the files came from, or why there are none (shown in the 503 answer).
    public let origin: String

    public init(files: [String: Asset], origin: String) {
        self.files = files
        self.origin = origin
    }

    /// `STRATA_DASHBOARD_DIR` if set (for editing assets without a rebuild),
    /// else the SwiftPM resource bundle next to the executable.
    public static func load() -> DashboardAssets {
        var candidates: [String] = []
        if let dir = ProcessInfo.processInfo.environment["STRATA_DASHBOARD_DIR"], !dir.isEmpty { candidates.append(dir) }
        // `resources: [.copy("Dashboard/Assets")]` puts the folder inside
        // `<package>_<target>.resources` beside the built products.
        let exeDir = Bundle.main.bundleURL
        candidates.append(exeDir.appendingPathComponent("Strata_StrataServer.resources/Assets").path)
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("Strata_StrataServer.resources/Assets").path)
        for dir in candidates {
            let loaded = load(directory: dir)
            if loaded["index.html"] != nil { return DashboardAssets(files: loaded, origin: dir) }
        }
        return DashboardAssets(files: [:], origin: "no dashboard assets found in " + candidates.joined(separator: ", "))
    }

    /// Every regular file under `directory`, recursively.
    public static func load(directory: String) -> [String: Asset] {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: directory) else { return [:] }
        var out: [String: Asset] = [:]
        while let rel = walker.nextObject() as? String {
            let path = directory + "/" + rel
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
                  let data = fm.contents(atPath: path) else { continue }
            let bytes = [UInt8](data)
            out[rel] = Asset(bytes: bytes, contentType: contentType(rel), etag: etag(bytes))
        }
        return out
    }

    /// ES modules must be served as JavaScript or browsers refuse them (HTML §8.1.5.1, "module script").
    static func contentType(_ name: String) -> String {
        switch name.split(separator: ".").last.map(String.init) ?? "" {
        case "html": return "text/html; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "json": return "application/json"
        case "png": return "image/png"
        case "ico": return "image/x-icon"
        case "txt": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }

    /// FNV-1a 64 over the bytes: enough to tell versions apart, not a security property.
    static func etag(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        let hex = String(h, radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }
}
