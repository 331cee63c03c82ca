import StrataStorage

/// Attaches a target's labels to the series it exposes, as Prometheus does
/// with `honor_labels: false` (scrape.mutateSampleLabels): the target's
/// `job`, `instance` and extra labels win, and an exposed label they
/// displace is kept as `exported_<name>` (with more `exported_` prefixes
/// while that name is taken too). Labels with empty values are dropped.
struct TargetLabeler: Sendable {
    let target: [Label]
    private let targetNames: Set<String>

    init(_ target: Labels) {
        self.target = target.pairs
        targetNames = Set(target.pairs.map(\.name))
    }

    func apply(_ scraped: Labels) -> Labels {
        var out: [Label] = []
        out.reserveCapacity(scraped.count + target.count)
        var conflicts: [Label] = []
        for l in scraped where !l.value.isEmpty {
            if targetNames.contains(l.name) { conflicts.append(l) } else { out.append(l) }
        }
        out.append(contentsOf: target)
        if !conflicts.isEmpty {
            var taken = Set(out.map(\.name))
            for l in conflicts {
                var name = "exported_" + l.name
                while taken.contains(name) { name = "exported_" + name }
                taken.insert(name)
                out.append(Label(name, l.value))
            }
        }
        return Labels(sorting: out)
    }

    /// A series of the scrape report (`up`, `scrape_duration_seconds`, …).
    func report(_ name: String) -> Labels {
        Labels(sorting: target + [Label(metricNameLabel, name)])
    }
}

/// The series a target exposed in its last successful scrape, to mark the
/// ones that disappear stale (Prometheus' staleness, promql/staleness).
struct StalenessTracker: Sendable {
    private(set) var previous: Set<Labels> = []

    /// Replaces the remembered set; returns the series that are gone.
    mutating func update(_ current: Set<Labels>) -> [Labels] {
        let gone = previous.subtracting(current).sorted()
        previous = current
        return gone
    }

    /// Forgets everything (the target went down or was removed); returns what was remembered.
    mutating func clear() -> [Labels] {
        let all = previous.sorted()
        previous = []
        return all
    }
}

/// The Prometheus staleness marker: a NaN with this exact bit pattern
/// (prometheus/model/value.StaleNaN). Normal NaNs are ordinary values.
let staleMarker = Double(bitPattern: 0x7ff0_0000_0000_0002)
