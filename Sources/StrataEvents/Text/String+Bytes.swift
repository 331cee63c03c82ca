extension String {
    /// Byte-wise equality. Swift's `==` follows Unicode canonical
    /// equivalence (precomposed `é` equals `e` + combining accent), but term
    /// dictionaries compare bytes; phrase matching must agree with them.
    func bytesEqual(_ other: String) -> Bool { utf8.elementsEqual(other.utf8) }
    func bytesHavePrefix(_ p: String) -> Bool { utf8.starts(with: p.utf8) }
}
