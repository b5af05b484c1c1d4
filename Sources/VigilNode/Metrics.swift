import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import VigilModel
import VigilSync

// Prometheus metrics for node_exporter's textfile collector (docs/operations.md): a snapshot of the node,
// its text exposition (format 0.0.4), an atomic file write, and a timer that writes it periodically.

// MARK: Refusal categories

/// Why a connection was refused or ended before it was useful, as a small fixed set of label values,
/// from the close reason's typed code.
public enum ConnectionRefusalReason: String, CaseIterable, Sendable, Comparable {
    /// The peer's key is not in the genesis (unknown node).
    case notMember = "not-member"
    /// The peer was a member and has been revoked.
    case revoked
    /// A certificate was refused on either side: wrong CA, expired, none presented, key mismatch.
    case badCertificate = "bad-certificate"
    /// The TLS handshake did not complete in time.
    case handshakeTimeout = "handshake-timeout"
    /// Nothing was received from the peer for the idle timeout.
    case idleTimeout = "idle-timeout"
    /// The peer sent bytes that are not a valid frame, or does not speak TLS 1.3.
    case malformed
    /// The peer sent a frame over the length limit.
    case frameTooLarge = "frame-too-large"
    /// Anything else (socket errors, descriptor exhaustion, …).
    case other

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// The metrics category of a close reason's code (a stable label set for dashboards and alert rules).
    public init(_ code: CloseReason.Code) {
        switch code {
        case .notMember: self = .notMember
        case .revoked: self = .revoked
        case .certificateRefused, .refusedByPeer, .wrongPeer: self = .badCertificate
        case .handshakeTimeout: self = .handshakeTimeout
        case .idleTimeout: self = .idleTimeout
        case .malformed, .protocolViolation, .notTLS: self = .malformed
        case .frameTooLarge: self = .frameTooLarge
        case .connectFailed, .localFailure, .transportError, .tlsFailure, .peerClosed, .shutdown, .slowPeer,
             .roundTimeout, .reconciliationFailed, .connectedToItself, .duplicateSession: self = .other
        }
    }
}

/// Why an entry was refused, as a small fixed set of label values, from the refusal's typed code.
public enum EntryRefusalReason: String, CaseIterable, Sendable, Comparable {
    /// The signature does not verify under the author's key (or the author key is unusable).
    case badSignature = "bad-signature"
    /// The bytes are not a canonical entry.
    case malformed
    /// The entry's audience does not include this node.
    case audience
    /// The author is not a federation member.
    case notMember = "not-member"
    /// The author has been revoked.
    case revoked
    /// The author's role may not post this kind of entry.
    case role
    /// The body does not match the entry kind's schema.
    case invalidBody = "invalid-body"
    /// Anything else.
    case other

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// The metrics category of a refusal's code (a stable label set for dashboards and alert rules).
    public init(_ code: Refusal.Code) {
        switch code {
        case .malformed: self = .malformed
        case .badSignature, .badAuthorKey, .wrongAuthor: self = .badSignature
        case .notMember: self = .notMember
        case .revoked: self = .revoked
        case .role, .notAuthorised: self = .role
        case .invalidBody, .roster: self = .invalidBody
        case .audience: self = .audience
        case .notOwnEntry: self = .other
        }
    }
}

// MARK: Snapshot

/// What the node exports as metrics, at one moment. Plain values: the node fills it on its loop thread.
public struct MetricsSnapshot: Sendable, Equatable {
    /// One connected peer.
    public struct Peer: Sendable, Equatable {
        /// Its name in the genesis (or its fingerprint).
        public var name: String
        /// Entries asked for and not yet received.
        public var entriesBehind: Int
        /// Last round-trip time in milliseconds, when measured.
        public var roundTripMs: UInt64?
        /// Seconds since a frame last arrived.
        public var lastSeenSeconds: Double

        public init(name: String, entriesBehind: Int, roundTripMs: UInt64?, lastSeenSeconds: Double) {
            self.name = name
            self.entriesBehind = entriesBehind
            self.roundTripMs = roundTripMs
            self.lastSeenSeconds = lastSeenSeconds
        }
    }

