/// Appends the primitive encodings every Vigil wire format shares.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// One byte.
    public mutating func byte(_ value: UInt8) { bytes.append(value) }

    /// Raw bytes, no length.
    public mutating func raw(_ value: some Sequence<UInt8>) { bytes.append(contentsOf: value) }

    /// 32 bytes.
    public mutating func bytes32(_ value: Bytes32) { value.appendBytes(to: &bytes) }

    /// An unsigned LEB128 varint in its shortest form.
    public mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// A varint length followed by the bytes.
    public mutating func lengthPrefixed(_ value: some Collection<UInt8>) {
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }
}

/// Why a decoder refused its input: which field, at which byte offset, and why.
public struct DecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The field being read, e.g. `audience.roles[2]`.
    public let field: String
    /// The byte offset where the problem was found.
    public let offset: Int
    /// What is wrong.
    public let reason: String

    /// A decoding error.
    public init(field: String, offset: Int, reason: String) {
        self.field = field
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "\(field) at byte \(offset): \(reason)" }
}

/// Reads primitive encodings strictly: every read checks bounds, varints must be minimal.
public struct ByteReader {
    /// The input.
    public let bytes: [UInt8]
    /// The next byte to read.
    public private(set) var offset: Int

    /// A reader at the start of `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        offset = 0
    }

    /// Bytes not yet read.
    public var remaining: Int { bytes.count - offset }

    /// One byte.
    public mutating func byte(_ field: @autoclosure () -> String) throws(DecodingError) -> UInt8 {
        guard offset < bytes.count else { throw truncated(field(), needed: 1) }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Exactly `count` bytes.
    public mutating func raw(_ count: Int, _ field: @autoclosure () -> String) throws(DecodingError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw truncated(field(), needed: count) }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    /// 32 bytes.
    public mutating func bytes32(_ field: @autoclosure () -> String) throws(DecodingError) -> Bytes32 {
        let slice = try raw(32, field())
        return Bytes32(slice)!
    }

    /// A minimal unsigned LEB128 varint no larger than `max`.
    public mutating func varint(_ field: @autoclosure () -> String, max: UInt64 = .max) throws(DecodingError) -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else {
                throw DecodingError(field: field(), offset: start, reason: "truncated: the varint does not end before the input does")
            }
            let b = bytes[offset]
            offset += 1
            let payload = UInt64(b & 0x7f)
            if shift == 63 && payload > 1 {
                throw DecodingError(field: field(), offset: start, reason: "varint overflows 64 bits")
            }
            value |= payload << shift
            if b & 0x80 == 0 {
                if b == 0 && shift > 0 {
                    throw DecodingError(field: field(), offset: start, reason: "varint is not in its shortest form (trailing zero group)")
                }
                break
            }
            shift += 7
            if shift > 63 {
                throw DecodingError(field: field(), offset: start, reason: "varint longer than 10 bytes")
            }
        }
        guard value <= max else {
            throw DecodingError(field: field(), offset: start, reason: "value \(value) exceeds the limit \(max)")
        }
        return value
    }

    /// Throws unless every byte has been read.
    /// `what` is made only when there are trailing bytes (a frame's type is named by reflection, which
    /// costs more than decoding the frame).
    public func expectEnd(_ what: @autoclosure () -> String) throws(DecodingError) {
        guard remaining == 0 else {
            let what = what()
            throw DecodingError(field: what, offset: offset, reason: "\(remaining) trailing byte\(remaining == 1 ? "" : "s") after the end of the \(what)")
        }
    }

    private func truncated(_ field: String, needed: Int) -> DecodingError {
        DecodingError(field: field, offset: offset, reason: "truncated: needs \(needed) byte\(needed == 1 ? "" : "s"), \(remaining) left")
    }
}
