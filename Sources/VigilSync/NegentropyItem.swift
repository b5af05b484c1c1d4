import VigilCrypto
import VigilModel

/// One record of a Negentropy set: a timestamp and a 32-byte id.
///
/// Items sort by timestamp, then by id byte by byte; that order is the protocol's. The timestamp
/// `UInt64.max` is reserved for the "infinity" bound and refused by `NegentropyStorage`.
public struct NegentropyItem: Hashable, Comparable, Sendable {
    /// The item's timestamp (any value but `UInt64.max`).
    public var timestamp: UInt64
    /// The item's id.
    public var id: Bytes32

    /// An item.
    public init(timestamp: UInt64, id: Bytes32) {
        self.timestamp = timestamp
        self.id = id
    }

    @inlinable
    public static func < (a: NegentropyItem, b: NegentropyItem) -> Bool {
        a.timestamp != b.timestamp ? a.timestamp < b.timestamp : a.id < b.id
    }
}

/// A position in the (timestamp, id) space: the exclusive upper bound of a range.
///
/// On the wire a bound is a timestamp and a prefix of 0…32 id bytes; the omitted bytes are zero. Two
/// bounds with the same timestamp and zero-padded id denote the same position even when their prefix
/// lengths differ, so `==` compares the encoding and `position` the place in the order.
public struct NegentropyBound: Hashable, Sendable, CustomStringConvertible {
    /// The timestamp; `UInt64.max` means infinity (past every item).
    public let timestamp: UInt64
    /// The id prefix, padded with zero bytes to 32.
    public let paddedID: Bytes32
    /// How many bytes of `paddedID` are sent: 0…32.
    public let prefixLength: Int

    /// The bound past every item: timestamp infinity, no id prefix.
    public static let infinity = NegentropyBound(timestamp: .max, paddedID: .zero, prefixLength: 0)
    /// The bound before every item, where the first range of a message starts.
    public static let zero = NegentropyBound(timestamp: 0, paddedID: .zero, prefixLength: 0)

    init(timestamp: UInt64, paddedID: Bytes32, prefixLength: Int) {
        self.timestamp = timestamp
        self.paddedID = paddedID
        self.prefixLength = prefixLength
    }

    /// A bound at `timestamp` with the given id prefix; nil when the prefix is longer than 32 bytes.
    public init?(timestamp: UInt64, idPrefix: some Collection<UInt8>) {
        guard idPrefix.count <= 32 else { return nil }
        var padded = Array(idPrefix)
        padded.append(contentsOf: repeatElement(0, count: 32 - padded.count))
        self.init(timestamp: timestamp, paddedID: Bytes32(padded)!, prefixLength: idPrefix.count)
    }

    /// The bound just at `item` (its full id): the item is the first one not below it.
    public init(_ item: NegentropyItem) {
        self.init(timestamp: item.timestamp, paddedID: item.id, prefixLength: 32)
    }

    /// The id prefix as sent.
    public var idPrefix: [UInt8] { Array(paddedID.bytes.prefix(prefixLength)) }

    /// Whether this is the infinity bound's timestamp.
    public var isInfinity: Bool { timestamp == .max }

    /// The bound's place in the item order: items below it are in the range it ends.
    @inlinable
    public var position: NegentropyItem { NegentropyItem(timestamp: timestamp, id: paddedID) }

    /// The shortest bound separating two adjacent items `previous < current`: just the timestamp when
    /// they differ, otherwise the common id prefix plus one byte of `current`.
    static func minimal(between previous: NegentropyItem, and current: NegentropyItem) -> NegentropyBound {
        if previous.timestamp != current.timestamp {
            return NegentropyBound(timestamp: current.timestamp, paddedID: .zero, prefixLength: 0)
        }
        let p = previous.id.bytes, c = current.id.bytes
        var shared = 0
        while shared < 32 && p[shared] == c[shared] { shared += 1 }
        let length = min(shared + 1, 32)
        var padded = c
        for i in length..<32 { padded[i] = 0 }
        return NegentropyBound(timestamp: current.timestamp, paddedID: Bytes32(padded)!, prefixLength: length)
    }

    public var description: String {
        let time = isInfinity ? "infinity" : String(timestamp)
        return prefixLength == 0 ? time : "\(time)/\(VigilCrypto.hex(idPrefix))"
    }
}
