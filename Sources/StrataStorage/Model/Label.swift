/// One `name="value"` pair of a series' identity.
public struct Label: Hashable, Sendable, Comparable {
    public var name: String
    public var value: String

    @inlinable
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    @inlinable
    public static func < (a: Label, b: Label) -> Bool {
        a.name != b.name ? a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
                         : a.value.utf8.lexicographicallyPrecedes(b.value.utf8)
    }
}

/// The metric name is stored as the label `__name__`, as in Prometheus.
public let metricNameLabel = "__name__"
