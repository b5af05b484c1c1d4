import VigilModel

/// The on-disk format of an entry store, version 1 (also described in `docs/store-format.md`).
///
/// A store is a directory:
///
/// ```
/// LOCK                      flock(2)ed exclusively by the process that has the store open
/// segment-00000001.vseg     segments, numbered from 1 with no gaps; only the highest one is appended to
/// segment-00000002.vseg
/// *.tmp                     a segment being created or repaired; deleted at open
/// ```
///
/// A segment is a 16-byte header followed by records, back to back, no padding:
///
/// ```
/// segment header (16 bytes)
///   0   8   magic "VIGILSEG"
///   8   4   format version, u32 little-endian = 1
///  12   4   segment number, u32 little-endian (equals the number in the file name)
///
/// record (48-byte header + payload)
///   0   4   magic "VREC"
///   4   1   record type: 1 = entry
///   5   3   reserved, zero
///   8   4   payload length n, u32 little-endian, 1 ≤ n ≤ EntryLimits.maxEncodedBytes
///  12  32   entry id = SHA-256(payload)
///  44   4   CRC-32C (Castagnoli) of bytes 4..<44 of the header followed by the payload, u32 LE
///  48   n   payload: the entry's canonical bytes (EntryCodec), signature included
/// ```
///
/// A segment is created whole (header written to `NAME.tmp`, fsynced, renamed, directory fsynced), so a
/// segment file always has a complete header. Records are only ever appended; a segment is closed to
/// appends once the next record would take it past the size limit. The id sits in the header so that
/// reopening does not rehash every entry; the CRC covers it. The entry's timestamp is read from the
/// payload's prefix (version, 32-byte author, varint ms, varint counter) without decoding the rest.
enum StoreFormat {
    static let segmentMagic: [UInt8] = Array("VIGILSEG".utf8)
    /// The version written in new segment headers (docs/formats.md).
    static let version: UInt32 = FormatVersion.storeSegment.current
    static let segmentHeaderSize = 16
    static let recordMagic: [UInt8] = Array("VREC".utf8)
    static let recordTypeEntry: UInt8 = 1
    static let recordHeaderSize = 48
    static let maxPayload = EntryLimits.maxEncodedBytes
    static let maxRecordSize = recordHeaderSize + maxPayload
    static let lockFileName = "LOCK"
    static let segmentPrefix = "segment-"
    static let segmentSuffix = ".vseg"
    static let temporarySuffix = ".tmp"

    /// `segment-00000042.vseg`
    static func segmentFileName(_ number: UInt32) -> String {
        let digits = String(number)
        return segmentPrefix + String(repeating: "0", count: max(0, 8 - digits.count)) + digits + segmentSuffix
    }

    /// The number in a segment file name, or nil when `name` is not one.
    static func segmentNumber(fileName name: String) -> UInt32? {
        guard name.hasPrefix(segmentPrefix), name.hasSuffix(segmentSuffix) else { return nil }
        let digits = name.dropFirst(segmentPrefix.count).dropLast(segmentSuffix.count)
        guard digits.count >= 8, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = UInt32(digits), n > 0 else { return nil }
        return n
    }

    static func segmentHeader(number: UInt32) -> [UInt8] {
        var out = segmentMagic
        appendLE(version, to: &out)
        appendLE(number, to: &out)
        return out
    }

    /// Appends one framed record holding `payload` (the canonical bytes of the entry `id`).
    static func appendRecord(id: EntryID, payload: [UInt8], to out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: recordMagic)
        out.append(recordTypeEntry)
        out.append(contentsOf: [0, 0, 0])
        appendLE(UInt32(payload.count), to: &out)
        id.appendBytes(to: &out)
        var crc = out.withUnsafeBytes { CRC32C.update(0, UnsafeRawBufferPointer(rebasing: $0[(start + 4)...])) }
        crc = payload.withUnsafeBytes { CRC32C.update(crc, $0) }
        appendLE(crc, to: &out)
        out.append(contentsOf: payload)
    }

    static func appendLE(_ value: UInt32, to out: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    static func loadLE32(_ p: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(littleEndian: p.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }

    /// What the bytes at the start of `window` are.
    enum Parsed {
        /// A record whose framing and CRC are good.
        case record(id: EntryID, payloadLength: Int)
        /// The record runs past the end of `window`; `needed` bytes would hold it.
        case incomplete(needed: Int, reason: String)
        /// Not a good record, and more bytes would not change that.
        case bad(String)
    }

    /// Parses the record at the start of `window` (which runs to the end of the file, or at least
    /// `maxRecordSize` bytes), checking magic, type, reserved bytes, length and CRC.
    static func parseRecord(_ window: UnsafeRawBufferPointer) -> Parsed {
        let header = recordHeaderSize
        let magicBytes = min(4, window.count)
        for i in 0..<magicBytes where window[i] != recordMagic[i] {
            return .bad("no record header here (the magic bytes are not \"VREC\")")
        }
        guard window.count >= header else {
            return .incomplete(needed: header, reason: "a record header is cut off: only \(window.count) of its \(header) bytes are in the file")
        }
        guard window[4] == recordTypeEntry else { return .bad("unknown record type \(window[4])") }
        guard window[5] == 0, window[6] == 0, window[7] == 0 else { return .bad("the reserved header bytes are not zero") }
        let length = Int(loadLE32(window, 8))
        guard length >= 1, length <= maxPayload else {
            return .bad("impossible payload length \(length) (a record holds 1 to \(maxPayload) bytes)")
        }
        guard window.count >= header + length else {
            return .incomplete(needed: header + length, reason: "the record claims \(length) payload bytes but only \(window.count - header) follow before the end of the file")
        }
        var crc = CRC32C.update(0, UnsafeRawBufferPointer(rebasing: window[4..<44]))
        crc = CRC32C.update(crc, UnsafeRawBufferPointer(rebasing: window[header..<header + length]))
        let stored = loadLE32(window, 44)
        guard crc == stored else {
            return .bad("the record's CRC-32C does not match (stored \(hex32(stored)), computed \(hex32(crc)))")
        }
        return .record(id: EntryID(UnsafeRawBufferPointer(rebasing: window[12..<44]))!, payloadLength: length)
    }

    /// The entry timestamp from the first bytes of a payload (version u8, author, varint ms, varint
    /// counter), without decoding the rest; nil when the prefix is not that of a version-1 entry.
    static func timestamp(ofPayload p: UnsafeRawBufferPointer) -> HybridTimestamp? {
        guard p.count > 33, p[0] == EntryLimits.formatVersion else { return nil }
        var at = 33
        func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while at < p.count, shift < 64 {
                let b = p[at]
                at += 1
                value |= UInt64(b & 0x7f) << shift
                if b & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }
        guard let ms = varint(), ms <= HybridTimestamp.maxMilliseconds,
              let counter = varint(), counter <= UInt64(UInt32.max) else { return nil }
        return HybridTimestamp(milliseconds: ms, counter: UInt32(counter))
    }

    static func hex32(_ v: UInt32) -> String {
        let digits = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
