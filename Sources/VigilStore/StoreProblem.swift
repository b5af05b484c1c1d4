/// One damaged range found in a store directory by `EntryStore.check`, `repair` or `open`.
public struct StoreProblem: Sendable, Equatable, CustomStringConvertible {
    /// What kind of damage.
    public enum Kind: String, Sendable {
        /// Incomplete or bad bytes at the very end of the last segment and nothing intact after them:
        /// a write cut off by a crash. Never acknowledged, so `open` drops it by itself.
        case tornTail = "torn-tail"
        /// Bytes that are not an intact record (bad CRC, impossible length, garbage) with intact records
        /// after them, or anywhere in a segment that is not the last. `open` refuses; `repair` drops them.
        case damagedRecord = "damaged-record"
        /// A segment file's 16-byte header is damaged or names the wrong segment.
        case badSegmentHeader = "bad-segment-header"
        /// A record's framing and CRC are good but the id in its header is not SHA-256 of its payload.
        case idMismatch = "id-mismatch"
        /// A record's framing and CRC are good but its payload is not a valid entry.
        case undecodable
        /// A file or directory could not be read.
        case unreadable
    }

    /// What kind of damage.
    public let kind: Kind
    /// The file concerned (full path).
    public let file: String
    /// Where the damage starts, in bytes from the start of `file`.
    public let offset: Int64
    /// How many bytes are damaged (and would be dropped by `repair`).
    public let length: Int64
    /// What is wrong, in words.
    public let detail: String

    /// A problem.
    public init(kind: Kind, file: String, offset: Int64, length: Int64, detail: String) {
        self.kind = kind
        self.file = file
        self.offset = offset
        self.length = length
        self.detail = detail
    }

    public var description: String { "\(file) at byte \(offset) (\(length) bytes, \(kind.rawValue)): \(detail)" }
}
