import VigilCrypto
import VigilModel
import VigilSync

/// One connection's protocol above TCP: the TLS engine, the peer's identity, framing, the frames
/// waiting to be encrypted and the ciphertext waiting for the socket. No sockets and no clock: the
/// loop feeds it the bytes it reads, acts on the events it returns and writes `outbound`.
///
/// Not thread-safe: owned by the loop thread, like the `TLSConnection` inside it.
final class Channel {
    /// Where the session is.
    enum State: Equatable {
        /// TLS handshake in progress.
        case handshaking
        /// Handshake complete and the peer's certificate verified; the loop decides whether to admit
        /// the peer. Application data that already arrived waits in the engine.
        case awaitingAdmission
        /// Frames flow.
        case established
        /// Finished (failed, refused, closed by either side). Only the close_notify or alert already
        /// in `outbound` still goes out.
        case closed
    }

    /// What the loop must act on after feeding bytes.
    enum Event {
        /// The handshake finished and the peer proved it holds this key (its certificate chains to the
        /// federation CA). Call `admit()` or `refuse()`.
        case handshakeCompleted(peerKey: PublicKey, peerName: String?)
        /// Whole frames, in order.
        case frames([Frame])
        /// The session is over for this reason; `outbound` holds whatever alert should still go out.
        case failed(CloseReason)
        /// The peer sent close_notify; our close_notify is in `outbound`.
        case peerClosed
    }

    /// Plaintext is handed to the engine in chunks of about this size (one TLS record's worth, at most):
    /// small frames share a chunk, a larger one goes alone. `NetworkConfiguration.encryptChunk`.
    let encryptChunk: Int
    /// The most bytes given to the engine in one call, either way. OpenSSL's memory buffers keep the
    /// largest size they ever held, so feeding a 256 KiB frame in one call would cost every
    /// connection that ever carried one a 256 KiB buffer for its lifetime.
    static let engineSlice = 17 * 1024

    private(set) var state: State = .handshaking
    private let tls: TLSConnection
    private var decoder: FrameDecoder
    private var pending: [[UInt8]] = []
    private var pendingHead = 0
    /// Encoded frame bytes queued and not yet handed to the engine.
    private(set) var pendingBytes = 0
    /// Ciphertext for the socket.
    var outbound = ByteQueue()

    /// A session for `context` that refuses frames longer than `maxFrameLength`.
    init(context: TLSContext, isClient: Bool, maxFrameLength: Int, encryptChunk: Int = 16 * 1024) throws {
        self.encryptChunk = encryptChunk
        tls = try TLSConnection(context: context, isClient: isClient)
        decoder = FrameDecoder(maxLength: maxFrameLength)
    }

    /// Starts the handshake: a client's ClientHello lands in `outbound`.
    func start() -> [Event] {
        guard tls.isClient else { return [] }
        return advanceHandshake()
    }

