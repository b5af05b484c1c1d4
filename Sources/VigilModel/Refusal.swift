/// Why an entry was refused — by the validator, the federation rules, the audience rule or the node's
/// own checks. One typed value from the core to every place that reports it: the log, the metrics'
/// categories, the simulator's checks, the local API's errors, the CLI's exit code and the desk's form
/// (which shows `reason` next to `field`). Nothing downstream inspects the sentence.
public struct Refusal: Error, Equatable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// A stable category. Its raw value is the metrics label and the local API's `code`.
    public enum Code: String, Sendable, Codable, CaseIterable, Comparable {
        /// The bytes are not a canonical entry.
        case malformed
        /// The signature does not verify under the author's key.
        case badSignature = "bad-signature"
        /// The author field is not a usable Ed25519 key.
        case badAuthorKey = "bad-author-key"
        /// The signing key is not the author's.
        case wrongAuthor = "wrong-author"
        /// The author is not (yet) a federation member.
        case notMember = "not-member"
        /// The author's key was revoked or rotated away when it signed.
        case revoked
        /// The author's role may not write this kind.
        case role
        /// The author may not amend or retract that entry (only its author or the authority may).
        case notAuthorised = "not-authorised"
        /// The body (or the audience's roles) is not valid for the kind; `field` says where.
        case invalidBody = "invalid-body"
        /// A roster entry the roster does not accept (not the authority's, conflicting, unknown member).
        case roster
        /// The entry's audience does not include this node (a peer must not have sent it).
        case audience
        /// A local post signed by another node: a node posts only entries it authored.
        case notOwnEntry = "not-own-entry"

        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    /// The category.
    public let code: Code
    /// The dotted path of the offending body field (`areas[0].polygons[1]`), when one field is at fault.
    public let field: String?
    /// What is wrong and what to do, for people. Includes the field path when there is one.
    public let message: String

    /// A refusal of `code` with a sentence, and the field at fault when there is one.
    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    /// A body that its kind's schema refuses: the field path and the reason, prefixed with `context`
    /// (e.g. "sitrep body").
    public init(_ error: KindValidationError, context: String) {
        self.init(.invalidBody, "\(context): \(error)", field: error.field)
    }

    public var description: String { message }
}