    /// This node's name (the `node` label on every sample).
    public var node: String
    /// Entries held.
    public var entries: Int = 0
    /// Entries held, by kind name.
    public var entriesByKind: [String: Int] = [:]
    /// Names of the peers this node is configured to dial.
    public var configuredPeers: [String] = []
    /// Connected peers (dialed or accepted).
    public var peers: [Peer] = []
    /// Refused connections so far, by category.
    public var refusedConnections: [ConnectionRefusalReason: Int] = [:]
    /// Refused entries so far, by category.
    public var refusedEntries: [EntryRefusalReason: Int] = [:]
    /// Entries posted locally (durable and acknowledged).
    public var entriesPosted: Int = 0
    /// Entries received from peers and stored.
    public var entriesReceived: Int = 0
    /// Store appends that failed.
    public var storeAppendFailures: Int = 0
    /// Seconds since the node started.
    public var uptimeSeconds: Double = 0
    /// Unix time (seconds) of the last successful reconciliation, by peer name.
    public var lastReconciliation: [String: Double] = [:]

    /// An empty snapshot for `node`.
    public init(node: String) { self.node = node }

    /// Peers connected (distinct names).
    public var peersConnected: Int { Set(peers.map(\.name)).count }
}

// MARK: Counters

/// The counters a node keeps for its metrics, safe to update from any thread. The node feeds it where it
/// logs the corresponding events, then copies it into a `MetricsSnapshot` with `fill(_:)`.
public final class MetricsCounters: Sendable {
    private struct State {
        var refusedConnections: [ConnectionRefusalReason: Int] = [:]
        var refusedEntries: [EntryRefusalReason: Int] = [:]
        var posted = 0
        var received = 0
        var appendFailures = 0
        var lastReconciliation: [String: Double] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    /// A connection was refused or ended before it was useful (counted by its code's category).
    public func connectionRefused(_ reason: CloseReason) {
        let category = ConnectionRefusalReason(reason.code)
        state.withLock { $0.refusedConnections[category, default: 0] += 1 }
    }

    /// An entry was refused (counted by its code's category).
    public func entryRefused(_ refusal: Refusal) {
        let category = EntryRefusalReason(refusal.code)
        state.withLock { $0.refusedEntries[category, default: 0] += 1 }
    }

    /// `count` entries posted locally were stored.
    public func posted(_ count: Int = 1) { state.withLock { $0.posted += count } }

    /// `count` entries received from peers were stored.
    public func received(_ count: Int) { state.withLock { $0.received += count } }

    /// A store append failed.
    public func appendFailed() { state.withLock { $0.appendFailures += 1 } }

    /// A reconciliation with `peer` completed at `unixSeconds`.
    public func reconciled(peer: String, unixSeconds: Double) {
        state.withLock { $0.lastReconciliation[peer] = unixSeconds }
    }

    /// Copies the counters into `snapshot`.
    public func fill(_ snapshot: inout MetricsSnapshot) {
        let s = state.withLock { $0 }
        snapshot.refusedConnections = s.refusedConnections
        snapshot.refusedEntries = s.refusedEntries
        snapshot.entriesPosted = s.posted
        snapshot.entriesReceived = s.received
        snapshot.storeAppendFailures = s.appendFailures
        snapshot.lastReconciliation = s.lastReconciliation
    }
}

// MARK: Exposition

/// The Prometheus text exposition format 0.0.4, for node_exporter's textfile collector.
public enum PrometheusTextfile {
    /// One sample: label pairs (sorted by name when rendered) and a value.
    struct Sample {
        var labels: [(String, String)]
        var value: Double
    }

    /// One metric family.
    struct Family {
        var name: String
        var type: String
        var help: String
        var samples: [Sample]
    }

    /// The snapshot as exposition text: families sorted by name, each with one `# HELP` and one `# TYPE`
    /// line, samples sorted by label values; every sample carries the `node` label. Deterministic.
    public static func render(_ s: MetricsSnapshot) -> String {
        var out = ""
        for family in families(s).sorted(by: { $0.name < $1.name }) {
            out += "# HELP \(family.name) \(escapeHelp(family.help))\n"
            out += "# TYPE \(family.name) \(family.type)\n"
            let lines = family.samples.map { sample -> (key: [String], line: String) in
                let labels = ([("node", s.node)] + sample.labels).sorted { $0.0 < $1.0 }
                let text = labels.map { "\($0.0)=\"\(escapeLabelValue($0.1))\"" }.joined(separator: ",")
                return (labels.map(\.1), "\(family.name){\(text)} \(format(sample.value))\n")
            }
            for line in lines.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) { out += line.line }
        }
        return out
    }