    /// Feeds bytes read from the socket, a record's worth at a time so the engine's buffers stay small.
    func receive(_ bytes: UnsafeRawBufferPointer) -> [Event] {
        var events: [Event] = []
        var offset = 0
        while offset < bytes.count && state != .closed {
            let end = min(offset + Self.engineSlice, bytes.count)
            tls.receive(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
            offset = end
            switch state {
            case .handshaking: events += advanceHandshake()
            case .awaitingAdmission, .closed: break   // kept in the engine until `admit()`
            case .established: events += readApplicationData()
            }
        }
        return events
    }

    /// Admits the peer after `handshakeCompleted`: frames may flow, starting with any that arrived
    /// together with the end of the handshake.
    func admit() -> [Event] {
        guard state == .awaitingAdmission else { return [] }
        state = .established
        return readApplicationData()
    }

    /// Queues one encoded frame for encryption.
    func enqueue(_ encodedFrame: [UInt8]) {
        guard state != .closed else { return }
        pending.append(encodedFrame)
        pendingBytes += encodedFrame.count
    }

    /// Encrypts queued frames while `outbound` holds fewer than `outboundLimit` bytes. Returns the
    /// number of queued bytes handed to the engine, or the failure that ends the session.
    func encryptPending(outboundLimit: Int) -> Result<Int, ChannelFailure> {
        guard state == .established else { return .success(0) }
        var released = 0
        while pendingHead < pending.count && outbound.count < outboundLimit {
            // Small frames share a record; a large one goes alone.
            var chunk = pending[pendingHead]
            pending[pendingHead] = []
            pendingHead += 1
            while pendingHead < pending.count && chunk.count + pending[pendingHead].count <= encryptChunk {
                chunk.append(contentsOf: pending[pendingHead])
                pending[pendingHead] = []
                pendingHead += 1
            }
            released += chunk.count
            do {
                var offset = 0
                while offset < chunk.count {
                    let end = min(offset + Self.engineSlice, chunk.count)
                    try tls.send(chunk[offset..<end])
                    drainEngine()
                    offset = end
                }
            } catch {
                drainEngine()
                state = .closed
                pendingBytes -= released
                return .failure(ChannelFailure(reason: Self.reason(error).prefixed("cannot encrypt for the peer: ")))
            }
            drainEngine()
        }
        if pendingHead == pending.count {
            pending.removeAll(keepingCapacity: pending.count <= 64)
            pendingHead = 0
        } else if pendingHead >= 1024 && pendingHead * 2 >= pending.count {
            pending.removeFirst(pendingHead)
            pendingHead = 0
        }
        pendingBytes -= released
        return .success(released)
    }

    /// Ends the session from this side: with `flush`, queued frames are encrypted first (so a
    /// goodbye sent just before reaches the peer); then close_notify. Idempotent.
    func close(flush: Bool) {
        if flush && state == .established {
            _ = encryptPending(outboundLimit: .max)
        }
        if state != .closed {
            tls.close()   // during the handshake OpenSSL sends nothing, which is right
            drainEngine()
        }
        state = .closed
        dropPending()
    }

    /// Marks the session over without sending anything more (the TCP stream is gone).
    func abandon() {
        state = .closed
        dropPending()
    }

    private func dropPending() {
        pending = []
        pendingHead = 0
        pendingBytes = 0
    }

    private func advanceHandshake() -> [Event] {
        do {
            let done = try tls.advanceHandshake()
            drainEngine()
            guard done else { return [] }
            let key: PublicKey
            do {
                key = try tls.peerPublicKey()
            } catch {
                return fail(CloseReason(.certificateRefused, "the peer's certificate does not hold an Ed25519 node key: \(Self.reason(error))"))
            }
            state = .awaitingAdmission
            return [.handshakeCompleted(peerKey: key, peerName: tls.peerCommonName)]
        } catch {
            drainEngine()   // the alert tells the peer why
            state = .closed
            return [.failed(Self.reason(error))]
        }
    }

    private func readApplicationData() -> [Event] {
        let plaintext: [UInt8]
        do {
            plaintext = try tls.readAvailable()
            drainEngine()
        } catch {
            drainEngine()
            state = .closed
            return [.failed(Self.reason(error))]
        }
        var events: [Event] = []
        if !plaintext.isEmpty {
            do {
                let frames = try decoder.feed(plaintext)
                if !frames.isEmpty { events.append(.frames(frames)) }
                if decoder.bufferedBytes == 0 {
                    decoder = FrameDecoder(maxLength: decoder.maxLength)   // drop the buffer a large frame grew
                }
            } catch {
                let code: CloseReason.Code = decoder.refusedLength != nil ? .frameTooLarge : .malformed
                return events + fail(CloseReason(code, "malformed frame from the peer: \(error)"))
            }
        }
        if tls.peerClosed {
            tls.close()   // answer with our close_notify
            drainEngine()
            state = .closed
            dropPending()
            events.append(.peerClosed)
        }
        return events
    }

    private func fail(_ reason: CloseReason) -> [Event] {
        close(flush: false)
        return [.failed(reason)]
    }

    private func drainEngine() {
        let bytes = tls.takeOutgoing()
        if !bytes.isEmpty { outbound.append(bytes) }
    }

    /// The close reason for an error of the TLS engine: its message, and the code its cause maps to.
    static func reason(_ error: any Error) -> CloseReason {
        guard let tls = error as? TLSError else { return CloseReason(.tlsFailure, "\(error)") }
        let code: CloseReason.Code = switch tls.cause {
        case .peerCertificateRefused: .certificateRefused
        case .certificateRefusedByPeer: .refusedByPeer
        case .notTLS13: .notTLS
        case .other: .tlsFailure
        }
        return CloseReason(code, tls.message)
    }
}

/// Why a channel ended while the loop was driving it.
struct ChannelFailure: Error {
    let reason: CloseReason
}
