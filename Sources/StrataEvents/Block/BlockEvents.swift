/// Events gathered for a block write: a partition head's, or the union of
/// the blocks being compacted. Bodies are the canonical encodings.
struct BlockEvents {
    var ids: [UInt64] = []
    var timestamps: [Int64] = []
    var keys: [UInt8] = []
    var bodies: [UInt8] = []
    var bodyStarts: [Int] = [0]

    var count: Int { ids.count }

    mutating func append(id: UInt64, timestamp: Int64, key: UInt8, body: UnsafeRawBufferPointer) {
        ids.append(id)
        timestamps.append(timestamp)
        keys.append(key)
        bodies.append(contentsOf: body)
        bodyStarts.append(bodies.count)
    }

    mutating func append(id: UInt64, _ d: EventDraft) {
        ids.append(id)
        timestamps.append(d.timestamp)
        keys.append(d.key.rawValue)
        EventBody.encode(d, into: &bodies)
        bodyStarts.append(bodies.count)
    }

    func withBody<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        bodies.withUnsafeBytes { raw in body(UnsafeRawBufferPointer(rebasing: raw[bodyStarts[i]..<bodyStarts[i + 1]])) }
    }

    func draft(_ i: Int) throws(EventDecodeError) -> EventDraft {
        let r: Result<EventDraft, EventDecodeError> = withBody(i) { raw in
            var reader = ByteReader(raw)
            do throws(EventDecodeError) { return .success(try EventBody.decode(&reader)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    /// Indices in id order.
    func idOrder() -> [Int] {
        (0..<count).sorted { ids[$0] < ids[$1] }
    }
}

import StrataCodec
