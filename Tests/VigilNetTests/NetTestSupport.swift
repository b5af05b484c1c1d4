import Dispatch
import Foundation
import Glibc
import Synchronization
import Testing
import VigilCrypto
import VigilModel
import VigilSync
@testable import VigilNet

/// Every test that opens sockets runs inside this suite, one test at a time, so that counting the
/// process's sockets before and after a shutdown sees only that test's.
@Suite("VigilNet over loopback", .serialized)
struct NetworkTests {}

/// A federation CA and node certificates made in memory (the pattern of TLSEngineTests).
enum PKI {
    static let start = Date(timeIntervalSince1970: 1_767_225_600)   // 2026-01-01
    static let end = Date(timeIntervalSince1970: 1_798_761_600)     // 2027-01-01
    static let now = Date(timeIntervalSince1970: 1_780_000_000)     // 2026-05-28

    struct Node {
        let name: String
        let key: SigningKey
        let certificate: Certificate
    }

    static func ca(_ name: String = "Test Federation CA") throws -> CertificateAuthority {
        try CertificateAuthority(commonName: name, organisation: "Test Federation",
                                 notBefore: Date(timeIntervalSince1970: 1_735_689_600), notAfter: Date(timeIntervalSince1970: 1_893_456_000))
    }

    static func node(_ ca: CertificateAuthority, _ name: String, from: Date = start, to: Date = end) throws -> Node {
        let key = try SigningKey.generate()
        return Node(name: name, key: key,
                    certificate: try ca.issue(for: key.publicKey, commonName: name, organisation: "Test", notBefore: from, notAfter: to))
    }

    /// A TLS context for `node` (nil: no certificate at all) trusting `ca`, checking validity at `time`.
    static func context(_ node: Node?, trusting ca: CertificateAuthority, at time: Date = now) throws -> TLSContext {
        try TLSContext(certificate: node?.certificate, key: node?.key, trusting: ca.certificate, verificationTime: time)
    }
}

/// A started loop for `node`, with `recorder` as its delegate. The caller shuts it down.
func makeLoop(_ node: PKI.Node?, trusting ca: CertificateAuthority, recorder: Recorder, at time: Date = PKI.now,
              _ adjust: (inout NetworkConfiguration) -> Void = { _ in }) throws -> NetworkLoop {
    var configuration = NetworkConfiguration(tls: try PKI.context(node, trusting: ca, at: time))
    adjust(&configuration)
    let loop = try NetworkLoop(configuration: configuration)
    try loop.start(delegate: recorder)
    return loop
}

/// A test failure with a message (a wait that timed out, a socket that would not connect).
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A delegate that records every event and lets the test wait for one.
///
/// Waiting is on a semaphore signalled at each event; the timeout only guards against a hang and is
/// never what a test measures.
final class Recorder: NetworkLoopDelegate {
    enum Event: Sendable {
        case established(ConnectionID, peerKey: PublicKey, peerName: String?, inbound: Bool)
        case frames(ConnectionID, [Frame])
        case writable(ConnectionID)
        case closed(ConnectionID, reason: CloseReason)
        case refused(remote: String, reason: CloseReason)
        case timer(UInt64)
    }

    private let log = Mutex<[Event]>([])
    private let signal = DispatchSemaphore(value: 0)
    private let admission: @Sendable (PublicKey) -> PeerAdmission
    private let onEstablished: (@Sendable (ConnectionID) -> Void)?

    init(admission: @escaping @Sendable (PublicKey) -> PeerAdmission = { _ in .allow },
         onEstablished: (@Sendable (ConnectionID) -> Void)? = nil) {
        self.admission = admission
        self.onEstablished = onEstablished
    }

    func admit(peerKey: PublicKey, peerName: String?, inbound: Bool, remote: String) -> PeerAdmission { admission(peerKey) }
    func connectionEstablished(_ id: ConnectionID, peerKey: PublicKey, peerName: String?, inbound: Bool) {
        record(.established(id, peerKey: peerKey, peerName: peerName, inbound: inbound))
        onEstablished?(id)
    }
    func framesReceived(_ id: ConnectionID, _ frames: [Frame]) { record(.frames(id, frames)) }
    func writable(_ id: ConnectionID) { record(.writable(id)) }
    func connectionClosed(_ id: ConnectionID, reason: CloseReason) { record(.closed(id, reason: reason)) }
    func connectionRefused(remote: String, reason: CloseReason) { record(.refused(remote: remote, reason: reason)) }
    func timerFired(_ token: UInt64) { record(.timer(token)) }

