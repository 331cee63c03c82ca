#if canImport(Glibc)
import Glibc
#endif
import StrataStorage

/// Cuts a backfill file into pieces of about `chunkBytes` that each parse on
/// their own, so `strata import` holds one piece in memory, not the file:
///
/// - Prometheus text and OpenMetrics: cut before a metric family's first
///   comment line (`# HELP`/`# TYPE`/`# UNIT` after a sample line), so a
///   family's metadata stays with its samples; else (one family larger than
///   a piece) at a line end. An OpenMetrics piece other than the last gets
///   `# EOF` appended.
/// - CSV: cut at a row end outside quotes (quoted fields may hold line
///   breaks); every piece after the first starts with the header line.
/// - JSON: cut only between JSON lines (a line ending in `}` followed by one
///   starting with `{`); a single JSON document is one piece.
///
/// A piece that finds no cut reads on until it does (or the file ends).
/// `lineOffset` and `byteOffset` map a piece's positions back to the file.
struct BackfillChunker {
    struct Piece {
        var bytes: [UInt8]
        /// Added to a line number in `bytes` to give the file's.
        var lineOffset: Int
        /// Added to a byte offset in `bytes` to give the file's (JSON only: no prefix there).
        var byteOffset: Int
    }

    let fd: Int32
    let path: String
    let format: BackfillFormat
    let chunkBytes: Int
    private var buffer: [UInt8] = []
    private var eof = false
    private var done = false
    private var linesConsumed = 0
    private var bytesConsumed = 0
    /// CSV: the header row, with its line end, and how many lines it spans.
    private var header: [UInt8] = []
    private var headerLines = 0

    init(fd: Int32, path: String, format: BackfillFormat, chunkBytes: Int) {
        self.fd = fd
        self.path = path
        self.format = format
        self.chunkBytes = max(chunkBytes, 1)
    }

    mutating func next() throws(BackfillError) -> Piece? {
        guard !done else { return nil }
        while true {
            try fill(upTo: max(chunkBytes, buffer.count + 1))
            let start = bytesConsumed == 0 && format == .csv ? headerEnd() : 0
            if eof || buffer.count == 0 {
                done = true
                return piece(cut: buffer.count, last: true)
            }
            if let cut = cutPoint(from: start) {
                return piece(cut: cut, last: false)
            }
            // No cut in this much: read on.
            try fill(upTo: buffer.count + chunkBytes)
            if eof {
                done = true
                return piece(cut: buffer.count, last: true)
            }
        }
    }

