import VigilModel

/// One Negentropy V1 message: the version byte `0x61`, then ranges in ascending order.
///
/// The first range starts at timestamp 0 with an empty id; each later range starts where the previous
/// one ended; if the last range ends before infinity, the rest of the space is an implicit Skip.
public struct NegentropyMessage: Hashable, Sendable {
    /// The ranges, ascending.
    public var ranges: [NegentropyRange]

    /// A message with these ranges.
    public init(ranges: [NegentropyRange]) {
        self.ranges = ranges
    }

    /// The wire bytes: version byte, then for each range its bound, mode and payload.
    public func encoded() -> [UInt8] {
        var writer = NegentropyWriter()
        for range in ranges {
            writer.bound(range.upperBound)
            switch range.payload {
            case .skip:
                writer.mode(.skip)
            case .fingerprint(let fingerprint):
                writer.mode(.fingerprint)
                writer.fingerprint(fingerprint)
            case .idList(let ids):
                writer.mode(.idList)
                writer.varint(UInt64(ids.count))
                for id in ids { writer.id(id) }
            }
        }
        return writer.bytes
    }

    /// Decodes a message strictly; every error names the field and its byte offset.
    ///
    /// Refuses: an empty message; a first byte outside `0x60…0x6F` (`.invalidProtocolVersion`) or other
    /// than `0x61` (`.unsupportedProtocolVersion`); varints that are not in their shortest form or do
    /// not fit in 64 bits; a bound whose timestamp passes 2^64 − 2 without being infinity; id prefixes
    /// over 32 bytes; a bound below the previous one; modes other than 0, 1, 2; an IdList count larger
    /// than the remaining bytes can hold, or naming an id twice; and any field cut short.
    ///
    /// A bound equal to the previous one (an empty range) is accepted: the reference implementation
    /// sends one when a frame-limited IdList reaching infinity is followed by the closing fingerprint.
    public static func decode(_ bytes: [UInt8]) throws -> NegentropyMessage {
        var reader = NegentropyReader(bytes)
        guard let version = bytes.first else {
            throw NegentropyError(.truncated, "empty message: expected the protocol version byte at byte offset 0", offset: 0)
        }
        guard (0x60...0x6F).contains(version) else {
            throw NegentropyError(.invalidProtocolVersion, "byte offset 0 holds 0x\(hexByte(version)), which is not a Negentropy protocol version byte (0x60…0x6F)", offset: 0)
        }
        guard version == NegentropyProtocol.version else {
            throw NegentropyError(.unsupportedProtocolVersion, "the message uses Negentropy protocol version \(Int(version) - 0x60) (byte 0x\(hexByte(version)) at offset 0); only version 1 (0x61) is supported", offset: 0)
        }
        reader.offset = 1

        var ranges = [NegentropyRange]()
        var lastTimestamp: UInt64 = 0
        var previous = NegentropyBound.zero
        while reader.remaining > 0 {
            let index = ranges.count
            let boundStart = reader.offset
            let encodedTime = try reader.varint("the timestamp of range \(index)'s upper bound")
            let timestamp: UInt64
            if encodedTime == 0 {
                timestamp = .max
            } else {
                let (sum, overflow) = lastTimestamp.addingReportingOverflow(encodedTime - 1)
                guard !overflow, sum != .max else {
                    throw NegentropyError(.timestampOverflow, "the timestamp of range \(index)'s upper bound at byte offset \(boundStart) adds \(encodedTime - 1) to \(lastTimestamp == .max ? "infinity" : String(lastTimestamp)), past the largest finite timestamp", offset: boundStart)
                }
                timestamp = sum
            }
            lastTimestamp = timestamp

            let lengthStart = reader.offset
            let length = try reader.varint("the id prefix length of range \(index)'s upper bound")
            guard length <= 32 else {
                throw NegentropyError(.idPrefixTooLong, "the id prefix length of range \(index)'s upper bound at byte offset \(lengthStart) is \(length); at most 32 bytes are allowed", offset: lengthStart)
            }
            let prefix = try reader.take(Int(length), "the \(length)-byte id prefix of range \(index)'s upper bound")
            let bound = NegentropyBound(timestamp: timestamp, idPrefix: prefix)!
            if bound.position < previous.position {
                throw NegentropyError(.boundsOutOfOrder, "range \(index)'s upper bound \(bound) at byte offset \(boundStart) is below \(index == 0 ? "the start of the space" : "range \(index - 1)'s upper bound \(previous)"); ranges must ascend", offset: boundStart)
            }
            previous = bound

            let modeStart = reader.offset
            let mode = try reader.varint("the mode of range \(index)")
            let payload: NegentropyRange.Payload
            switch mode {
            case NegentropyMode.skip.rawValue:
                payload = .skip
            case NegentropyMode.fingerprint.rawValue:
                let bytes = try reader.take(16, "the 16-byte fingerprint of range \(index)")
                payload = .fingerprint(NegentropyFingerprint(bytes)!)
            case NegentropyMode.idList.rawValue:
                let countStart = reader.offset
                let count = try reader.varint("the id count of range \(index)")
                guard count <= UInt64(reader.remaining / 32) else {
                    throw NegentropyError(.idListTooLong, "range \(index)'s IdList at byte offset \(countStart) claims \(count) ids, but only \(reader.remaining) bytes follow (room for \(reader.remaining / 32))", offset: countStart)
                }
                var ids = [Bytes32]()
                ids.reserveCapacity(Int(count))
                var seen = Set<Bytes32>(minimumCapacity: Int(count))
                for k in 0..<Int(count) {
                    let idStart = reader.offset
                    let id = Bytes32(try reader.take(32, "id \(k) of range \(index)"))!
                    guard seen.insert(id).inserted else {
                        throw NegentropyError(.duplicateListedID, "range \(index)'s IdList names id \(id) twice (again as id \(k), at byte offset \(idStart))", offset: idStart)
                    }
                    ids.append(id)
                }
                payload = .idList(ids)
            default:
                throw NegentropyError(.unknownMode, "range \(index) has mode \(mode) at byte offset \(modeStart); known modes are 0 (Skip), 1 (Fingerprint) and 2 (IdList)", offset: modeStart)
            }
            ranges.append(NegentropyRange(upperBound: bound, payload: payload))
        }
        return NegentropyMessage(ranges: ranges)
    }
}

/// A range of a message: its exclusive upper bound and what the sender says about it.
public struct NegentropyRange: Hashable, Sendable {
    /// What a range carries.
    public enum Payload: Hashable, Sendable {
        /// Mode 0: nothing; the sender is done with this range.
        case skip
        /// Mode 1: the fingerprint of the sender's items in the range.
        case fingerprint(NegentropyFingerprint)
        /// Mode 2: every id the sender has in the range.
        case idList([Bytes32])
    }