    /// Writes `render(s)` to `path` atomically: a temporary file `path.tmp.<pid>` in the same directory,
    /// mode 0644 (whatever the umask: node_exporter runs as another user), fsynced, then renamed over
    /// `path`. A reader sees the old file or the new one, never part of one. On failure the temporary
    /// file is removed and the error says which step failed.
    public static func write(_ s: MetricsSnapshot, to path: String) throws {
        try writeAtomically(Array(render(s).utf8), to: path)
    }

    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temporary = "\(path).tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw MetricsWriteError(step: "create", path: temporary, code: errno) }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        func fail(_ step: String) -> MetricsWriteError {
            let error = MetricsWriteError(step: step, path: temporary, code: errno)
            if !closed { close(fd); closed = true }
            unlink(temporary)
            return error
        }
        guard fchmod(fd, 0o644) == 0 else { throw fail("chmod") }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                Glibc.write(fd, buffer.baseAddress! + written, buffer.count - written)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw fail("write")
            }
            written += n
        }
        guard fsync(fd) == 0 else { throw fail("fsync") }
        closed = true
        guard close(fd) == 0 else {
            let error = MetricsWriteError(step: "close", path: temporary, code: errno)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = MetricsWriteError(step: "rename to \(path)", path: temporary, code: errno)
            unlink(temporary)
            throw error
        }
    }

    static func families(_ s: MetricsSnapshot) -> [Family] {
        // Two connections to one peer (a dial and an accept crossing) must not give duplicate series:
        // keep the most recently active one.
        var peers: [String: MetricsSnapshot.Peer] = [:]
        for p in s.peers where peers[p.name].map({ p.lastSeenSeconds < $0.lastSeenSeconds }) ?? true { peers[p.name] = p }
        let connected = Set(peers.keys)
        let configured = Set(s.configuredPeers)
        func counter(_ v: Int) -> Double { Double(max(0, v)) }
        return [
            Family(name: "vigil_entries_held", type: "gauge", help: "Entries held by the node.",
                   samples: [Sample(labels: [], value: Double(s.entries))]),
            Family(name: "vigil_entries_held_by_kind", type: "gauge", help: "Entries held by the node, by entry kind.",
                   samples: s.entriesByKind.map { Sample(labels: [("kind", $0.key)], value: Double($0.value)) }),
            Family(name: "vigil_peers_configured", type: "gauge", help: "Peers this node is configured to dial.",
                   samples: [Sample(labels: [], value: Double(configured.count))]),
            Family(name: "vigil_peers_connected", type: "gauge", help: "Peers connected now (dialed or accepted).",
                   samples: [Sample(labels: [], value: Double(connected.count))]),
            Family(name: "vigil_peer_up", type: "gauge", help: "1 when the peer is connected, 0 when a configured peer is not.",
                   samples: configured.union(connected).map { Sample(labels: [("peer", $0)], value: connected.contains($0) ? 1 : 0) }),
            Family(name: "vigil_peer_entries_behind", type: "gauge", help: "Entries asked of the peer and not yet received.",
                   samples: peers.values.map { Sample(labels: [("peer", $0.name)], value: Double($0.entriesBehind)) }),
            Family(name: "vigil_peer_round_trip_seconds", type: "gauge", help: "Last measured round-trip time to the peer.",
                   samples: peers.values.compactMap { p in p.roundTripMs.map { Sample(labels: [("peer", p.name)], value: Double($0) / 1000) } }),
            Family(name: "vigil_peer_last_seen_age_seconds", type: "gauge", help: "Seconds since a frame last arrived from the peer.",
                   samples: peers.values.map { Sample(labels: [("peer", $0.name)], value: $0.lastSeenSeconds) }),
            Family(name: "vigil_peer_last_reconciliation_timestamp_seconds", type: "gauge",
                   help: "Unix time of the last successful reconciliation with the peer.",
                   samples: s.lastReconciliation.map { Sample(labels: [("peer", $0.key)], value: $0.value) }),
            Family(name: "vigil_connections_refused_total", type: "counter",
                   help: "Connections refused or ended before they were useful, by reason category.",
                   samples: ConnectionRefusalReason.allCases.map { Sample(labels: [("reason", $0.rawValue)], value: counter(s.refusedConnections[$0] ?? 0)) }),
            Family(name: "vigil_entries_refused_total", type: "counter", help: "Entries refused, by reason category.",
                   samples: EntryRefusalReason.allCases.map { Sample(labels: [("reason", $0.rawValue)], value: counter(s.refusedEntries[$0] ?? 0)) }),
            Family(name: "vigil_entries_posted_total", type: "counter", help: "Entries posted on this node and stored.",
                   samples: [Sample(labels: [], value: counter(s.entriesPosted))]),
            Family(name: "vigil_entries_received_total", type: "counter", help: "Entries received from peers and stored.",
                   samples: [Sample(labels: [], value: counter(s.entriesReceived))]),
            Family(name: "vigil_store_append_failures_total", type: "counter", help: "Store appends that failed.",
                   samples: [Sample(labels: [], value: counter(s.storeAppendFailures))]),
            Family(name: "vigil_uptime_seconds", type: "gauge", help: "Seconds since the node started.",
                   samples: [Sample(labels: [], value: s.uptimeSeconds)]),
        ]
    }

    /// A label value: backslash, double quote and line feed escaped.
    static func escapeLabelValue(_ v: String) -> String {
        var out = ""
        out.reserveCapacity(v.utf8.count)
        for scalar in v.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// HELP text: backslash and line feed escaped.
    static func escapeHelp(_ v: String) -> String {
        v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// A sample value: integers without a fraction, others in Swift's shortest round-trip form (which Go's
    /// ParseFloat reads), NaN and ±Inf as Prometheus spells them.
    static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 9_007_199_254_740_992 { return String(Int64(v)) }
        return "\(v)"
    }
}

