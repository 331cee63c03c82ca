#if canImport(Glibc)
import Glibc
#endif

/// The paths of `rule_files:` as Prometheus reads them: an entry with a
/// glob metacharacter (`*`, `?`, `[`) is a pattern, expanded at every
/// (re)load in lexical order, and may match nothing; a plain path must
/// exist (reading it reports the error). Relative entries were already
/// resolved against the config file's directory (`ServeConfig.load`).
enum RuleFiles {
    static func isPattern(_ p: String) -> Bool {
        p.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }

    static func expand(_ entries: [String]) throws(RuleError) -> [String] {
        var out: [String] = []
        for p in entries {
            guard isPattern(p) else {
                out.append(p)
                continue
            }
            var g = glob_t()
            defer { globfree(&g) }
            // Like Go's filepath.Glob: unreadable or missing directories match nothing.
            let rc = glob(p, 0, nil, &g)
            if rc == GLOB_NOMATCH { continue }
            guard rc == 0 else {
                var e = RuleError("cannot expand rule file pattern (glob error \(rc))")
                e.file = p
                throw e
            }
            for i in 0..<Int(g.gl_pathc) {
                if let c = g.gl_pathv[i] { out.append(String(cString: c)) }
            }
        }
        return out
    }
}
