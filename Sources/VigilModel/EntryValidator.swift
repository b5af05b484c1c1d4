import VigilCrypto

/// Decides whether an entry is valid. A pure function of the entry (the roster comes with the
/// federation semantics): never of the receiver's clock or of arrival order, so every node decides alike.
public enum EntryValidator {
    /// Decodes `bytes` and checks the entry's signature. Returns the entry when it is valid.
    public static func decodeAndValidate(_ bytes: [UInt8]) throws(Refusal) -> Entry {
        let entry: Entry
        do {
            entry = try Entry(canonicalBytes: bytes)
        } catch {
            throw Refusal(.malformed, "not a valid entry: \(error)")
        }
        try validateSignature(entry)
        return entry
    }

    /// Checks that the signature verifies under the author's key.
    public static func validateSignature(_ entry: Entry, authorKey: PublicKey? = nil) throws(Refusal) {
        let key: PublicKey
        if let authorKey {
            key = authorKey
        } else {
            do {
                key = try entry.author.publicKey()
            } catch {
                throw Refusal(.badAuthorKey, "author \(entry.author.fingerprint) is not a valid Ed25519 public key: \(error)")
            }
        }
        guard key.isValidSignature(entry.signature, for: entry.signedBytes, in: .entry) else {
            throw Refusal(.badSignature, "the signature does not verify under the author's key \(entry.author.fingerprint): the entry was altered or not signed by its author")
        }
    }
}
