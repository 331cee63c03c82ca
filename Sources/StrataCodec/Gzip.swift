import CZlib

/// gzip (RFC 1952) decompression through Debian's zlib, for request bodies
/// sent with `Content-Encoding: gzip` (Telegraf and the Influx clients do by
/// default). The output is capped before it grows, like snappy bodies, so a
/// small "zip bomb" cannot claim unbounded memory.
public enum Gzip {
    public enum Error: Swift.Error, Equatable, Sendable, CustomStringConvertible {
        case corrupt(code: Int32)
        case tooLarge(limit: Int)
        public var description: String {
            switch self {
            case .corrupt(let c): return "invalid gzip data (zlib error \(c))"
            case .tooLarge(let l): return "decompressed body exceeds the limit of \(l) bytes"
            }
        }
    }

    public static func decompress(_ input: UnsafeRawBufferPointer, maxOutput: Int, into out: inout [UInt8]) throws(Error) {
        out.removeAll(keepingCapacity: true)
        var stream = z_stream()
        // 15 + 16: a gzip wrapper (not zlib or raw deflate), 32 KiB window.
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corrupt(code: Z_MEM_ERROR)
        }
        defer { inflateEnd(&stream) }
        guard let base = input.baseAddress else { throw .corrupt(code: Z_DATA_ERROR) }
        stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let (code, produced) = chunk.withUnsafeMutableBufferPointer { buf -> (Int32, Int) in
                stream.next_out = buf.baseAddress
                stream.avail_out = uInt(buf.count)
                let code = inflate(&stream, Z_NO_FLUSH)
                return (code, buf.count - Int(stream.avail_out))
            }
            if out.count + produced > maxOutput { throw .tooLarge(limit: maxOutput) }
            out.append(contentsOf: chunk[0..<produced])
            if code == Z_STREAM_END { return }
            if code != Z_OK { throw .corrupt(code: code) }
            if produced == 0 && stream.avail_in == 0 { throw .corrupt(code: Z_BUF_ERROR) }
        }
    }

    /// gzip-compresses `input` (default level). Used for responses and by
    /// tests that send compressed bodies the way Telegraf does.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            preconditionFailure("zlib deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        let written: Int = input.withUnsafeBufferPointer { inp in
            out.withUnsafeMutableBufferPointer { o in
                stream.next_in = UnsafeMutablePointer(mutating: inp.baseAddress)
                stream.avail_in = uInt(inp.count)
                stream.next_out = o.baseAddress
                stream.avail_out = uInt(o.count)
                let code = deflate(&stream, Z_FINISH)
                precondition(code == Z_STREAM_END, "deflate with a deflateBound buffer must finish")
                return o.count - Int(stream.avail_out)
            }
        }
        out.removeSubrange(written...)
        return out
    }
}