    /// Reads until `buffer` holds `n` bytes or the file ends.
    private mutating func fill(upTo n: Int) throws(BackfillError) {
        guard !eof, buffer.count < n else { return }
        let old = buffer.count
        buffer.reserveCapacity(n)
        buffer.append(contentsOf: repeatElement(0, count: n - old))
        var have = old
        while have < n {
            let got = buffer.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress! + have, n - have) }
            if got < 0 {
                if errno == EINTR { continue }
                let code = errno
                buffer.removeLast(n - have)
                throw BackfillError("cannot read \(path): \(String(cString: strerror(code)))")
            }
            if got == 0 {
                eof = true
                break
            }
            have += got
        }
        buffer.removeLast(n - have)
    }

    /// Hands out `buffer[..<cut]` (with the CSV header or OpenMetrics `# EOF`
    /// it needs) and keeps the rest.
    private mutating func piece(cut: Int, last: Bool) -> Piece {
        let first = bytesConsumed == 0
        var bytes: [UInt8] = []
        var lineOffset = linesConsumed
        if format == .csv && !first {
            bytes.reserveCapacity(header.count + cut)
            bytes.append(contentsOf: header)
            lineOffset -= headerLines
        }
        bytes.append(contentsOf: buffer[..<cut])
        if format == .openMetrics && !last {
            bytes.append(contentsOf: Array("# EOF\n".utf8))
        }
        if format == .csv && first {
            header = Array(buffer[..<headerEnd()])
            if header.last != UInt8(ascii: "\n") { header.append(UInt8(ascii: "\n")) }
            headerLines = header.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        }
        let p = Piece(bytes: bytes, lineOffset: lineOffset, byteOffset: bytesConsumed)
        linesConsumed += buffer[..<cut].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        bytesConsumed += cut
        buffer.removeFirst(cut)
        return p
    }

    /// CSV: the offset after the header row (the first row with content),
    /// or 0 if it is not complete in the buffer yet.
    private func headerEnd() -> Int {
        var inQuotes = false
        var content = false
        for (i, b) in buffer.enumerated() {
            if b == UInt8(ascii: "\"") { inQuotes.toggle() }
            if b == UInt8(ascii: "\n") && !inQuotes {
                if content { return i + 1 }
                continue
            }
            if b != UInt8(ascii: "\r") { content = true }
        }
        return 0
    }

    /// Where the buffer may be cut (the offset after a line end), at or
    /// after `start`; nil when there is no such place.
    private func cutPoint(from start: Int) -> Int? {
        let nl = UInt8(ascii: "\n")
        switch format {
        case .csv:
            guard start > 0 || bytesConsumed > 0 else { return nil }   // the header is not complete yet
            var inQuotes = false
            var last: Int? = nil
            for i in start..<buffer.count {
                if buffer[i] == UInt8(ascii: "\"") { inQuotes.toggle() }
                if buffer[i] == nl && !inQuotes { last = i + 1 }
            }
            return last
        case .openMetrics, .prometheusText:
            // The last line end after which a comment line follows a sample line.
            var lineEnd: Int? = nil
            var i = buffer.count - 1
            var nextStartsComment = false
            while i >= start {
                if buffer[i] == nl {
                    let lineStart = i + 1
                    if lineEnd == nil {
                        // The last (incomplete) line: a cut may go before it.
                        guard lineStart < buffer.count else { nextStartsComment = false; lineEnd = nil; i -= 1; continue }
                        lineEnd = lineStart
                        nextStartsComment = buffer[lineStart] == UInt8(ascii: "#")
                    }
                    // The line before this line end, from its start.
                    var s = i
                    while s > 0 && buffer[s - 1] != nl { s -= 1 }
                    let thisIsComment = s < i && buffer[s] == UInt8(ascii: "#")
                    if nextStartsComment && !thisIsComment && s < i { return lineStart }
                    nextStartsComment = thisIsComment
                    i = s - 1
                    continue
                }
                i -= 1
            }
            return lineEnd
        case .json:
            var i = buffer.count - 2
            while i > start {
                if buffer[i] == nl && buffer[i + 1] == UInt8(ascii: "{") {
                    var j = i - 1
                    while j >= 0 && (buffer[j] == UInt8(ascii: " ") || buffer[j] == UInt8(ascii: "\r")) { j -= 1 }
                    if j >= 0 && buffer[j] == UInt8(ascii: "}") { return i + 1 }
                }
                i -= 1
            }
            return nil
        }
    }
}

extension Backfill {
    /// Imports a file piece by piece (`BackfillChunker`): memory holds one
    /// piece of about `chunkBytes` and the blocks' indexes, not the file.
    /// A series that spans pieces lands in a second block of the same time
    /// window, which the next compaction merges. Nothing is visible before
    /// the whole file parsed; a parse error names the file's line.
    public static func loadFile(_ path: String, format: BackfillFormat, into db: Database, defaultTimestamp: Int64,
                                blockDuration: Int64? = nil, chunkBytes: Int = 64 << 20) throws -> ImportReport {
        let fd: Int32
        do { fd = try FileIO.open(path, O_RDONLY) } catch { throw BackfillError("cannot read \(path): \(error)") }
        defer { FileIO.close(fd) }
        var chunker = BackfillChunker(fd: fd, path: path, format: format, chunkBytes: chunkBytes)
        return try db.importBlocks(blockDuration: blockDuration) { importer in
            while let piece = try chunker.next() {
                let batch = try parse(piece.bytes, format: format, defaultTimestamp: defaultTimestamp,
                                      lineOffset: piece.lineOffset, byteOffset: piece.byteOffset)
                for (labels, ts, vs) in series(of: batch) { try importer.add(labels, timestamps: ts, values: vs) }
            }
        }
    }
}
