import VigilCrypto

/// Why an entry is not valid.
public struct EntryValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A stable category.
    public enum Code: String, Sendable {
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
        /// The author's role may not write this kind, or may not update that entry.
        case role
        /// The body (or audience) is not valid for the kind.
        case invalidBody = "invalid-body"
    }

    /// The category.
    public let code: Code
    /// What is wrong, for people.
    public let message: String

    /// A validation error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

/// Decides whether an entry is valid. A pure function of the entry (the roster comes with the
/// federation semantics): never of the receiver's clock or of arrival order, so every node decides alike.
public enum EntryValidator {
    /// Decodes `bytes` and checks the entry's signature. Returns the entry when it is valid.
    public static func decodeAndValidate(_ bytes: [UInt8]) throws(EntryValidationError) -> Entry {
        let entry: Entry
        do {
            entry = try Entry(canonicalBytes: bytes)
        } catch {
            throw EntryValidationError(.malformed, "not a valid entry: \(error)")
        }
        try validateSignature(entry)
        return entry
    }

    /// Checks that the signature verifies under the author's key.
    public static func validateSignature(_ entry: Entry, authorKey: PublicKey? = nil) throws(EntryValidationError) {
        let key: PublicKey
        if let authorKey {
            key = authorKey
        } else {
            do {
                key = try entry.author.publicKey()
            } catch {
                throw EntryValidationError(.badAuthorKey, "author \(entry.author.fingerprint) is not a valid Ed25519 public key: \(error)")
            }
        }
        guard key.isValidSignature(entry.signature, for: entry.signedBytes, in: .entry) else {
            throw EntryValidationError(.badSignature, "the signature does not verify under the author's key \(entry.author.fingerprint): the entry was altered or not signed by its author")
        }
    }
}
