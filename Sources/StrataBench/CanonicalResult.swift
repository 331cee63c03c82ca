import Foundation

/// A query answer in canonical form, so that answers from different servers
/// can be hashed and compared: series sorted by their label sets (labels
/// sorted by name), points in time order, timestamps in integer ms, values
/// kept as the exact strings the server wrote.
///
/// The digest is FNV-1a (64 bit) over a text rendering of that form: equal
/// digests mean byte-identical answers up to series order and JSON layout.
public struct CanonicalResult: Sendable, Equatable {
    public struct Point: Sendable, Equatable {
        public var t: Int64
        public var value: String
        public init(t: Int64, value: String) {
            self.t = t
            self.value = value
        }
    }

    public struct Series: Sendable, Equatable {
        /// (name, value) pairs sorted by name.
        public var labels: [Pair]
        public var points: [Point]

        public init(labels: [Pair], points: [Point]) {
            self.labels = labels.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
            self.points = points.sorted { $0.t < $1.t }
        }

        /// `{a="x", b="y"}`, for sorting and messages.
        public var labelText: String {
            "{" + labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ", ") + "}"
        }

        /// Sort key that cannot collide: fields separated by bytes that
        /// label names and values in these workloads never contain.
        var sortKey: [UInt8] {
            var k: [UInt8] = []
            for l in labels {
                k += Array(l.name.utf8)
                k.append(0)
                k += Array(l.value.utf8)
                k.append(1)
            }
            return k
        }
    }

    public struct Pair: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// `matrix`, `vector`, `scalar` or `string`.
    public var resultType: String
    public var series: [Series]

    public init(resultType: String, series: [Series]) {
        self.resultType = resultType
        self.series = series.sorted { $0.sortKey.lexicographicallyPrecedes($1.sortKey) }
    }

    public var pointCount: Int { series.reduce(0) { $0 + $1.points.count } }

    /// 16 hex digits of FNV-1a 64 over the canonical text.
    public var digest: String {
        var h = FNV1a64()
        h.add(resultType)
        h.add("\n")
        for s in series {
            for l in s.labels {
                h.add(l.name)
                h.add("=")
                h.add(l.value)
                h.add(",")
            }
            h.add("\n")
            for p in s.points {
                h.add(String(p.t))
                h.add(" ")
                h.add(p.value)
                h.add("\n")
            }
        }
        let hex = String(h.value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// Fowler–Noll–Vo 1a, 64 bit (offset basis and prime from the FNV spec,
/// draft-eastlake-fnv).
struct FNV1a64 {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ s: String) {
        for b in s.utf8 {
            value ^= UInt64(b)
            value = value &* 0x0000_0100_0000_01b3
        }
    }
}
