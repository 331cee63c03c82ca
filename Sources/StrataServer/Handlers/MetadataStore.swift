import Foundation
import StrataIngest
import Synchronization

/// Metric metadata (type, help, unit) as senders report it: remote-write
/// metadata and, once scraping lands, the scraped `# TYPE`/`# HELP`. Kept in
/// memory, like Prometheus' scrape-cache metadata behind `/api/v1/metadata`.
public final class MetadataStore: Sendable {
    public struct Entry: Sendable, Hashable {
        public var type: String
        public var help: String
        public var unit: String
    }

    /// metric family → distinct entries (bounded per family).
    private let entries = Mutex<[String: [Entry]]>([:])
    static let maxPerFamily = 10
    static let maxFamilies = 100_000

    public init() {}

    public func record(_ metadata: [MetricMetadata]) {
        guard !metadata.isEmpty else { return }
        entries.withLock { map in
            for m in metadata {
                let e = Entry(type: m.type.textName, help: m.help, unit: m.unit)
                if var list = map[m.familyName] {
                    if !list.contains(e) && list.count < Self.maxPerFamily {
                        list.append(e)
                        map[m.familyName] = list
                    }
                } else if map.count < Self.maxFamilies {
                    map[m.familyName] = [e]
                }
            }
        }
    }

    public func snapshot() -> [String: [Entry]] { entries.withLock { $0 } }
}
