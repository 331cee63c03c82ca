/// A series' identity inside the head: assigned once, monotonically, logged
/// to the WAL with its labels, and restored unchanged by replay.
public typealias SeriesRef = UInt64
