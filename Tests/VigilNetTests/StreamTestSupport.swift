import Dispatch
import Foundation
import Glibc
import Synchronization
import Testing
@testable import VigilNet

/// A started loop for stream tests (it needs a TLS identity even when it serves no peer), with the
/// peer recorder it was started with (its timers serve as barriers). The caller shuts it down.
func makeStreamLoop() throws -> (loop: NetworkLoop, peers: Recorder) {
    let ca = try PKI.ca()
    let peers = Recorder()
    return (try makeLoop(try PKI.node(ca, "streams"), trusting: ca, recorder: peers), peers)
}

/// Waits until the loop has carried out everything queued before this call (and written what the
/// sockets took): a zero-delay timer fires only after the commands queued before it.
func barrier(_ loop: NetworkLoop, _ peers: Recorder, token: UInt64) throws {
    loop.schedule(after: .zero, token: token)
    _ = try peers.wait("the barrier timer \(token)") { events in
        events.contains { if case .timer(token) = $0 { true } else { false } } ? true : nil
    }
}

/// A fresh directory for socket files (short, so the path fits in a `sockaddr_un`), removed by `remove()`.
struct SocketDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/vigil-net-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestFailure("mkdtemp: \(errnoDescription())") }
        path = String(cString: made)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A stream delegate that records every event, lets a test wait for one, and optionally echoes
/// every byte back (through `sendStream` on the loop thread).
final class StreamRecorder: ByteStreamDelegate {
    enum Event: Sendable {
        case accepted(StreamID, StreamListener, remote: String, onLoop: Bool)
        case received(StreamID, [UInt8])
        case inputEnded(StreamID)
        case writable(StreamID)
        case closed(StreamID, StreamCloseReason)
        case refused(StreamListener, remote: String, StreamRefusal)
    }

    private let log = Mutex<[Event]>([])
    private let signal = DispatchSemaphore(value: 0)
    private let loop: NetworkLoop
    private let echo: Bool
    private let onAccepted: (@Sendable (NetworkLoop, StreamID) -> Void)?

    init(loop: NetworkLoop, echo: Bool = false, onAccepted: (@Sendable (NetworkLoop, StreamID) -> Void)? = nil) {
        self.loop = loop
        self.echo = echo
        self.onAccepted = onAccepted
    }

    func streamAccepted(_ id: StreamID, on listener: StreamListener, remote: String) {
        let onLoop = loop.isOnLoopThread
        onAccepted?(loop, id)   // first, so that a test that saw the event sees what this did
        record(.accepted(id, listener, remote: remote, onLoop: onLoop))
    }

    func streamReceived(_ id: StreamID, _ bytes: [UInt8]) {
        loop.assertOnLoop()
        record(.received(id, bytes))
        if echo { _ = loop.sendStream(bytes, on: id) }
    }

    func streamInputEnded(_ id: StreamID) {
        record(.inputEnded(id))
        if echo { loop.closeStream(id, reason: "the client finished", afterFlush: true) }
    }

    func streamWritable(_ id: StreamID) { record(.writable(id)) }
    func streamClosed(_ id: StreamID, reason: StreamCloseReason) { record(.closed(id, reason)) }
    func streamRefused(on listener: StreamListener, remote: String, reason: StreamRefusal) { record(.refused(listener, remote: remote, reason)) }

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
                throw TestFailure("timed out waiting for \(what); events so far: \(events.suffix(12))")
            }
        }
    }

    /// The ids accepted so far, in order.
    var accepted: [StreamID] {
        events.compactMap { if case .accepted(let id, _, _, _) = $0 { id } else { nil } }
    }

    /// Waits until `count` streams were accepted; returns their ids in order.
    func waitAccepted(_ count: Int, _ what: String) throws -> [StreamID] {
        try wait(what) { events in
            let ids = events.compactMap { if case .accepted(let id, _, _, _) = $0 { id } else { nil } }
            return ids.count >= count ? ids : nil
        }
    }

    func waitClosed(_ id: StreamID, _ what: String) throws -> StreamCloseReason {
        try wait(what) { events in
            for case .closed(id, let reason) in events { return reason }
            return nil
        }
    }

    /// Everything received on `id` so far, concatenated.
    static func received(on id: StreamID, in events: [Event]) -> [UInt8] {
        var out: [UInt8] = []
        for case .received(id, let bytes) in events { out += bytes }
        return out
    }

    func waitReceived(on id: StreamID, count: Int, _ what: String) throws -> [UInt8] {
        try wait(what) { events in
            let bytes = Self.received(on: id, in: events)
            return bytes.count >= count ? bytes : nil
        }
    }
}

extension RawSocket {
    /// Reads until `count` bytes arrived (or the end of the stream); returns them.
    func read(count: Int) throws -> [UInt8] {
        var all: [UInt8] = []
        while all.count < count {
            let chunk = try read()
            if chunk.isEmpty { break }
            all += chunk
        }
        return all
    }
}

/// Recognisable bytes: `count` of them, each 4-byte word its own index mixed with `seed`, so bytes
/// lost, repeated or reordered show (cheap to make even unoptimised, for megabytes).
func patternBytes(_ count: Int, seed: Int) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        let seedWord = UInt32(truncatingIfNeeded: seed &* 0x9E37_79B9)
        var index = 0
        while index < count {
            let word = (UInt32(truncatingIfNeeded: index / 4) ^ seedWord).bigEndian
            withUnsafeBytes(of: word) { bytes in
                for offset in 0..<min(4, count - index) { buffer[index + offset] = bytes[offset] }
            }
            index += 4
        }
        initialized = count
    }
}
