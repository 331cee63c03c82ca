import StrataCodec

/// The `tombstones` file of a block (docs/format/tombstones.md).
extension Tombstones {
    public static let fileName = "tombstones"
    static let magic: [UInt8] = Array("STMB".utf8)
    static let version: UInt8 = 1

    /// The file's bytes: header, entries sorted by series id, CRC-32C.
    public func encodedFile() -> [UInt8] {
        var out = Self.magic + [Self.version, 0, 0, 0]
        out.appendUVarint(UInt64(ranges.count))
        for id in ranges.keys.sorted() {
            let rs = ranges[id]!
            out.appendUVarint(id)
            out.appendUVarint(UInt64(rs.count))
            for r in rs {
                out.appendVarint(r.mint)
                out.appendUVarint(UInt64(bitPattern: r.maxt &- r.mint))
            }
        }
        out.appendUInt32LE(CRC32C.checksum(out))
        return out
    }

    /// Parses a tombstones file; `block` names the block in errors.
    public static func decodeFile(_ bytes: [UInt8], block: String) throws(BlockError) -> Tombstones {
        func fail(_ offset: Int, _ reason: BlockError.Reason) -> BlockError {
            BlockError(block: block, file: fileName, offset: offset, reason: reason)
        }
        guard bytes.count >= 8 + 1 + 4 else { throw fail(0, .truncated) }
        for k in 0..<4 where bytes[k] != magic[k] { throw fail(0, .badMagic) }
        guard bytes[4] == version else { throw fail(4, .badVersion(Int(bytes[4]))) }
        let body = bytes.count - 4
        let crc = bytes.withUnsafeBytes { raw in
            (CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<body])),
             raw.loadUnaligned(fromByteOffset: body, as: UInt32.self).littleEndian)
        }
        guard crc.0 == crc.1 else { throw fail(body, .badChecksum) }
        var t = Tombstones()
        var failure: BlockError?
        bytes.withUnsafeBytes { raw in
            var r = ByteReader(UnsafeRawBufferPointer(rebasing: raw[0..<body]), offset: 8)
            guard let n = r.readUVarint(), n <= UInt64(r.remaining) else { failure = fail(r.offset, .truncated); return }
            for _ in 0..<n {
                guard let id = r.readUVarint(), let k = r.readUVarint(), k <= UInt64(r.remaining) else {
                    failure = fail(r.offset, .truncated); return
                }
                for _ in 0..<k {
                    guard let mint = r.readVarint(), let span = r.readUVarint() else { failure = fail(r.offset, .truncated); return }
                    t.add(id, DeletedRange(mint, mint &+ Int64(bitPattern: span)))
                }
            }
            if !r.isAtEnd { failure = fail(r.offset, .badSection("trailing bytes")) }
        }
        if let failure { throw failure }
        return t
    }

    /// Reads `<blockDir>/tombstones`; empty if the file does not exist.
    static func read(blockDirectory dir: String, block: String) throws(BlockError) -> Tombstones {
        let path = dir + "/" + fileName
        guard FileIO.exists(path) else { return Tombstones() }
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(path) } catch { throw BlockError(block: block, file: fileName, offset: 0, reason: .missingFile) }
        return try decodeFile(bytes, block: block)
    }

    /// Replaces `<blockDir>/tombstones` atomically (tmp, fsync, rename, fsync dir).
    func write(blockDirectory dir: String) throws(IOError) {
        try FileIO.writeFileAtomically(dir + "/" + Self.fileName, encodedFile())
    }
}
