/// Sizes as Prometheus' `--storage.tsdb.retention.size` takes them: an
/// integer and a unit among B, KB, MB, GB, TB, PB, EB, powers of 1024
/// (Prometheus' `units.Base2Bytes`), e.g. `512MB`, `20GB`. A bare integer is bytes.
public enum ByteSize {
    public static func parse(_ s: String) -> Int64? {
        let units: [(String, Int64)] = [("KB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30), ("TB", 1 << 40),
                                        ("PB", 1 << 50), ("EB", 1 << 60), ("B", 1)]
        var digits = Substring(s)
        var mult: Int64 = 1
        for (u, m) in units where s.uppercased().hasSuffix(u) {
            digits = s.dropLast(u.count)
            mult = m
            break
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int64(digits) else { return nil }
        let (v, overflow) = n.multipliedReportingOverflow(by: mult)
        return overflow ? nil : v
    }
}
