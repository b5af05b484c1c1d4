import VigilModel

/// The side that answers (the server). It learns nothing itself; it answers each message.
///
/// Stateless between messages and pure: `reconcile(_:)` maps one incoming message to one reply.
public struct NegentropyResponder: Sendable {
    private let reconciler: NegentropyEngine

    /// A responder over `storage`. `frameSizeLimit` is 0 (no limit) or at least 4096 bytes: every
    /// reply is then at most that long. Throws `.invalidFrameSizeLimit` otherwise.
    public init(storage: NegentropyStorage, frameSizeLimit: Int = 0) throws {
        reconciler = try NegentropyEngine(storage: storage, frameSizeLimit: frameSizeLimit)
    }

    /// The storage reconciled.
    public var storage: NegentropyStorage { reconciler.storage }

    /// The reply to the initiator's `message`.
    ///
    /// A message in another protocol version (first byte `0x60`…`0x6F` but not `0x61`) is answered
    /// with the single byte `0x61`, the highest version supported, as the specification asks; the
    /// initiator may then retry in V1.
    ///
    /// - Throws: `NegentropyError` for a malformed message.
    public func reconcile(_ message: [UInt8]) throws -> [UInt8] {
        let decoded: NegentropyMessage
        do {
            decoded = try NegentropyMessage.decode(message)
        } catch let error as NegentropyError where error.code == .unsupportedProtocolVersion {
            return [NegentropyProtocol.version]
        }
        var have = [Bytes32](), need = [Bytes32]()
        return reconciler.answer(decoded, asInitiator: false, have: &have, need: &need)
    }
}
