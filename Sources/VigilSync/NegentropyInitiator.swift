import VigilModel

/// The side that starts a reconciliation (the client) and learns the difference.
///
/// A pure state machine: it never does I/O. Call `initiate()` once and send its bytes; feed each reply
/// to `reconcile(_:)`, which returns the ids learnt from that reply and the next message to send, or
/// nil when the sets are reconciled.
///
/// ```swift
/// var initiator = try NegentropyInitiator(storage: mine, frameSizeLimit: 0)
/// var message = try initiator.initiate()
/// while true {
///     let reply = try send(message)               // the transport is the caller's
///     let round = try initiator.reconcile(reply)
///     have += round.have; need += round.need
///     guard let next = round.next else { break }
///     message = next
/// }
/// ```
public struct NegentropyInitiator: Sendable {
    private let reconciler: NegentropyEngine
    private var initiated = false

    /// An initiator over `storage`. `frameSizeLimit` is 0 (no limit) or at least 4096 bytes: every
    /// message sent is then at most that long. Throws `.invalidFrameSizeLimit` otherwise.
    public init(storage: NegentropyStorage, frameSizeLimit: Int = 0) throws {
        reconciler = try NegentropyEngine(storage: storage, frameSizeLimit: frameSizeLimit)
    }

    /// The storage reconciled.
    public var storage: NegentropyStorage { reconciler.storage }

    /// The first message. Throws `.misuse` when called twice.
    public mutating func initiate() throws -> [UInt8] {
        guard !initiated else {
            throw NegentropyError(.misuse, "initiate() was already called; one initiator runs one reconciliation")
        }
        initiated = true
        return reconciler.initialMessage()
    }

    /// Processes the responder's `message`.
    ///
    /// - Returns: `next`, the message to send, or nil when reconciliation is complete; `have`, ids this
    ///   side has and the responder lacks; `need`, ids the responder has and this side lacks (both as
    ///   learnt from this message; accumulate them over the rounds).
    /// - Throws: `NegentropyError` for a malformed message (nothing is learnt from it), for a reply in
    ///   another protocol version (`.unsupportedProtocolVersion`), or `.misuse` before `initiate()`.
    public mutating func reconcile(_ message: [UInt8]) throws -> (next: [UInt8]?, have: [Bytes32], need: [Bytes32]) {
        guard initiated else {
            throw NegentropyError(.misuse, "reconcile(_:) was called before initiate(); the initiator must send the first message")
        }
        let decoded = try NegentropyMessage.decode(message)
        var have = [Bytes32](), need = [Bytes32]()
        let output = reconciler.answer(decoded, asInitiator: true, have: &have, need: &need)
        // Only the version byte: nothing left to ask, the sets are reconciled.
        return (output.count == 1 ? nil : output, have, need)
    }
}
