import VigilModel

/// A decoded sync message. Every message travels in one frame; each has a strict decoder.
public enum SyncMessage: Hashable, Sendable {
    /// First frame each way. The server's HELLO is the only proof a client has that the server
    /// accepted its certificate (TLS 1.3 reports a refusal only on the first read).
    case hello(Hello)
    /// The initiator's first Negentropy V1 message of a round; the responder answers it from a fresh
    /// snapshot of the entries both may read.
    case reconcileBegin([UInt8])
    /// Any later Negentropy V1 message of the round (initiator → responder or back).
    case reconcile([UInt8])
    /// Please send these entries.
    case want([EntryID])
    /// Canonical entry bytes: answers to WANT, or live pushes.
    case entries([[UInt8]])
    /// Round-trip probe.
    case ping(UInt64)
    /// Answer to `ping`, same nonce.
    case pong(UInt64)
    /// Closing, with a reason code and text.
    case goodbye(code: UInt16, reason: String)
    /// The sender's Vigil release, e.g. "0.3.0" (see `ReleaseName`).
    case release(String)

    /// Most ids in one WANT.
    public static let maxWantIDs = 4096
    /// Most entries in one ENTRIES batch (the frame limit bounds the bytes).
    public static let maxBatchEntries = 1024
    /// Longest goodbye reason, in bytes.
    public static let maxReasonBytes = 1024

    /// The message as a frame.
    public func frame() -> Frame {
        var w = ByteWriter()
        switch self {
        case .hello(let h):
            w.varint(UInt64(h.protocolVersion))
            w.varint(h.features)
            w.varint(h.clock.milliseconds)
            w.varint(UInt64(h.clock.counter))
            return Frame(type: .hello, payload: w.bytes)
        case .reconcileBegin(let bytes):
            return Frame(type: .reconcileBegin, payload: bytes)
        case .reconcile(let bytes):
            return Frame(type: .reconcile, payload: bytes)
        case .want(let ids):
            w.varint(UInt64(ids.count))
            for id in ids { w.bytes32(id) }
            return Frame(type: .want, payload: w.bytes)
        case .entries(let list):
            w.varint(UInt64(list.count))
            for e in list { w.lengthPrefixed(e) }
            return Frame(type: .entries, payload: w.bytes)
        case .ping(let nonce):
            w.varint(nonce)
            return Frame(type: .ping, payload: w.bytes)
        case .pong(let nonce):
            w.varint(nonce)
            return Frame(type: .pong, payload: w.bytes)
        case .goodbye(let code, let reason):
            w.varint(UInt64(code))
            // Cut at a character boundary, so the bytes stay valid UTF-8.
            var cut = ""
            for character in reason {
                if cut.utf8.count + character.utf8.count > Self.maxReasonBytes { break }
                cut.append(character)
            }
            w.lengthPrefixed(Array(cut.utf8))
            return Frame(type: .goodbye, payload: w.bytes)
        case .release(let name):
            w.lengthPrefixed(Array(name.utf8))
            return Frame(type: .release, payload: w.bytes)
        }
    }

