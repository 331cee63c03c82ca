/// A resolved head series. Appending through a handle skips every lookup;
/// callers that see the same series again and again (a remote-write
/// connection, a scrape loop) resolve it once with `Head.series(for:)`.
///
/// A handle stays valid even if the series is later garbage-collected: a
/// commit notices and re-resolves it by labels (see `HeadAppender.commit`).
public struct SeriesHandle: Sendable {
    @usableFromInline let series: MemSeries
    public var ref: SeriesRef { series.ref }
    public var labels: Labels { series.labels }
    /// Whether garbage collection removed the series (resolve it again).
    public var isRemoved: Bool { series.removed.load(ordering: .relaxed) }

    @usableFromInline init(_ series: MemSeries) { self.series = series }
}

extension Head {
    /// The series with `labels` (sorted), created and logged if new.
    public func series(for labels: Labels) throws(SeriesError) -> SeriesHandle {
        SeriesHandle(try getOrCreateSeries(labels, hash: labels.stableHash))
    }
}
