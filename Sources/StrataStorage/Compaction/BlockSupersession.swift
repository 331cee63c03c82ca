/// Which blocks a crash left behind although a newer block already holds
/// their data: a pure function of the metas, applied at open (issue #5).
///
/// The compactor writes the new block durably before it deletes the old
/// ones, so a crash in between leaves both. A block X supersedes Y (same
/// resolution) if
/// - Y is one of X's `compaction.parents` (merged into X, rewritten as X
///   without deleted samples, or a rollup X replaces), or
/// - Y's `compaction.sources` are a proper subset of X's: X was merged from
///   blocks that include all of Y's data (this also catches an ancestor left
///   over from an earlier crash whose direct child is gone).
/// Superseded blocks are deleted; what remains never overlaps because of
/// compaction.
public enum BlockSupersession {
    public static func superseded(_ metas: [BlockMeta]) -> Set<String> {
        var out = Set<String>()
        let ids = Set(metas.map(\.id))
        var sources: [String: Set<String>] = [:]
        for m in metas { sources[m.id] = Set(m.compaction.sources) }
        for x in metas {
            for p in x.compaction.parents where ids.contains(p) && p != x.id { out.insert(p) }
        }
        let byResolution = Dictionary(grouping: metas, by: \.resolution)
        for (_, group) in byResolution where group.count > 1 {
            for x in group {
                let sx = sources[x.id]!
                guard sx.count > 1 else { continue }
                for y in group where y.id != x.id {
                    let sy = sources[y.id]!
                    if !sy.isEmpty && sy.count < sx.count && sy.isSubset(of: sx) { out.insert(y.id) }
                }
            }
        }
        return out
    }
}
