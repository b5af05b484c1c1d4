import VigilModel

/// One request of the local API (docs/local-api.md): a `Codable` value whose fields are the request line's
/// members besides `"op"`, and the type of its answer. The CLI, the local API server and the desk share
/// these types, so a request and its answer have one definition on both sides of `node.sock`.
public protocol APIOperation: Codable, Sendable {
    /// What a successful request answers (the members of the answer line besides `"ok": true`).
    associatedtype Answer: Codable, Sendable
    /// The `"op"` name on the wire.
    static var op: String { get }
}

/// An answer that carries nothing but `"ok": true` (none today; kept for operations without a result).
public struct EmptyAnswer: Codable, Sendable, Equatable {
    /// An empty answer.
    public init() {}
}

/// The answer to a write: the id of the new entry, once it is durable (fsynced).
public struct PostedAnswer: Codable, Sendable, Equatable {
    /// The entry's id.
    public let id: EntryID
    /// The answer for `id`.
    public init(id: EntryID) { self.id = id }
}
