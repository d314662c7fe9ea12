extension Substring {
    /// The text without leading and trailing whitespace as Foundation's `CharacterSet.whitespaces`
    /// holds it (U+0009, Unicode's Zs — space, no-break space, the typographic spaces — and the
    /// zero-width space U+200B), trimmed scalar by scalar: the result of
    /// `trimmingCharacters(in: .whitespaces)` without its trip through `NSString` and
    /// `CharacterSet`, and without a copy.
    func trimmingWhitespace() -> Substring {
        var scalars = unicodeScalars
        while let first = scalars.first, first.isTrimmedWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isTrimmedWhitespace { scalars.removeLast() }
        return Substring(scalars)
    }
}

extension Unicode.Scalar {
    /// Whether `CharacterSet.whitespaces` holds this scalar.
    var isTrimmedWhitespace: Bool {
        self == "\t" || self == "\u{200B}" || properties.generalCategory == .spaceSeparator
    }
}
