import VigilModel

/// A request the node did not carry out: the answer line `{"ok": false, "code": …, "error": …}`. The
/// CLI maps `code` to its exit code and the desk shows `refusal.field` next to the form field; neither
/// reads the sentence.
public struct APIFailure: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure.
    public enum Code: String, Codable, Sendable {
        /// The line is not a request: not JSON, no `op`, an unknown op, a missing or mistyped field, too long.
        case badRequest = "bad-request"
        /// A value is well-formed but not acceptable (an unknown member name, a TLP label without its recipients…).
        case invalid
        /// The entry or test asked for is not held by this node.
        case notFound = "not-found"
        /// The federation rules refused the entry; `refusal` says why.
        case refused
        /// The node could not do it now (the store failed, the node is stopping).
        case unavailable
        /// Said by the client, never by a node: no node answers on the socket (not running, wrong directory).
        case noNode = "no-node"
    }

    /// The kind of failure.
    public let code: Code
    /// What was wrong and what to do.
    public let error: String
    /// For `refused`: the typed refusal (code, field path, sentence); a malformed roster change carries
    /// one too, for the field at fault.
    public let refusal: Refusal?

    /// A failure.
    public init(_ code: Code, _ error: String, refusal: Refusal? = nil) {
        self.code = code
        self.error = error
        self.refusal = refusal
    }

    /// The federation rules refused an entry.
    public init(_ refusal: Refusal) {
        self.init(.refused, refusal.message, refusal: refusal)
    }

    public var description: String { error }
}
