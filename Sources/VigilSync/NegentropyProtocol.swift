/// Protocol constants.
public enum NegentropyProtocol {
    /// The version byte of Negentropy protocol V1, first in every message.
    public static let version: UInt8 = 0x61
    /// The smallest frame size limit the protocol allows (other than 0, no limit).
    public static let minimumFrameSizeLimit = 4096
    /// How many bytes below the frame size limit a message stops adding ranges (the reference's margin).
    static let frameSizeMargin = 200
    /// How many sub-ranges a mismatched range is split into.
    static let buckets = 16
}

/// A range's mode: what its payload is.
public enum NegentropyMode: UInt64, Sendable {
    /// No payload: the sender does not want this range processed further.
    case skip = 0
    /// A 16-byte fingerprint of the sender's ids in the range.
    case fingerprint = 1
    /// A varint count and that many 32-byte ids: all the sender's ids in the range.
    case idList = 2
}
