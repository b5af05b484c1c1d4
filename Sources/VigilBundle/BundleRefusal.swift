import VigilModel

/// Why a bundle as a whole was refused. When a bundle is refused, nothing of it is stored.
public struct BundleRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kinds of refusal, for tools and metrics.
    public enum Reason: String, Sendable {
        /// Not a bundle, an unknown version, truncated, or malformed (the message names field and offset).
        case malformed
        /// Made for another federation.
        case foreign
        /// The exporter is not a member whose key was valid when it made the bundle.
        case unknownExporter = "unknown-exporter"
        /// The exporter's signature does not match: the file was changed after it was made.
        case tampered
        /// This node is not among the recipients.
        case notAddressed = "not-addressed"
        /// Addressed to this node, but to another encryption key than the one it has now.
        case wrongKey = "wrong-key"
    }

    /// The kind.
    public let reason: Reason
    /// What was wrong and what to do.
    public let message: String

    /// A refusal.
    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { message }
}