    /// Where the range ends (exclusive); it starts where the previous range ended.
    public var upperBound: NegentropyBound
    /// The mode and its payload.
    public var payload: Payload

    /// A range.
    public init(upperBound: NegentropyBound, payload: Payload) {
        self.upperBound = upperBound
        self.payload = payload
    }
}

/// Reads the primitives of a message with bounds checks; errors carry the field's starting offset.
struct NegentropyReader {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    /// A varint in its shortest form, at most 64 bits.
    mutating func varint(_ field: @autoclosure () -> String) throws -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        while true {
            guard offset < bytes.count else {
                throw NegentropyError(.truncated, "the message (\(bytes.count) bytes) ends inside \(field()), which starts at byte offset \(start)", offset: start)
            }
            let byte = bytes[offset]
            if offset == start && byte == 0x80 {
                throw NegentropyError(.nonMinimalVarint, "\(field()) at byte offset \(start) is a varint with a leading zero digit (0x80); varints must be in their shortest form", offset: start)
            }
            if value > UInt64.max >> 7 {
                throw NegentropyError(.varintOverflow, "\(field()) at byte offset \(start) is a varint larger than 2^64 − 1", offset: start)
            }
            value = value << 7 | UInt64(byte & 0x7f)
            offset += 1
            if byte & 0x80 == 0 { return value }
        }
    }

    /// The next `count` bytes.
    mutating func take(_ count: Int, _ field: @autoclosure () -> String) throws -> ArraySlice<UInt8> {
        guard count <= remaining else {
            throw NegentropyError(.truncated, "the message (\(bytes.count) bytes) ends inside \(field()), which starts at byte offset \(offset) and needs \(count) bytes", offset: offset)
        }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }
}

func hexByte(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef".utf8)
    return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]], as: UTF8.self)
}
