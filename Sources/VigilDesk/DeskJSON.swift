import Foundation

/// JSON encoding of the desk's API values: sorted keys, so answers are stable.
enum DeskJSON {
    static func bytes(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // The API types hold strings, numbers and arrays only: encoding cannot fail.
        return Array((try? encoder.encode(value)) ?? Data("null".utf8))
    }

    static func string(_ value: some Encodable) -> String { String(decoding: bytes(value), as: UTF8.self) }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) -> T? {
        try? JSONDecoder().decode(type, from: Data(bytes))
    }
}
