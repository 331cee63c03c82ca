extension Array where Element: BitwiseCopyable {
    /// Sets `count` to `n` keeping the capacity, so that a decoder can then
    /// overwrite every element through a pointer. Elements kept from the
    /// old contents or added as zero bits are about to be overwritten; this
    /// costs at most one memset of the growth, never a reallocation when
    /// the capacity suffices.
    @inlinable
    mutating func resizeForOverwrite(_ n: Int) {
        if count > n {
            removeLast(count - n)
        } else if count < n {
            reserveCapacity(n)
            append(contentsOf: repeatElement(Self.zeroElement, count: n - count))
        }
    }

    @inlinable
    static var zeroElement: Element {
        withUnsafeTemporaryAllocation(of: Element.self, capacity: 1) { p in
            UnsafeMutableRawPointer(p.baseAddress!).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<Element>.stride)
            return p.baseAddress!.pointee
        }
    }
}
