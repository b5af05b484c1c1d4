import Foundation
import VigilAPI
import VigilBundle
import VigilCrypto
import VigilModel
import VigilStore
import VigilSync

/// A node directory opened without running the node: the store (locked, so only while the node is
/// stopped), the genesis, the keys, and a `NodeCore` loaded exactly as `Node.init` loads it. Bundle
/// export and import use it when the node is stopped; the running node does the same work itself.
public final class OfflineNode {
    /// The node directory.
    public let directory: String
    /// The genesis.
    public let genesis: Genesis
    /// The node's signing key.
    public let identity: SigningKey
    /// The store (locked until `close`).
    public let store: EntryStore
    /// The core, loaded with every stored entry.
    public private(set) var core: NodeCore
    /// The entries held (stored and still accepted by the roster), in storage order.
    public private(set) var held: [Entry]
    private let clock: () -> UInt64

    /// Opens `directory`. Fails when the node is running (the store is locked), or when this node is not
    /// a member of the roster its entries give.
    public init(directory: String, wallClock: @escaping () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }) throws {
        self.directory = directory
        genesis = try Genesis(contentsOfFile: directory + "/genesis.json")
        identity = try KeyFile.read(from: directory + "/identity.key")
        let key = NodeID(identity.publicKey)
        store = try EntryStore.open(directory: directory + "/store")
        var loaded: [Entry] = []
        loaded.reserveCapacity(store.count)
        do {
            for item in store.items() { if let entry = try store.read(item.id) { loaded.append(entry) } }
        } catch {
            store.close()
            throw error
        }
        var roster = genesis.roster
        roster.insertAll(loaded)
        guard let me = roster.member(ofKey: key), roster.sessionRefusal(key) == nil else {
            store.close()
            throw ConfigurationError("this node (\(key.fingerprint)) is not an active member of \(genesis.federation) according to the entries it holds; bundles need a member")
        }
        var core = NodeCore(me: me.profile, roster: roster, reader: StoreReader(store: store))
        core.wallClockAtZero = wallClock()
        core.load(loaded)
        held = loaded.filter { core.holds($0.id) }
        self.core = core
        clock = wallClock
    }

    /// Releases the store.
    public func close() { store.close() }

    /// This node as a member.
    public var me: MemberProfile { core.me }

    /// The node's bundle encryption key (`encryption.key`).
    public func encryptionKey() throws -> AgreementKey { try EncryptionKeyFile.read(directory) }

    /// A sealed bundle for `request`, with the plan it followed.
    public func exportBundle(_ request: BundleSelection) throws -> (bytes: [UInt8], plan: BundleExportPlan) {
        let plan = try BundleExportPlan.make(request, held: held, roster: core.roster, me: core.me.node)
        let created = core.nextTimestamp(wallMilliseconds: clock())
        let bytes = try BundleSealer.seal(entries: plan.entries.map(\.canonicalBytes), federation: core.roster.authority,
                                          exporter: identity, created: created, recipients: plan.recipients.map(\.key),
                                          randomness: .fresh(recipients: plan.recipients.count))
        return (bytes, plan)
    }

    /// Opens and imports a bundle: every entry verified (in parallel) and admitted as from a peer,
    /// the new ones appended durably. A refused bundle stores nothing.
    public func importBundle(_ bytes: [UInt8], verifier: EntryVerifier = EntryVerifier()) throws -> BundleImportReport {
        let opened = try BundleOpener.open(bytes, roster: core.roster, identity: core.me.node, key: encryptionKey())
        let items = try ingest(opened.entries, verifier: verifier)
        return BundleImportReport(exporter: opened.exporter.name, created: opened.header.created.description, items: items)
    }

    /// Takes canonical entries exactly as if a peer had sent them (`BundleAdmission`): verified,
    /// admitted by the core's rules, new ones appended durably. The outcome per entry, in order.
    public func ingest(_ list: [[UInt8]], verifier: EntryVerifier = EntryVerifier()) throws -> [BundleImportReport.Item] {
        let decision = BundleAdmission.verifyAndAdmit(list, verifier: verifier, core: &core, now: 0)
        if !decision.persist.isEmpty {
            do {
                _ = try store.append(decision.persist)
            } catch {
                core.persistFailed(decision.persist)
                throw error
            }
            _ = core.persisted(decision.persist, origin: .peer(BundleAdmission.link), now: 0)
            held += decision.persist
        }
        return decision.outcomes
    }

    /// Publishes this node's encryption key: an `enckey` entry signed by this node, admitted by the core
    /// like a local post and stored. Returns nil when the newest announcement held already names it.
    public func announceEncryptionKey(_ key: AgreementKey) throws -> Entry? {
        guard let entry = try EncryptionKeyAnnouncement.entryIfNeeded(for: key, held: held, roster: core.roster,
                                                                      signer: identity, me: core.me.node,
                                                                      timestamp: core.nextTimestamp(wallMilliseconds: clock())) else { return nil }
        for directive in core.post(entry, token: 0) {
            if case .refusedEntry(_, _, let reason) = directive { throw ConfigurationError("the enckey entry was refused: \(reason)") }
        }
        _ = try store.append(entry)
        _ = core.persisted([entry], origin: .local(token: 0), now: 0)
        held.append(entry)
        return entry
    }
}

/// Making the `enckey` entry that publishes a node's encryption key.
public enum EncryptionKeyAnnouncement {
    /// A signed TLP:GREEN `enckey` entry for `key`, or nil when the newest one `held` for `me` names it already.
    public static func entryIfNeeded(for key: AgreementKey, held: [Entry], roster: Roster, signer: SigningKey, me: NodeID,
                                     timestamp: HybridTimestamp) throws -> Entry? {
        let publicKey = Bytes32(key.publicKey)!
        if EncryptionKeyDirectory(entries: held, roster: roster).keys[me]?.publicKey == publicKey { return nil }
        let draft = EntryDraft(author: NodeID(signer.publicKey), timestamp: timestamp, kind: .encryptionKey,
                               audience: Audience(tlp: .green), refs: [], body: EncryptionKeyBody(publicKey: publicKey).encoded())
        return try draft.signed(by: signer)
    }
}
