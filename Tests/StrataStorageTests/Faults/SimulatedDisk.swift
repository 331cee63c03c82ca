#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import StrataStorage
import StrataTestSupport

/// A model of what a POSIX file system keeps through a power loss, fed by
/// `Failpoints.trace` (issue #7, simulated power loss).
///
/// Strict rules, as in the ALICE and CrashMonkey studies (OSDI 2014, 2018):
/// a file's bytes survive only as of its last fsync/fdatasync; a directory
/// entry (create, rename, unlink, mkdir, rmdir) survives only as of the
/// last fsync of its directory. Nothing else is assumed (no ext4
/// rename-after-write ordering, no implicit parent sync).
///
/// `snapshot()` freezes the durable state at the current point of the event
/// stream; `materialize(_:into:)` writes such a state into a real directory
/// so that the real `Database` can open it.
final class SimulatedDisk: @unchecked Sendable {
    final class Inode {
        var isDirectory: Bool
        var data: [UInt8] = []
        var durable: [UInt8] = []
        var entries: [String: Inode] = [:]
        var durableEntries: [String: Inode] = [:]
        init(isDirectory: Bool) { self.isDirectory = isDirectory }
    }

    /// A frozen durable state: directory trees of names to file contents.
    indirect enum Node {
        case file(durable: [UInt8], current: [UInt8])
        case directory([String: Node])
    }

    let root: String
    private let rootInode = Inode(isDirectory: true)
    private let lock = NSLock()
    private(set) var events = 0
    private(set) var unmodelled: [String] = []

    /// Durable states frozen during the run: (events applied so far, tree).
    private(set) var snapshots: [(events: Int, tree: Node)] = []
    private var rng: WorkloadRandom
    private let snapshotChance: Double

    /// Freezes the durable state after an event with probability `snapshotChance` (seeded).
    init(root: String, snapshotChance: Double, seed: UInt64) {
        self.root = root
        self.snapshotChance = snapshotChance
        rng = WorkloadRandom(seed: seed)
    }

    /// Events applied so far; an acknowledgement taken now belongs to every
    /// snapshot taken at this count or later.
    var eventCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return events
    }

    func record(_ e: Failpoints.Event) {
        lock.lock()
        defer { lock.unlock() }
        apply(e)
        events += 1
        if rng.chance(snapshotChance) { snapshots.append((events, freeze(rootInode, depth: 0))) }
    }

    private func apply(_ e: Failpoints.Event) {
        switch e {
        case .open(let p, let created, let truncated):
            if created || lookup(p) == nil {
                guard let (dir, name) = parentAndName(p) else { return note("open \(p)") }
                dir.entries[name] = Inode(isDirectory: false)
            }
            if truncated, let f = lookup(p) { f.data = [] }
        case .write(let p, let offset, let bytes):
            guard let f = lookup(p) else { return note("write \(p)") }
            if f.data.count < offset + bytes.count { f.data += [UInt8](repeating: 0, count: offset + bytes.count - f.data.count) }
            f.data.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
        case .truncate(let p, let size):
            guard let f = lookup(p) else { return note("truncate \(p)") }
            if size < f.data.count { f.data.removeLast(f.data.count - size) } else {
                f.data += [UInt8](repeating: 0, count: size - f.data.count)
            }
        case .fsync(let p):
            guard let n = p == root ? rootInode : lookup(p) else { return note("fsync \(p)") }
            if n.isDirectory { n.durableEntries = n.entries } else { n.durable = n.data }
        case .rename(let from, let to):
            guard let (fd, fname) = parentAndName(from), let (td, tname) = parentAndName(to), let n = fd.entries[fname] else {
                return note("rename \(from)")
            }
            fd.entries[fname] = nil
            td.entries[tname] = n
        case .unlink(let p), .rmdir(let p):
            guard let (dir, name) = parentAndName(p) else { return note("remove \(p)") }
            dir.entries[name] = nil
        case .mkdir(let p):
            guard let (dir, name) = parentAndName(p) else { return note("mkdir \(p)") }
            dir.entries[name] = Inode(isDirectory: true)
        }
    }

    private func note(_ s: String) {
        if unmodelled.count < 20 { unmodelled.append(s) }
    }

    private func lookup(_ path: String) -> Inode? {
        guard path.hasPrefix(root) else { return nil }
        var n = rootInode
        for comp in path.dropFirst(root.count).split(separator: "/") {
            guard let next = n.entries[String(comp)] else { return nil }
            n = next
        }
        return n
    }

    private func parentAndName(_ path: String) -> (Inode, String)? {
        let parent = FileIO.parent(of: path)
        let name = String(path[path.index(after: path.lastIndex(of: "/")!)...])
        guard let dir = parent == root ? rootInode : lookup(parent), dir.isDirectory else { return nil }
        return (dir, name)
    }

    /// The durable tree as of now: only entries reachable through synced directory entries.
    func snapshot() -> Node {
        lock.lock()
        defer { lock.unlock() }
        return freeze(rootInode, depth: 0)
    }

    private func freeze(_ n: Inode, depth: Int) -> Node {
        if !n.isDirectory { return .file(durable: n.durable, current: n.data) }
        var out: [String: Node] = [:]
        for (name, child) in n.durableEntries where depth < 16 { out[name] = freeze(child, depth: depth + 1) }
        return .directory(out)
    }

    /// Writes `node` into `dir`. `tornTail` (0…1) keeps that fraction of each
    /// file's unsynced appended bytes, as a disk may persist part of a write.
    static func materialize(_ node: Node, into dir: String, tornTail: Double = 0) throws {
        guard case .directory(let entries) = node else { return }
        try FileIO.mkdirs(dir)
        for (name, child) in entries {
            let path = dir + "/" + name
            switch child {
            case .directory:
                try materialize(child, into: path, tornTail: tornTail)
            case .file(let durable, let current):
                var bytes = durable
                if tornTail > 0, current.count > durable.count, current.starts(with: durable) {
                    let extra = Int(Double(current.count - durable.count) * tornTail)
                    bytes += current[durable.count..<(durable.count + extra)]
                }
                let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                guard fd >= 0 else { throw IOError("open", path, errno: errno) }
                defer { close(fd) }
                if !bytes.isEmpty { try FileIO.writeAll(fd, bytes, path: path) }
            }
        }
    }
}
