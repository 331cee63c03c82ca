extension Duration {
    /// Whole nanoseconds (saturating is not needed: Strata's durations are minutes, not centuries).
    var totalNanoseconds: Int64 {
        let (s, a) = components
        return s * 1_000_000_000 + a / 1_000_000_000
    }

    var totalMilliseconds: Int64 { totalNanoseconds / 1_000_000 }
}
