/// Why Negentropy refused a message, an item set or a call: what is wrong, and where.
///
/// `code` is a stable category to switch on; `message` says what was wrong and, for a message, at
/// which byte offset (`offset`). A struct over a private enum so that categories can be added without
/// breaking callers.
public struct NegentropyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable category of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case truncated
            case nonMinimalVarint = "non-minimal-varint"
            case varintOverflow = "varint-overflow"
            case invalidProtocolVersion = "invalid-protocol-version"
            case unsupportedProtocolVersion = "unsupported-protocol-version"
            case timestampOverflow = "timestamp-overflow"
            case idPrefixTooLong = "id-prefix-too-long"
            case boundsOutOfOrder = "bounds-out-of-order"
            case unknownMode = "unknown-mode"
            case idListTooLong = "id-list-too-long"
            case duplicateListedID = "duplicate-listed-id"
            case reservedTimestamp = "reserved-timestamp"
            case duplicateItem = "duplicate-item"
            case invalidFrameSizeLimit = "invalid-frame-size-limit"
            case misuse
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The message ends in the middle of a field (an empty message included).
        public static let truncated = Code(.truncated)
        /// A varint has a leading zero digit (`0x80`): not the shortest form the protocol requires.
        public static let nonMinimalVarint = Code(.nonMinimalVarint)
        /// A varint's value does not fit in 64 bits.
        public static let varintOverflow = Code(.varintOverflow)
        /// The first byte is not a protocol version byte (`0x60`…`0x6F`).
        public static let invalidProtocolVersion = Code(.invalidProtocolVersion)
        /// The first byte names a protocol version other than V1 (`0x61`). A responder answers such a
        /// message with `0x61` instead of throwing; an initiator throws.
        public static let unsupportedProtocolVersion = Code(.unsupportedProtocolVersion)
        /// A bound's timestamp delta carries it past the largest finite timestamp (2^64 − 2).
        public static let timestampOverflow = Code(.timestampOverflow)
        /// A bound's id prefix is longer than 32 bytes.
        public static let idPrefixTooLong = Code(.idPrefixTooLong)
        /// A range's upper bound is below the previous one: ranges must ascend.
        public static let boundsOutOfOrder = Code(.boundsOutOfOrder)
        /// A range's mode is not Skip (0), Fingerprint (1) or IdList (2).
        public static let unknownMode = Code(.unknownMode)
        /// An IdList claims more ids than the bytes left in the message can hold.
        public static let idListTooLong = Code(.idListTooLong)
        /// An IdList names the same id twice.
        public static let duplicateListedID = Code(.duplicateListedID)
        /// An item uses the timestamp 2^64 − 1, which the protocol reserves for "infinity".
        public static let reservedTimestamp = Code(.reservedTimestamp)
        /// The same (timestamp, id) item was given twice to a storage.
        public static let duplicateItem = Code(.duplicateItem)
        /// A frame size limit other than 0 (none) or at least 4096.
        public static let invalidFrameSizeLimit = Code(.invalidFrameSizeLimit)
        /// A call out of order, e.g. `reconcile` before `initiate`, or `initiate` twice.
        public static let misuse = Code(.misuse)

        /// The category's name, e.g. `bounds-out-of-order`.
        public var description: String { value.rawValue }
    }

    /// The category.
    public let code: Code
    /// What is wrong, with the byte offset for message errors.
    public let message: String
    /// The byte offset in the message where the faulty field starts, for message errors.
    public let offset: Int?

    /// An error; `message` should say what is wrong and where.
    public init(_ code: Code, _ message: String, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String { message }
}
