import VigilModel

/// The plaintext inside a bundle: the entries' canonical bytes, each length-prefixed.
///
/// ```
/// count      u32 BE
/// entries    count × (u32 BE length 1 … 131072, canonical entry bytes)
/// ```
/// Nothing may follow the last entry. The entries themselves are not decoded here: the importer
/// verifies each exactly as if a peer had sent it.
public enum BundlePayload {
    /// The payload of `entries` (canonical bytes).
    public static func encode(_ entries: [[UInt8]]) -> [UInt8] {
        var w = ByteWriter(capacity: 4 + entries.reduce(0) { $0 + 4 + $1.count })
        w.bigEndian(UInt64(entries.count), 4)
        for e in entries {
            w.bigEndian(UInt64(e.count), 4)
            w.raw(e)
        }
        return w.bytes
    }

    /// The entries of a payload; never allocates more than the input.
    public static func decode(_ bytes: [UInt8]) throws(DecodingError) -> [[UInt8]] {
        var r = ByteReader(bytes)
        let count = Int(try r.bigEndian(4, "entries"))
        guard count <= r.remaining / 5 else {
            throw DecodingError(field: "entries", offset: 0, reason: "\(count) entries cannot fit in \(r.remaining) bytes")
        }
        var out: [[UInt8]] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            let at = r.offset
            let length = Int(try r.bigEndian(4, "entries[\(i)].length"))
            guard (1...EntryLimits.maxEncodedBytes).contains(length) else {
                throw DecodingError(field: "entries[\(i)].length", offset: at, reason: "\(length) bytes; an entry has 1 to \(EntryLimits.maxEncodedBytes)")
            }
            out.append(Array(try r.raw(length, "entries[\(i)]")))
        }
        try r.expectEnd("payload")
        return out
    }
}
