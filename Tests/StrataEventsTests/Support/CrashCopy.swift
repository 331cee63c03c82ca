import Foundation

/// Copies a live store's directory as a crash would leave it: whatever
/// write(2) has put in the page cache, without a clean close (the copy has
/// no lock held, so it can be opened while the original stays open).
func crashCopy(_ from: String, to: String) throws {
    let fm = FileManager.default
    try? fm.removeItem(atPath: to)
    try fm.copyItem(atPath: from, toPath: to)
}
