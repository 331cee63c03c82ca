extension String {
    /// At most `max` UTF-8 bytes, cut at a character boundary.
    func truncatedUTF8(_ max: Int) -> String {
        if utf8.count <= max { return self }
        var end = utf8.index(utf8.startIndex, offsetBy: max)
        while end > utf8.startIndex && !unicodeScalars.indices.contains(end) { end = utf8.index(before: end) }
        return String(self[..<end])
    }
}
