import VigilModel

/// The type byte of a frame.
public enum FrameType: UInt8, CaseIterable, Sendable {
    /// `Hello`: first frame each way.
    case hello = 0x01
    /// A Negentropy V1 reconciliation message (opaque bytes) continuing a round.
    case reconcile = 0x02
    /// `Want`: ids the sender asks for.
    case want = 0x03
    /// `Entries`: a batch of canonical entries (answer to WANT, or a live push).
    case entries = 0x04
    /// `Ping`: round-trip measurement; answered by `pong` with the same nonce.
    case ping = 0x05
    /// `Pong`.
    case pong = 0x06
    /// `Goodbye`: the sender closes the session, with the reason.
    case goodbye = 0x07
    /// The initiator's first Negentropy message of a new round: the responder takes a fresh snapshot.
    case reconcileBegin = 0x08
    /// `Release`: the sender's Vigil release, sent once after HELLO, and only to a peer whose HELLO set
    /// `Hello.Feature.announcesRelease` (a release before 0.3.0 does not know this frame type).
    case release = 0x09
}

/// One frame on the wire: `u32 big-endian length` of what follows, then `u8 type`, then the payload.
/// The length counts the type byte, so it is never 0.
public struct Frame: Hashable, Sendable {
    /// The largest value the length field may hold: 256 KiB, enough for one entry (128 KiB) with room
    /// for batching, small enough that a peer cannot make a node buffer much.
    public static let maxLength = 256 * 1024

    /// The frame's type.
    public let type: FrameType
    /// The payload.
    public let payload: [UInt8]

    /// A frame.
    public init(type: FrameType, payload: [UInt8]) {
        self.type = type
        self.payload = payload
    }

    /// The bytes on the wire.
    public var encoded: [UInt8] {
        let length = UInt32(payload.count + 1)
        var out: [UInt8] = [UInt8(length >> 24), UInt8((length >> 16) & 0xff), UInt8((length >> 8) & 0xff), UInt8(length & 0xff), type.rawValue]
        out.append(contentsOf: payload)
        return out
    }
}

/// Splits a byte stream into frames, incrementally: bytes may arrive in any chunks, one at a time or
/// many frames at once. Anything malformed is an error and the session must close with its reason.
public struct FrameDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0
    /// The limit for the length field (at most `Frame.maxLength`).
    public let maxLength: Int

    /// A decoder refusing frames longer than `maxLength`.
    public init(maxLength: Int = Frame.maxLength) {
        self.maxLength = min(maxLength, Frame.maxLength)
    }

    /// Bytes held that are not yet a whole frame.
    public var bufferedBytes: Int { buffer.count - start }
    /// The announced length of the frame refused for being over `maxLength`, once `feed` threw for
    /// that reason (a session closes with "frame too large" rather than "malformed").
    public private(set) var refusedLength: Int?

    /// Appends received bytes and returns every whole frame they complete.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(DecodingError) -> [Frame] {
        buffer.append(contentsOf: bytes)
        var frames: [Frame] = []
        while buffer.count - start >= 4 {
            let b = buffer[start..<start + 4].map(UInt32.init)
            let length = Int(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3])
            guard length >= 1 else {
                throw DecodingError(field: "frame.length", offset: start, reason: "a frame length of 0 has no type byte")
            }
            guard length <= maxLength else {
                refusedLength = length
                throw DecodingError(field: "frame.length", offset: start, reason: "frame of \(length) bytes is over the limit of \(maxLength)")
            }
            guard buffer.count - start >= 4 + length else { break }
            let code = buffer[start + 4]
            guard let type = FrameType(rawValue: code) else {
                throw DecodingError(field: "frame.type", offset: start + 4, reason: "unknown frame type 0x\(String(code, radix: 16))")
            }
            frames.append(Frame(type: type, payload: Array(buffer[start + 5..<start + 4 + length])))
            start += 4 + length
        }
        if start > 0 && start * 2 >= buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        return frames
    }
}
