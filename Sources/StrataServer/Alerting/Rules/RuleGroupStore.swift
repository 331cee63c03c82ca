import StrataStorage

/// The rule groups managed through the API, kept in
/// `<data_dir>/alerting/rules.json` (docs/format/alerting-files.md):
/// rewritten whole on each change with tmp + fsync + rename + directory
/// fsync (`FileIO.writeFileAtomically`), so a crash leaves the old or the
/// new set, never a mix.
struct RuleGroupStore: Sendable {
    let path: String

    init(dataDir: String) {
        path = AlertingPaths.directory(dataDir) + "/rules.json"
    }

    func load() throws(RuleError) -> [CompiledGroup] {
        // A leftover tmp is a write that never got renamed: the old file stands.
        if FileIO.exists(path + ".tmp") { try? FileIO.unlink(path + ".tmp") }
        guard FileIO.exists(path) else { return [] }
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(path) } catch { throw RuleError("cannot read \(path): \(error)") }
        let v: JSONValue
        do { v = try JSONValue.parse(bytes) } catch { throw RuleError("\(path): \(error)") }
        guard v["version"]?.int64Value == 1 else { throw RuleError("\(path): unsupported version (want 1)") }
        guard case .array(let groups)? = v["groups"] else { throw RuleError("\(path): no \"groups\" list") }
        var out: [CompiledGroup] = []
        for g in groups {
            do { out.append(try RuleGroupDecoder.decodeAPIGroup(g.jsonBytes)) } catch {
                var e = error
                e.file = path
                throw e
            }
        }
        return out
    }

    func save(_ groups: [RuleGroupDefinition]) throws(IOError) {
        try FileIO.mkdirs(FileIO.parent(of: path))
        let doc = JSONValue.object([("version", .int(1)), ("groups", .array(groups.map(\.json)))])
        try FileIO.writeFileAtomically(path, doc.jsonBytes)
    }
}

/// Every file the alerting subsystem writes lives under one directory.
enum AlertingPaths {
    static func directory(_ dataDir: String) -> String { dataDir + "/alerting" }
}
