import VigilModel

/// Negentropy V1 as the session's `SetReconciler`: one side of one round over a sealed snapshot.
public struct NegentropySetReconciler: SetReconciler {
    private var initiator: NegentropyInitiator?
    private let responder: NegentropyResponder?

    /// The frame size limit used for every Negentropy message (fits well inside one sync frame). Small,
    /// so that on a slow link one message already on its way holds an alert back by half a second at
    /// 256 kbit/s, not two (docs/sync-protocol.md, "Priority lanes"); a large difference on a fast link
    /// takes more round trips (each side limits only what it sends, so peers need not agree).
    public static let frameSizeLimit = 16_000

    /// A reconciler over `items` (HLC milliseconds, entry id) for one round.
    public init(items: some Sequence<NegentropyItem>, isInitiator: Bool) throws {
        let storage = try NegentropyStorage(items)
        if isInitiator {
            initiator = try NegentropyInitiator(storage: storage, frameSizeLimit: Self.frameSizeLimit)
            responder = nil
        } else {
            initiator = nil
            responder = try NegentropyResponder(storage: storage, frameSizeLimit: Self.frameSizeLimit)
        }
    }

    public mutating func initiate() throws -> [UInt8] {
        guard var i = initiator else { throw NegentropyError(.misuse, "a responder cannot initiate") }
        let first = try i.initiate()
        initiator = i
        return first
    }

    public mutating func handleResponse(_ message: [UInt8]) throws -> (next: [UInt8]?, have: [EntryID], need: [EntryID]) {
        guard var i = initiator else { throw NegentropyError(.misuse, "a responder does not handle responses") }
        let result = try i.reconcile(message)
        initiator = i
        return result
    }

    public mutating func respond(_ message: [UInt8]) throws -> [UInt8] {
        guard let responder else { throw NegentropyError(.misuse, "an initiator does not respond") }
        return try responder.reconcile(message)
    }
}