    /// Decodes a frame's payload strictly: minimal varints, bounded counts, no trailing bytes.
    public init(frame: Frame) throws(DecodingError) {
        var r = ByteReader(frame.payload)
        switch frame.type {
        case .hello:
            let version = try r.varint("hello.version", max: UInt64(UInt16.max))
            let features = try r.varint("hello.features")
            let ms = try r.varint("hello.clock.ms", max: HybridTimestamp.maxMilliseconds)
            let counter = try r.varint("hello.clock.counter", max: UInt64(UInt32.max))
            self = .hello(Hello(protocolVersion: UInt16(version), features: features,
                                clock: HybridTimestamp(milliseconds: ms, counter: UInt32(counter))))
        case .reconcile, .reconcileBegin:
            guard !frame.payload.isEmpty else {
                throw DecodingError(field: "reconcile", offset: 0, reason: "an empty reconciliation message")
            }
            self = frame.type == .reconcile ? .reconcile(frame.payload) : .reconcileBegin(frame.payload)
            return
        case .want:
            let count = Int(try r.varint("want.count", max: UInt64(Self.maxWantIDs)))
            guard count <= r.remaining / 32 else {
                throw DecodingError(field: "want.count", offset: 0, reason: "\(count) ids announced but only \(r.remaining) bytes follow")
            }
            var ids: [EntryID] = []
            ids.reserveCapacity(count)
            for i in 0..<count { ids.append(try r.bytes32("want[\(i)]")) }
            self = .want(ids)
        case .entries:
            let count = Int(try r.varint("entries.count", max: UInt64(Self.maxBatchEntries)))
            var list: [[UInt8]] = []
            for i in 0..<count {
                let length = Int(try r.varint("entries[\(i)].length", max: UInt64(EntryLimits.maxEncodedBytes)))
                list.append(Array(try r.raw(length, "entries[\(i)]")))
            }
            self = .entries(list)
        case .ping:
            self = .ping(try r.varint("ping.nonce"))
        case .pong:
            self = .pong(try r.varint("pong.nonce"))
        case .goodbye:
            let code = try r.varint("goodbye.code", max: UInt64(UInt16.max))
            let length = Int(try r.varint("goodbye.reason.length", max: UInt64(Self.maxReasonBytes)))
            let raw = try r.raw(length, "goodbye.reason")
            guard let reason = String(validating: raw, as: UTF8.self) else {
                throw DecodingError(field: "goodbye.reason", offset: r.offset - length, reason: "not valid UTF-8")
            }
            self = .goodbye(code: UInt16(code), reason: reason)
        case .release:
            let length = Int(try r.varint("release.length", max: UInt64(ReleaseName.maxBytes)))
            let raw = try r.raw(length, "release")
            guard let name = ReleaseName.validated(raw) else {
                throw DecodingError(field: "release", offset: r.offset - length,
                                    reason: "a release name is 1-\(ReleaseName.maxBytes) bytes of 0-9 A-Z a-z . + - ~")
            }
            self = .release(name)
        }
        try r.expectEnd("\(frame.type) message")
    }
}

/// The HELLO message.
public struct Hello: Hashable, Sendable {
    /// The sync protocol version this node speaks.
    public static let currentVersion: UInt16 = 1

    /// Feature bits. A node ignores bits it does not know, so a feature never breaks an older peer;
    /// each one only permits something the peer would otherwise not be sent (docs/sync-protocol.md).
    public enum Feature {
        /// "Send me your release": the peer may send one RELEASE frame after HELLO. Set from 0.3.0 on.
        public static let announcesRelease: UInt64 = 1 << 0
    }

    /// Protocol version.
    public var protocolVersion: UInt16
    /// Feature bits (`Feature`); bits this release does not know are ignored.
    public var features: UInt64
    /// The sender's hybrid logical clock, so the receiver can merge it.
    public var clock: HybridTimestamp

    /// A HELLO.
    public init(protocolVersion: UInt16 = Hello.currentVersion, features: UInt64 = 0, clock: HybridTimestamp) {
        self.protocolVersion = protocolVersion
        self.features = features
        self.clock = clock
    }
}

/// A Vigil release name as carried in a RELEASE frame: 1-32 bytes of `0-9 A-Z a-z . + - ~`.
public enum ReleaseName {
    /// Longest release name, in bytes.
    public static let maxBytes = 32

    /// `bytes` as a release name, or nil when they are not one.
    public static func validated(_ bytes: some Collection<UInt8>) -> String? {
        guard !bytes.isEmpty, bytes.count <= maxBytes, bytes.allSatisfy({ b in
            (0x30...0x39).contains(b) || (0x41...0x5a).contains(b) || (0x61...0x7a).contains(b) || [0x2e, 0x2b, 0x2d, 0x7e].contains(b)
        }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
