import VigilCrypto
import VigilModel

/// A bundle that passed every check of the file itself; its entries still have to be verified one by
/// one, exactly as if a peer had sent them.
public struct OpenedBundle: Sendable {
    /// The header (exporter, time, recipients).
    public let header: BundleHeader
    /// The exporting member.
    public let exporter: RosterMember
    /// The entries' canonical bytes, as the exporter put them.
    public let entries: [[UInt8]]
}

/// Opens a bundle for one node: structure, federation, exporter, signature, address, decryption —
/// in that order, each failure a `BundleRefusal` with its reason. Pure apart from the cryptography.
public enum BundleOpener {
    /// Opens `bytes` for the member `identity` holding `key`, in the federation whose authority is
    /// `roster.authority`.
    public static func open(_ bytes: [UInt8], roster: Roster, identity: NodeID, key: AgreementKey) throws(BundleRefusal) -> OpenedBundle {
        let file: BundleFile
        do { file = try BundleFile(bytes: bytes) } catch {
            throw BundleRefusal(.malformed, "not a valid bundle: \(error)")
        }
        let header = file.header
        guard header.federation == roster.authority else {
            throw BundleRefusal(.foreign, "the bundle is for another federation (authority \(header.federation.fingerprint), ours is \(roster.authority.fingerprint)); it cannot be imported here")
        }
        let exporter: RosterMember
        switch roster.standing(of: header.exporter, at: header.created) {
        case .valid(let member): exporter = member
        case .unknown:
            throw BundleRefusal(.unknownExporter, "the bundle was exported by \(header.exporter.fingerprint), which is not a member of this federation (yet); if it was added recently, let the roster entry reach this node first")
        case let .retired(member, since, because):
            throw BundleRefusal(.unknownExporter, "the bundle was made by \(member.name) at \(header.created) with a key that was \(because) at \(since)")
        case let .notYetValid(member, from):
            throw BundleRefusal(.unknownExporter, "the bundle was made by \(member.name) at \(header.created) with a key valid only from \(from)")
        }
        let signatureValid: Bool
        do {
            signatureValid = try header.exporter.publicKey().isValidSignature(file.signature, for: file.signedBytes, in: .bundle)
        } catch {
            signatureValid = false
        }
        guard signatureValid else {
            throw BundleRefusal(.tampered, "the exporter's signature does not match: the file was changed after \(exporter.name) made it (or damaged in transit); ask for a fresh copy")
        }
        guard let slot = header.recipients.first(where: { $0.identity == identity }) else {
            let names = header.recipients.map { roster.members[$0.identity]?.name ?? $0.identity.fingerprint }
            throw BundleRefusal(.notAddressed, "the bundle is addressed to \(names.joined(separator: ", ")), not to this node; give it to one of them")
        }
        guard let ownKey = Bytes32(key.publicKey), slot.encryptionKey == ownKey else {
            throw BundleRefusal(.wrongKey, "the bundle is sealed to encryption key \(slot.encryptionKey.fingerprint) of this node, but its encryption.key is \(Bytes32(key.publicKey)?.fingerprint ?? "?"); the exporter did not yet hold this node's newest enckey entry — ask for a new export")
        }
        let payload: [UInt8]
        do {
            let wrapKey = try BundleKeyWrap.key(ephemeral: key, peer: slot.ephemeralKey, ephemeralKey: slot.ephemeralKey,
                                                recipientKey: slot.encryptionKey, federation: header.federation,
                                                exporter: header.exporter, identity: identity)
            let contentKey = SecureBytes(try ChaChaPoly.open(Array(slot.wrappedKey.prefix(32)), tag: Array(slot.wrappedKey.suffix(16)),
                                                             key: wrapKey, nonce: BundleKeyWrap.nonce, aad: []))
            payload = try ChaChaPoly.open(Array(file.ciphertext), tag: Array(file.tag), key: contentKey,
                                          nonce: BundleKeyWrap.nonce, aad: Array(file.headerBytes))
        } catch {
            throw BundleRefusal(.tampered, "the bundle cannot be decrypted (\(error)): it was sealed wrongly by \(exporter.name); ask for a new export")
        }
        do {
            return OpenedBundle(header: header, exporter: exporter, entries: try BundlePayload.decode(payload))
        } catch {
            throw BundleRefusal(.malformed, "the bundle's contents are malformed (\(error)), although correctly signed by \(exporter.name); ask for a new export")
        }
    }
}
