import Foundation

extension String {
    /// The same as `trimmingCharacters(in: .whitespacesAndNewlines)`, without Foundation's cost in the
    /// common case where the text starts and ends with a visible ASCII character.
    var trimmedWhitespace: String {
        let u = utf8
        if let first = u.first, let last = u.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) { return self }
        if u.isEmpty { return self }
        return trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether the text is empty or only whitespace and newlines (as `trimmedWhitespace.isEmpty`).
    var isBlank: Bool {
        if utf8.contains(where: { (0x21...0x7E).contains($0) }) { return false }
        return trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }
}
