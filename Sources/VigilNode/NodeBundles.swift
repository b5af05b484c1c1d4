import Dispatch
import Foundation
import VigilAPI
import VigilBundle
import VigilCrypto
import VigilModel
import VigilSync

/// Bundles on a running node: the same work as `OfflineNode`, with the node's own core, verifier and
/// store. `ingest` is the one new thing the node needs: take canonical entries as if a peer had sent
/// them and say per entry whether it is new, already held, or refused and why.
extension Node {
    /// Verifies `list` (canonical entry bytes) on every core and admits it exactly as a peer's batch
    /// (`NodeCore.verified`); new entries are appended durably, then admitted and pushed to peers like
    /// any received entry. Answers once they are durable.
    public func ingest(_ list: [[UInt8]]) async throws -> [BundleImportReport.Item] {
        let verifier = self.verifier
        let results = await withCheckedContinuation { (done: CheckedContinuation<[VerificationResult], Never>) in
            DispatchQueue.global().async { done.resume(returning: verifier.verify(list)) }
        }
        let decision = await onLoop { node -> (persist: [Entry], outcomes: [BundleImportReport.Item]) in
            let d = BundleAdmission.admit(results, core: &node.core, now: node.now())
            node.handle(d.other)
            return (d.persist, d.outcomes)
        }
        guard !decision.persist.isEmpty else { return decision.outcomes }
        let store = self.store
        let appended: Result<Void, Error> = await withCheckedContinuation { done in
            DispatchQueue.global().async { done.resume(returning: Result { _ = try store.append(decision.persist) }) }
        }
        let entries = decision.persist
        switch appended {
        case .success:
            await onLoop { node in node.handle(node.core.persisted(entries, origin: .peer(BundleAdmission.link), now: node.now())) }
            return decision.outcomes
        case .failure(let error):
            await onLoop { node in node.core.persistFailed(entries) }
            throw error
        }
    }

    /// `bundle-import`: opens the bundle at `path` with this node's roster and `encryption.key`, then
    /// `ingest`s its entries. A bundle refused as a whole is an `APIFailure` with the reason.
    public func importBundle(path: String) async throws(APIFailure) -> BundleImportReport {
        do {
            return try await importBundle(try BundleFileIO.read(path))
        } catch let refusal as BundleRefusal {
            throw APIFailure(.refused, "bundle refused (\(refusal.reason.rawValue)), nothing was stored: \(refusal.message)")
        } catch let failure as APIFailure {
            throw failure
        } catch {
            throw APIFailure(.invalid, "\(error)")
        }
    }

    /// Opens a bundle with this node's roster and `encryption.key`, then `ingest`s its entries.
    public func importBundle(_ bytes: [UInt8]) async throws -> BundleImportReport {
        let key = try EncryptionKeyFile.read(options.directory)
        let (roster, me) = await onLoop { ($0.core.roster, $0.core.me.node) }
        let opened = try BundleOpener.open(bytes, roster: roster, identity: me, key: key)
        let items = try await ingest(opened.entries)
        return BundleImportReport(exporter: opened.exporter.name, created: opened.header.created.description, items: items)
    }

    /// `bundle-export`: seals the entries the recipients may read and writes the file.
    public func exportBundle(_ r: BundleExportRequest) async throws(APIFailure) -> BundleExportAnswer {
        do {
            let (bytes, plan) = try await exportBundle(BundleSelection(to: r.to, roles: r.roles, sinceMilliseconds: r.sinceMs))
            try BundleFileIO.write(bytes, to: r.out)
            return BundleExportAnswer(out: r.out, entries: plan.entries.count, recipients: plan.recipients.map(\.member.name))
        } catch let failure as APIFailure {
            throw failure
        } catch {
            throw APIFailure(.invalid, "\(error)")
        }
    }

    /// Seals a bundle for `request` from the entries this node holds; returns it with its plan.
    public func exportBundle(_ request: BundleSelection) async throws -> (bytes: [UInt8], plan: BundleExportPlan) {
        let (roster, me, created) = await onLoop { node in
            (node.core.roster, node.core.me.node, node.core.nextTimestamp(wallMilliseconds: Node.wallMilliseconds()))
        }
        let ids = storedIDs()
        let heldIDs = await onLoop { node in ids.filter { node.core.holds($0) } }
        var held: [Entry] = []
        held.reserveCapacity(heldIDs.count)
        for id in heldIDs { if let entry = try store.read(id) { held.append(entry) } }
        let plan = try BundleExportPlan.make(request, held: held, roster: roster, me: me)
        let bytes = try BundleSealer.seal(entries: plan.entries.map(\.canonicalBytes), federation: roster.authority, exporter: identity,
                                          created: created, recipients: plan.recipients.map(\.key),
                                          randomness: .fresh(recipients: plan.recipients.count))
        return (bytes, plan)
    }

    /// `bundle-key`: publishes `encryption.key` in an `enckey` entry unless the newest one held names it already.
    public func announceEncryptionKey() async throws(APIFailure) -> EntryID? {
        do { return try await announce() } catch let failure as APIFailure { throw failure } catch { throw APIFailure(.invalid, "\(error)") }
    }

    private func announce() async throws -> EntryID? {
        let key = try EncryptionKeyFile.read(options.directory)
        let (roster, me) = await onLoop { ($0.core.roster, $0.core.me.node) }
        let timestamp = await onLoop { $0.core.nextTimestamp(wallMilliseconds: Node.wallMilliseconds()) }
        var held: [Entry] = []
        for id in storedIDs() {
            if let entry = try store.read(id), entry.kind == .encryptionKey { held.append(entry) }
        }
        guard let entry = try EncryptionKeyAnnouncement.entryIfNeeded(for: key, held: held, roster: roster, signer: identity,
                                                                      me: me, timestamp: timestamp) else { return nil }
        return try await post(entry)
    }
}
