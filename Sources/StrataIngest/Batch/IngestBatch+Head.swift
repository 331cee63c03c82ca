import StrataStorage

extension IngestBatch.Series {
    /// The head series these labels name: the handle a previous request of
    /// the same connection resolved (kept in its `SeriesCache` entry), or
    /// looked up (created if new) now and remembered there, so a steady
    /// sender pays the label lookup once per series, not once per request.
    @inlinable
    public func headSeries(in head: Head) throws(SeriesError) -> SeriesHandle {
        if let cached = cacheEntry?.handle { return cached }
        let handle = try head.series(for: labels)
        cacheEntry?.handle = handle
        return handle
    }
}
