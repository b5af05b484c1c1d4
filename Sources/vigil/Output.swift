import Foundation
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Where a command writes. Tables for people by default; one JSON document with `--json`.
struct Output {
    var out: (String) -> Void = { text in Output.write(1, text + "\n") }
    var err: (String) -> Void = { text in Output.write(2, text + "\n") }

    /// Writes everything, retrying short writes; a closed pipe (`vigil list | head`) just ends the output.
    static func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            bytes = bytes.dropFirst(n)
        }
    }

    /// Any JSON value (from the local API), pretty-printed with sorted keys.
    /// Two aligned columns: a label and a value.
    func table(_ rows: [(String, String)]) {
        let width = rows.map { $0.0.count }.max() ?? 0
        for (label, value) in rows {
            out(label.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
        }
    }

    /// Pretty-printed JSON with sorted keys.
    func json(_ value: some Encodable) {
        out(Self.jsonText(value))
    }

    /// Pretty JSON, keys sorted; an empty array or object is written `[]` / `{}` (Foundation's pretty
    /// printer puts an empty line inside them).
    static func jsonText(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
        // Strings never hold a raw newline (it is escaped), so an empty container is the only match.
        return text.replacingOccurrences(of: #"\[\s*\n\s*\]"#, with: "[]", options: .regularExpression)
            .replacingOccurrences(of: #"\{\s*\n\s*\}"#, with: "{}", options: .regularExpression)
    }

    /// One line of JSON, keys sorted (for `follow --json`).
    static func jsonLine(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }
}
