import Synchronization
import VigilCrypto

/// Public keys of authors, built once per author and shared between threads, so that verifying many
/// entries by the same author reuses OpenSSL's key object and its verification contexts.
public final class AuthorKeyCache: Sendable {
    private let keys = Mutex<[NodeID: PublicKey]>([:])
    /// Most keys kept; past that the cache starts over (a federation has far fewer members).
    public let capacity: Int

    /// A cache of at most `capacity` keys.
    public init(capacity: Int = 10_000) { self.capacity = capacity }

    /// The key of `author`, or nil when the bytes are not a valid Ed25519 key.
    public func key(for author: NodeID) -> PublicKey? {
        if let known = keys.withLock({ $0[author] }) { return known }
        guard let key = try? author.publicKey() else { return nil }
        keys.withLock {
            if $0.count >= capacity { $0.removeAll(keepingCapacity: true) }
            $0[author] = key
        }
        return key
    }
}

extension EntryValidator {
    /// Decodes `bytes` and checks the signature, taking the author's key from `keys`.
    public static func decodeAndValidate(_ bytes: [UInt8], keys: AuthorKeyCache) throws(Refusal) -> Entry {
        let entry: Entry
        do {
            entry = try Entry(canonicalBytes: bytes)
        } catch {
            throw Refusal(.malformed, "not a valid entry: \(error)")
        }
        guard let key = keys.key(for: entry.author) else {
            throw Refusal(.badAuthorKey, "author \(entry.author.fingerprint) is not a valid Ed25519 public key")
        }
        try validateSignature(entry, authorKey: key)
        return entry
    }
}
