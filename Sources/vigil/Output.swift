import Foundation
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Where a command writes. Tables for people by default; one JSON document with `--json`.
struct Output {
    var out: (String) -> Void = { text in
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
    var err: (String) -> Void = { text in
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Two aligned columns: a label and a value.
    func table(_ rows: [(String, String)]) {
        let width = rows.map { $0.0.count }.max() ?? 0
        for (label, value) in rows {
            out(label.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
        }
    }

    /// Pretty-printed JSON with sorted keys.
    func json(_ value: some Encodable) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        out(String(decoding: (try? encoder.encode(value)) ?? Data("{}".utf8), as: UTF8.self))
    }
}