    private func record(_ event: Event) {
        log.withLock { $0.append(event) }
        signal.signal()
    }

    var events: [Event] { log.withLock { $0 } }

    /// Waits until `check` finds what it looks for in the events so far; throws after `timeout`
    /// seconds (a guard against hangs only).
    func wait<T>(_ what: String, timeout: Double = 30, until check: ([Event]) -> T?) throws -> T {
        let deadline = DispatchTime.now() + timeout
        while true {
            if let found = log.withLock({ check($0) }) { return found }
            if signal.wait(timeout: deadline) == .timedOut {
                if let found = log.withLock({ check($0) }) { return found }
                throw TestFailure("timed out waiting for \(what); events so far: \(describe(events))")
            }
        }
    }

    func waitEstablished(_ what: String, inbound: Bool? = nil, key: PublicKey? = nil) throws -> (id: ConnectionID, key: PublicKey, name: String?, inbound: Bool) {
        try wait(what) { events in
            for case .established(let id, let peerKey, let name, let isInbound) in events
            where (inbound == nil || inbound == isInbound) && (key == nil || key == peerKey) {
                return (id, peerKey, name, isInbound)
            }
            return nil
        }
    }

    func waitClosed(_ id: ConnectionID, _ what: String) throws -> CloseReason {
        try wait(what) { events in
            for case .closed(let closed, let reason) in events where closed == id { return reason }
            return nil
        }
    }

    func waitRefused(_ what: String) throws -> (remote: String, reason: CloseReason) {
        try wait(what) { events in
            for case .refused(let remote, let reason) in events { return (remote, reason) }
            return nil
        }
    }

    /// Waits until at least `count` frames arrived on `id`; returns all of them, in order.
    func waitFrames(on id: ConnectionID, count: Int, _ what: String) throws -> [Frame] {
        try wait(what) { events in
            let frames = Self.frames(on: id, in: events)
            return frames.count >= count ? frames : nil
        }
    }

    static func frames(on id: ConnectionID, in events: [Event]) -> [Frame] {
        var out: [Frame] = []
        for case .frames(let on, let frames) in events where on == id { out += frames }
        return out
    }

    func closedReasons(_ id: ConnectionID) -> [CloseReason] {
        events.compactMap { if case .closed(id, let reason) = $0 { reason } else { nil } }
    }

    private func describe(_ events: [Event]) -> String {
        events.suffix(12).map { event in
            switch event {
            case .established(let id, _, let name, let inbound): "established(\(id), \(name ?? "?"), inbound: \(inbound))"
            case .frames(let id, let frames): "frames(\(id), \(frames.count))"
            case .writable(let id): "writable(\(id))"
            case .closed(let id, let reason): "closed(\(id), \(reason.code.rawValue): \(reason))"
            case .refused(let remote, let reason): "refused(\(remote), \(reason.code.rawValue): \(reason))"
            case .timer(let token): "timer(\(token))"
            }
        }.joined(separator: "; ")
    }
}

/// A blocking TCP socket for playing a misbehaving peer by hand. Reads time out after 30 s (a guard).
final class RawSocket {
    private(set) var fd: Int32

    init(port: UInt16, host: String = "127.0.0.1") throws {
        guard let address = SocketAddress(numericHost: host, port: port) else { throw TestFailure("bad address \(host)") }
        fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(errnoDescription())") }
        var guardTime = timeval(tv_sec: 30, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &guardTime, socklen_t(MemoryLayout<timeval>.size))
        let result = address.withSockAddr { Glibc.connect(fd, $0, $1) }
        guard result == 0 else {
            let reason = errnoDescription()
            Glibc.close(fd)
            throw TestFailure("connect to \(address): \(reason)")
        }
        Sockets.setNoDelay(fd)
    }

