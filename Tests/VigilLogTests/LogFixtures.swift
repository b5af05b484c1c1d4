import VigilCrypto
import VigilModel
@testable import VigilLog

/// Authors with deterministic keys, and helpers to write entries.
struct Authors {
    let keys: [SigningKey]

    init(count: Int, seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        keys = (0..<count).map { _ in
            let seed = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
            return try! SigningKey(seed: SecureBytes(seed))
        }
    }

    func id(_ i: Int) -> NodeID { NodeID(keys[i].publicKey) }

    func entry(_ author: Int, _ ms: UInt64, _ kind: EntryKind, refs: [EntryID] = [], body: [UInt8], counter: UInt32 = 0) -> Entry {
        try! EntryDraft(author: id(author), timestamp: HybridTimestamp(milliseconds: ms, counter: counter), kind: kind,
                        audience: .federation, refs: refs, body: body).signed(by: keys[author])
    }

    func report(_ author: Int, _ ms: UInt64, _ fields: FieldMap) -> Entry {
        entry(author, ms, .situationReport, body: try! fields.encoded())
    }

    func amend(_ author: Int, _ ms: UInt64, _ target: EntryID, _ fields: FieldMap, counter: UInt32 = 0) -> Entry {
        entry(author, ms, .update, refs: [target], body: try! UpdateBody.amend(fields).encoded(), counter: counter)
    }

    func retract(_ author: Int, _ ms: UInt64, _ target: EntryID, _ reason: String) -> Entry {
        entry(author, ms, .update, refs: [target], body: try! UpdateBody.retract(reason: reason).encoded())
    }

    func ack(_ author: Int, _ ms: UInt64, _ target: EntryID, _ by: AcknowledgementBody) -> Entry {
        entry(author, ms, .acknowledgement, refs: [target], body: by.encoded())
    }
}

/// Everything a replica shows, for comparing replicas.
struct Snapshot: Equatable {
    let order: [EntryID]
    let documents: [DocumentView]
    let pending: [EntryID: PendingReason]

    init(_ log: SharedLog, _ source: MemoryEntrySource) {
        order = log.displayOrder()
        documents = log.displayOrder(kinds: [.situationReport]).compactMap { log.document($0, from: source) }
        pending = log.pending
    }
}