/// A metrics file could not be written.
public struct MetricsWriteError: Error, CustomStringConvertible, Sendable {
    /// The step that failed (create, chmod, write, fsync, close, rename).
    public let step: String
    /// The file concerned.
    public let path: String
    /// errno.
    public let code: Int32

    public var description: String {
        "cannot write the metrics file: \(step) \(path) failed: \(String(cString: strerror(code))) (errno \(code))"
    }
}

// MARK: Periodic writer

/// Writes a metrics file every `interval` (15 s by default) from a snapshot provider, on a
/// `DispatchSourceTimer`. A write that fails is reported through `onError` (the node logs it) and the next
/// tick tries again; nothing here crashes the node. A tick that comes while the previous write is still in
/// flight is skipped, so a slow provider never piles up writes.
public final class MetricsWriter: Sendable {
    /// The metrics file.
    public let path: String
    /// Time between writes.
    public let interval: Duration
    private let provider: @Sendable () async -> MetricsSnapshot
    private let onError: @Sendable (any Error) -> Void
    private let onWrite: @Sendable () -> Void
    private let queue = DispatchQueue(label: "vigil.metrics")
    private let timer = Mutex<DispatchSourceTimer?>(nil)
    private let busy = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    private let writing = Mutex<Void>(())

    /// A writer of `path` every `interval` with snapshots from `provider`. `onError` gets every failed
    /// write; `onWrite` is called after every successful one (tests wait on it).
    public init(path: String, interval: Duration = .seconds(15),
                provider: @escaping @Sendable () async -> MetricsSnapshot,
                onError: @escaping @Sendable (any Error) -> Void,
                onWrite: @escaping @Sendable () -> Void = {}) {
        self.path = path
        self.interval = interval
        self.provider = provider
        self.onError = onError
        self.onWrite = onWrite
    }

    /// Starts the timer: the first write at once, then one every `interval`. Calling it twice does nothing.
    public func start() {
        timer.withLock { timer in
            guard timer == nil, !stopped.load(ordering: .acquiring) else { return }
            let source = DispatchSource.makeTimerSource(queue: queue)
            let ms = max(1, Int(interval.components.seconds * 1000 + interval.components.attoseconds / 1_000_000_000_000_000))
            source.schedule(deadline: .now(), repeating: .milliseconds(ms), leeway: .milliseconds(max(1, ms / 20)))
            source.setEventHandler { [weak self] in self?.tick() }
            source.resume()
            timer = source
        }
    }

    /// Stops the timer. A write in flight finishes before this returns, and nothing is written after it.
    /// With `removingFile`, the metrics file is deleted too (so node_exporter stops exporting stale values).
    public func stop(removingFile: Bool = false) {
        stopped.store(true, ordering: .releasing)
        timer.withLock { timer in
            timer?.cancel()
            timer = nil
        }
        writing.withLock { _ in
            if removingFile { unlink(path) }
        }
    }

    /// Takes a snapshot and writes it now (the timer calls this). Returns whether the file was written.
    @discardableResult
    public func writeOnce() async -> Bool {
        let snapshot = await provider()
        let result: Result<Bool, any Error> = writing.withLock { _ in
            guard !stopped.load(ordering: .acquiring) else { return .success(false) }
            return Result { try PrometheusTextfile.write(snapshot, to: path); return true }
        }
        switch result {
        case .success(let written):
            if written { onWrite() }
            return written
        case .failure(let error):
            onError(error)
            return false
        }
    }

    private func tick() {
        guard !stopped.load(ordering: .acquiring), !busy.exchange(true, ordering: .acquiringAndReleasing) else { return }
        Task { [self] in
            await writeOnce()
            busy.store(false, ordering: .releasing)
        }
    }
}