    /// A client of the Unix socket at `path`.
    init(unixPath path: String) throws {
        var address = try UnixSocket.address(path)
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(errnoDescription())") }
        var guardTime = timeval(tv_sec: 30, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &guardTime, socklen_t(MemoryLayout<timeval>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let reason = errnoDescription()
            Glibc.close(fd)
            throw TestFailure("connect to \(path): \(reason)")
        }
    }

    /// Shuts down the writing side: the server reads the end of the stream, and may still answer.
    func shutdownWrite() { _ = Glibc.shutdown(fd, Int32(SHUT_WR)) }

    deinit { close() }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw TestFailure("send: \(errnoDescription())") }
            offset += n
        }
    }

    /// Some bytes, or [] at end of stream (a reset also counts as the end).
    func read() throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n > 0 { return Array(buffer.prefix(n)) }
        if n == 0 || errno == ECONNRESET { return [] }
        throw TestFailure("recv: \(errnoDescription())")
    }

    /// Reads until the peer closes; returns everything it sent.
    func readToEnd() throws -> [UInt8] {
        var all: [UInt8] = []
        while true {
            let chunk = try read()
            if chunk.isEmpty { return all }
            all += chunk
        }
    }
}

/// A TLS client driven by hand over a `RawSocket`, for sending exactly the bytes and records a test
/// needs (frames split across records and TCP segments, malformed frames).
final class RawTLSClient {
    let socket: RawSocket
    let tls: TLSConnection

    init(port: UInt16, context: TLSContext) throws {
        socket = try RawSocket(port: port)
        tls = try TLSConnection(context: context, isClient: true)
    }

    func handshake() throws {
        while try !tls.advanceHandshake() {
            try flush()
            let bytes = try socket.read()
            guard !bytes.isEmpty else { throw TestFailure("the server closed during the handshake") }
            tls.receive(bytes)
        }
        try flush()
    }

    func flush() throws {
        let out = tls.takeOutgoing()
        if !out.isEmpty { try socket.write(out) }
    }

    /// Sends `plaintext` as TLS records of `recordSize` bytes, each record written in two TCP segments.
    func send(_ plaintext: [UInt8], recordSize: Int) throws {
        var offset = 0
        while offset < plaintext.count {
            let end = min(offset + recordSize, plaintext.count)
            try tls.send(plaintext[offset..<end])
            let record = tls.takeOutgoing()
            let half = record.count / 2
            try socket.write(Array(record[..<half]))
            try socket.write(Array(record[half...]))
            offset = end
        }
    }

    /// Reads frames until `count` arrived.
    func readFrames(_ count: Int) throws -> [Frame] {
        var decoder = FrameDecoder()
        var frames: [Frame] = []
        while frames.count < count {
            let bytes = try socket.read()
            guard !bytes.isEmpty else { throw TestFailure("the server closed after \(frames.count) frames") }
            tls.receive(bytes)
            frames += try decoder.feed(try tls.readAvailable())
            try flush()
        }
        return frames
    }
}

/// Sockets, eventfds and epoll instances this process has open (entries of /proc/self/fd whose
/// target is a socket or an anonymous inode). Regular files opened by other test targets do not count.
/// Open sockets and anonymous inodes (epoll, eventfd, timerfd) by descriptor number.
func openNetworkDescriptorsByFD() -> [Int32: String] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    var out: [Int32: String] = [:]
    for entry in entries {
        guard let fd = Int32(entry), let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(entry)"),
              target.hasPrefix("socket:") || target.hasPrefix("anon_inode:") else { continue }
        out[fd] = target
    }
    return out
}


/// A recognisable frame: `index` in the first four payload bytes, then `size - 4` bytes of a filler
/// that depends on the index (cheap to make, even unoptimised, for thousands of large frames).
func numberedFrame(_ index: Int, size: Int = 32, type: FrameType = .entries) -> Frame {
    var payload = withUnsafeBytes(of: UInt32(truncatingIfNeeded: index).bigEndian) { Array($0) }
    payload += [UInt8](repeating: UInt8(truncatingIfNeeded: index &* 31 &+ 7), count: max(0, size - 4))
    return Frame(type: type, payload: payload)
}
