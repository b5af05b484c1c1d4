import Foundation
import VigilCrypto

/// The JSON view of an entry, for people and for `--json`. Never signed, never parsed back into an
/// entry: the canonical binary encoding is the only form that is signed.
public struct EntryJSON: Codable, Equatable, Sendable {
    /// The audience as JSON.
    public struct AudienceJSON: Codable, Equatable, Sendable {
        /// TLP label, e.g. `TLP:AMBER`.
        public var tlp: String
        /// Recipient roles.
        public var roles: [String]
        /// Recipient organisations.
        public var organisations: [String]
        /// Recipient node ids (hex).
        public var nodes: [String]
    }

    /// Entry id (hex SHA-256 of the canonical bytes).
    public var id: String
    /// Format version.
    public var version: Int
    /// Author node id (hex).
    public var author: String
    /// Author fingerprint for people.
    public var authorFingerprint: String
    /// HLC as `milliseconds.counter`.
    public var hlc: String
    /// HLC wall time, ISO 8601 UTC with milliseconds.
    public var time: String
    /// Kind name.
    public var kind: String
    /// Audience.
    public var audience: AudienceJSON
    /// Referenced entry ids (hex).
    public var refs: [String]
    /// Body bytes, base64.
    public var bodyBase64: String
    /// Body fields, when the body is a canonical field map (every kind's typed body is).
    public var fields: FieldMap?
    /// Body as text when it is valid UTF-8 and not a field map.
    public var bodyText: String?
    /// Signature (hex).
    public var signature: String
    /// Size of the canonical encoding in bytes.
    public var size: Int

    /// The view of `entry`.
    public init(_ entry: Entry) {
        id = entry.id.hex
        version = Int(EntryLimits.formatVersion)
        author = entry.author.hex
        authorFingerprint = entry.author.fingerprint
        hlc = entry.timestamp.description
        time = Self.iso8601(milliseconds: entry.timestamp.milliseconds)
        kind = entry.kind.name
        audience = AudienceJSON(tlp: entry.audience.tlp.name, roles: entry.audience.roles,
                                organisations: entry.audience.organisations, nodes: entry.audience.nodes.map(\.hex))
        refs = entry.refs.map(\.hex)
        bodyBase64 = Data(entry.body).base64EncodedString()
        fields = try? FieldMap(canonicalBytes: entry.body)
        bodyText = fields == nil ? String(validating: entry.body, as: UTF8.self) : nil
        signature = VigilCrypto.hex(entry.signature)
        size = entry.canonicalBytes.count
    }

    /// `2026-11-24T03:15:00.123Z` for milliseconds since the epoch.
    /// Milliseconds since the epoch of an ISO 8601 time with its zone (`2026-11-24T10:00:00Z`,
    /// `…10:00:00.250+01:00`, `+0100`), as body fields accept them; nil otherwise.
    public static func milliseconds(iso8601 text: String) -> Int64? { KindTime.parse(text) }

    public static func iso8601(milliseconds: UInt64) -> String {
        let seconds = time_t(milliseconds / 1000)
        var parts = tm()
        var t = seconds
        gmtime_r(&t, &parts)
        let year = Int(parts.tm_year) + 1900
        guard (0...9999).contains(year) else {
            return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", year, Int(parts.tm_mon) + 1,
                          Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(milliseconds % 1000))
        }
        // The same text with the digits written directly (String(format:) cost more than the rest of a
        // `follow` line; every list and log line has one).
        var out = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, _ width: Int, at start: Int) {
            var v = value
            for i in stride(from: start + width - 1, through: start, by: -1) {
                out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
        }
        put(year, 4, at: 0)
        out[4] = UInt8(ascii: "-")
        put(Int(parts.tm_mon) + 1, 2, at: 5)
        out[7] = UInt8(ascii: "-")
        put(Int(parts.tm_mday), 2, at: 8)
        out[10] = UInt8(ascii: "T")
        put(Int(parts.tm_hour), 2, at: 11)
        out[13] = UInt8(ascii: ":")
        put(Int(parts.tm_min), 2, at: 14)
        out[16] = UInt8(ascii: ":")
        put(Int(parts.tm_sec), 2, at: 17)
        out[19] = UInt8(ascii: ".")
        put(Int(milliseconds % 1000), 3, at: 20)
        out[23] = UInt8(ascii: "Z")
        return String(decoding: out, as: UTF8.self)
    }

    /// Pretty-printed JSON with sorted keys.
    public func encodedJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
