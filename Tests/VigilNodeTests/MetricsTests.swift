import Foundation
import Testing
import VigilModel
import VigilNode
import VigilSync

@Suite("Metrics: Prometheus textfile exposition")
struct MetricsTests {
    /// A snapshot with a bit of everything.
    static func sample() -> MetricsSnapshot {
        var s = MetricsSnapshot(node: "ncc")
        s.entries = 5
        s.entriesByKind = ["sitrep": 2, "message": 3]
        s.configuredPeers = ["gov-b", "gov-a"]
        s.peers = [MetricsSnapshot.Peer(name: "gov-a", entriesBehind: 2, roundTripMs: 15, lastSeenSeconds: 0.5)]
        s.refusedConnections = [.notMember: 3, .idleTimeout: 1]
        s.refusedEntries = [.badSignature: 1]
        s.entriesPosted = 4
        s.entriesReceived = 7
        s.storeAppendFailures = 0
        s.uptimeSeconds = 3600.25
        s.lastReconciliation = ["gov-a": 1_700_000_000]
        return s
    }

    @Test("the rendered file is exactly the expected exposition text")
    func exactRendering() {
        let expected = """
            # HELP vigil_connections_refused_total Connections refused or ended before they were useful, by reason category.
            # TYPE vigil_connections_refused_total counter
            vigil_connections_refused_total{node="ncc",reason="bad-certificate"} 0
            vigil_connections_refused_total{node="ncc",reason="frame-too-large"} 0
            vigil_connections_refused_total{node="ncc",reason="handshake-timeout"} 0
            vigil_connections_refused_total{node="ncc",reason="idle-timeout"} 1
            vigil_connections_refused_total{node="ncc",reason="malformed"} 0
            vigil_connections_refused_total{node="ncc",reason="not-member"} 3
            vigil_connections_refused_total{node="ncc",reason="other"} 0
            vigil_connections_refused_total{node="ncc",reason="revoked"} 0
            # HELP vigil_entries_held Entries held by the node.
            # TYPE vigil_entries_held gauge
            vigil_entries_held{node="ncc"} 5
            # HELP vigil_entries_held_by_kind Entries held by the node, by entry kind.
            # TYPE vigil_entries_held_by_kind gauge
            vigil_entries_held_by_kind{kind="message",node="ncc"} 3
            vigil_entries_held_by_kind{kind="sitrep",node="ncc"} 2
            # HELP vigil_entries_posted_total Entries posted on this node and stored.
            # TYPE vigil_entries_posted_total counter
            vigil_entries_posted_total{node="ncc"} 4
            # HELP vigil_entries_received_total Entries received from peers and stored.
            # TYPE vigil_entries_received_total counter
            vigil_entries_received_total{node="ncc"} 7
            # HELP vigil_entries_refused_total Entries refused, by reason category.
            # TYPE vigil_entries_refused_total counter
            vigil_entries_refused_total{node="ncc",reason="audience"} 0
            vigil_entries_refused_total{node="ncc",reason="bad-signature"} 1
            vigil_entries_refused_total{node="ncc",reason="invalid-body"} 0
            vigil_entries_refused_total{node="ncc",reason="malformed"} 0
            vigil_entries_refused_total{node="ncc",reason="not-member"} 0
            vigil_entries_refused_total{node="ncc",reason="other"} 0
            vigil_entries_refused_total{node="ncc",reason="revoked"} 0
            vigil_entries_refused_total{node="ncc",reason="role"} 0
            # HELP vigil_peer_entries_behind Entries asked of the peer and not yet received.
            # TYPE vigil_peer_entries_behind gauge
            vigil_peer_entries_behind{node="ncc",peer="gov-a"} 2
            # HELP vigil_peer_last_reconciliation_timestamp_seconds Unix time of the last successful reconciliation with the peer.
            # TYPE vigil_peer_last_reconciliation_timestamp_seconds gauge
            vigil_peer_last_reconciliation_timestamp_seconds{node="ncc",peer="gov-a"} 1700000000
            # HELP vigil_peer_last_seen_age_seconds Seconds since a frame last arrived from the peer.
            # TYPE vigil_peer_last_seen_age_seconds gauge
            vigil_peer_last_seen_age_seconds{node="ncc",peer="gov-a"} 0.5
            # HELP vigil_peer_round_trip_seconds Last measured round-trip time to the peer.
            # TYPE vigil_peer_round_trip_seconds gauge
            vigil_peer_round_trip_seconds{node="ncc",peer="gov-a"} 0.015
            # HELP vigil_peer_up 1 when the peer is connected, 0 when a configured peer is not.
            # TYPE vigil_peer_up gauge
            vigil_peer_up{node="ncc",peer="gov-a"} 1
            vigil_peer_up{node="ncc",peer="gov-b"} 0
            # HELP vigil_peers_configured Peers this node is configured to dial.
            # TYPE vigil_peers_configured gauge
            vigil_peers_configured{node="ncc"} 2
            # HELP vigil_peers_connected Peers connected now (dialed or accepted).
            # TYPE vigil_peers_connected gauge
            vigil_peers_connected{node="ncc"} 1
            # HELP vigil_store_append_failures_total Store appends that failed.
            # TYPE vigil_store_append_failures_total counter
            vigil_store_append_failures_total{node="ncc"} 0
            # HELP vigil_uptime_seconds Seconds since the node started.
            # TYPE vigil_uptime_seconds gauge
            vigil_uptime_seconds{node="ncc"} 3600.25

            """
        let rendered = PrometheusTextfile.render(Self.sample())
        #expect(rendered == expected)
        if rendered != expected {
            let got = rendered.split(separator: "\n"), want = expected.split(separator: "\n")
            for (i, line) in got.enumerated() where i >= want.count || want[i] != line {
                Issue.record("first difference at line \(i + 1): \(line)")
                break
            }
        }
    }

    @Test("hostile label values are escaped and parse back to the original strings")
    func escaping() throws {
        let hostile = "evil\"} 1\nvigil_fake{x=\"y\\\\"
        var s = MetricsSnapshot(node: "a\"b\\c\nd")
        s.entriesByKind = [hostile: 1, "plain": 2]
        s.peers = [MetricsSnapshot.Peer(name: hostile, entriesBehind: 0, roundTripMs: nil, lastSeenSeconds: 1)]
        s.configuredPeers = ["back\\slash", "é 中 🚨"]
        s.lastReconciliation = ["q\"uote": 1]
        let text = PrometheusTextfile.render(s)
        #expect(text.contains(#"node="a\"b\\c\nd""#))
        #expect(text.contains(#"vigil_entries_held_by_kind{kind="evil\"} 1\nvigil_fake{x=\"y\\\\",node="a\"b\\c\nd"} 1"#))
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("vigil_fake") }, "an injected series appeared")
        let parsed = try ExpositionParser.parse(text)
        let kinds = Set(parsed.samples.filter { $0.name == "vigil_entries_held_by_kind" }.compactMap { $0.labels["kind"] })
        #expect(kinds == [hostile, "plain"])
        #expect(Set(parsed.samples.compactMap { $0.labels["node"] }) == ["a\"b\\c\nd"])
        let peers = Set(parsed.samples.filter { $0.name == "vigil_peer_up" }.compactMap { $0.labels["peer"] })
        #expect(peers == [hostile, "back\\slash", "é 中 🚨"])
        #expect(parsed.samples.contains { $0.name == "vigil_peer_last_reconciliation_timestamp_seconds" && $0.labels["peer"] == "q\"uote" })
    }

    @Test("every family has exactly one HELP and one TYPE line, before its samples; names and types are well-formed")
    func helpAndTypeOnce() throws {
        let parsed = try ExpositionParser.parse(PrometheusTextfile.render(Self.sample()))
        #expect(parsed.families.count == 15)
        for family in parsed.families {
            #expect(family.name.hasPrefix("vigil_"), "\(family.name)")
            #expect(family.helpCount == 1, "\(family.name): \(family.helpCount) HELP lines")
            #expect(family.typeCount == 1, "\(family.name): \(family.typeCount) TYPE lines")
            #expect(family.type == "counter" || family.type == "gauge")
            #expect((family.type == "counter") == family.name.hasSuffix("_total"), "\(family.name) is a \(family.type ?? "?")")
        }
        // Families with no sample still get HELP and TYPE (an empty snapshot).
        let empty = try ExpositionParser.parse(PrometheusTextfile.render(MetricsSnapshot(node: "n")))
        #expect(empty.families.count == 15)
        #expect(empty.families.allSatisfy { $0.helpCount == 1 && $0.typeCount == 1 })
    }

    @Test("output is deterministic: dictionary and peer order do not matter")
    func deterministic() {
        let a = Self.sample()
        var b = MetricsSnapshot(node: "ncc")
        b.lastReconciliation = ["gov-a": 1_700_000_000]
        b.uptimeSeconds = 3600.25
        b.storeAppendFailures = 0
        b.entriesReceived = 7
        b.entriesPosted = 4
        b.refusedEntries = [.badSignature: 1]
        b.refusedConnections = [.idleTimeout: 1, .notMember: 3]
        b.peers = a.peers
        b.configuredPeers = ["gov-a", "gov-b"]
        b.entriesByKind = ["message": 3, "sitrep": 2]
        b.entries = 5
        #expect(PrometheusTextfile.render(a) == PrometheusTextfile.render(b))
        #expect(PrometheusTextfile.render(a) == PrometheusTextfile.render(a))

        var many = MetricsSnapshot(node: "hub")
        many.peers = (0..<50).reversed().map { MetricsSnapshot.Peer(name: "p\($0)", entriesBehind: $0, roundTripMs: UInt64($0), lastSeenSeconds: 1) }
        var shuffled = many
        var rng = SeededRandom(seed: 7)
        shuffled.peers.shuffle(using: &rng)
        #expect(PrometheusTextfile.render(many) == PrometheusTextfile.render(shuffled))
        let names = PrometheusTextfile.render(many).split(separator: "\n")
            .filter { $0.hasPrefix("vigil_peer_entries_behind{") }
        #expect(names == names.sorted())
    }

    @Test("two connections to one peer give one series per metric: the most recently active")
    func duplicatePeers() throws {
        var s = MetricsSnapshot(node: "n")
        s.peers = [MetricsSnapshot.Peer(name: "x", entriesBehind: 9, roundTripMs: 90, lastSeenSeconds: 30),
                   MetricsSnapshot.Peer(name: "x", entriesBehind: 1, roundTripMs: 10, lastSeenSeconds: 0.25)]
        let parsed = try ExpositionParser.parse(PrometheusTextfile.render(s))
        let behind = parsed.samples.filter { $0.name == "vigil_peer_entries_behind" }
        #expect(behind.count == 1)
        #expect(behind.first?.value == 1)
        #expect(parsed.samples.first { $0.name == "vigil_peers_connected" }?.value == 1)
        #expect(s.peersConnected == 1)
    }

    @Test("every line is valid exposition syntax, with no duplicate series")
    func syntax() throws {
        var s = Self.sample()
        s.uptimeSeconds = 0.000_001
        s.peers.append(MetricsSnapshot.Peer(name: "nan", entriesBehind: 0, roundTripMs: nil, lastSeenSeconds: .infinity))
        let text = PrometheusTextfile.render(s)
        #expect(text.hasSuffix("\n"))
        let parsed = try ExpositionParser.parse(text)
        #expect(parsed.samples.count == text.split(separator: "\n").filter { !$0.hasPrefix("#") }.count)
        #expect(parsed.samples.contains { $0.name == "vigil_peer_last_seen_age_seconds" && $0.value == .infinity })
        #expect(parsed.samples.contains { $0.name == "vigil_uptime_seconds" && $0.value == 0.000_001 })
        // The parser itself refuses what it must.
        for bad in ["vigil x 1\n", "9vigil 1\n", "vigil{a=\"b} 1\n", "vigil{a=\"\\t\"} 1\n", "vigil{a=\"b\"} one\n",
                    "vigil{1a=\"b\"} 1\n", "vigil 1\nvigil 2\n", "# TYPE vigil gauge\n# TYPE vigil gauge\nvigil 1\n", "vigil 1"] {
            #expect(throws: ExpositionParser.Failure.self, "accepted \(bad.debugDescription)") { try ExpositionParser.parse(bad) }
        }
    }

    @Test("write is atomic: no temporary file is left, mode is 0644 even over a stale 0600 temporary, old content replaced")
    func atomicWrite() throws {
        let dir = try MetricsTempDir()
        defer { dir.remove() }
        let path = dir.path + "/vigil.prom"
        try Data("old content\n".utf8).write(to: URL(fileURLWithPath: path))
        // A temporary left by a crashed write, with a restrictive mode: it is overwritten and fixed.
        let stale = "\(path).tmp.\(getpid())"
        #expect(FileManager.default.createFile(atPath: stale, contents: Data("garbage".utf8), attributes: [.posixPermissions: 0o600]))
        try PrometheusTextfile.write(Self.sample(), to: path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["vigil.prom"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == PrometheusTextfile.render(Self.sample()))
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o644)
        #expect(info.st_mode & S_IFMT == S_IFREG)

        try PrometheusTextfile.write(MetricsSnapshot(node: "second"), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("node=\"second\""))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["vigil.prom"])
    }

    @Test("a write into a missing directory throws and leaves nothing behind")
    func writeFailure() throws {
        let dir = try MetricsTempDir()
        defer { dir.remove() }
        let path = dir.path + "/missing/vigil.prom"
        #expect {
            try PrometheusTextfile.write(Self.sample(), to: path)
        } throws: { error in
            guard let e = error as? MetricsWriteError else { return false }
            return e.step == "create" && e.code == ENOENT && e.description.contains("missing/vigil.prom.tmp.")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [])
    }

    @Test("close reason codes map to their categories")
    func connectionCategories() {
        let expected: [CloseReason.Code: ConnectionRefusalReason] = [
            .notMember: .notMember, .revoked: .revoked,
            .certificateRefused: .badCertificate, .refusedByPeer: .badCertificate, .wrongPeer: .badCertificate,
            .handshakeTimeout: .handshakeTimeout, .idleTimeout: .idleTimeout,
            .malformed: .malformed, .protocolViolation: .malformed, .notTLS: .malformed,
            .frameTooLarge: .frameTooLarge,
            .connectFailed: .other, .localFailure: .other, .transportError: .other, .tlsFailure: .other,
            .peerClosed: .other, .shutdown: .other, .slowPeer: .other, .roundTimeout: .other,
            .reconciliationFailed: .other, .connectedToItself: .other, .duplicateSession: .other,
        ]
        #expect(expected.count == CloseReason.Code.allCases.count)
        for code in CloseReason.Code.allCases {
            #expect(ConnectionRefusalReason(code) == expected[code], "\(code)")
        }
        #expect(ConnectionRefusalReason.allCases.map(\.rawValue) == ["not-member", "revoked", "bad-certificate", "handshake-timeout",
                                                                    "idle-timeout", "malformed", "frame-too-large", "other"])
    }

    @Test("entry refusal codes map to their categories")
    func entryCategories() {
        let expected: [Refusal.Code: EntryRefusalReason] = [
            .malformed: .malformed, .badSignature: .badSignature, .badAuthorKey: .badSignature, .wrongAuthor: .badSignature,
            .notMember: .notMember, .revoked: .revoked, .role: .role, .notAuthorised: .role, .invalidBody: .invalidBody,
            .roster: .invalidBody, .audience: .audience, .notOwnEntry: .other,
        ]
        for code in Refusal.Code.allCases {
            #expect(EntryRefusalReason(code) == expected[code], "\(code)")
        }
    }

    @Test("counters count by category and copy into a snapshot")
    func counters() {
        let c = MetricsCounters()
        c.connectionRefused(CloseReason(.notMember, "node x is not a member of demo: unknown or revoked"))
        c.connectionRefused(CloseReason(.idleTimeout, "nothing was received from the peer for 60 s (idle timeout)"))
        c.connectionRefused(CloseReason(.notMember, "node y is not a member of demo: unknown or revoked"))
        c.entryRefused(Refusal(.notMember, "author ab is not a federation member"))
        c.posted()
        c.posted(2)
        c.received(5)
        c.appendFailed()
        c.reconciled(peer: "gov-a", unixSeconds: 1_700_000_000.5)
        var s = MetricsSnapshot(node: "n")
        c.fill(&s)
        #expect(s.refusedConnections == [.notMember: 2, .idleTimeout: 1])
        #expect(s.refusedEntries == [.notMember: 1])
        #expect(s.entriesPosted == 3 && s.entriesReceived == 5 && s.storeAppendFailures == 1)
        #expect(s.lastReconciliation == ["gov-a": 1_700_000_000.5])
    }

    @Test("the writer writes on its timer, reports errors through the callback, and writes nothing after stop",
          .timeLimit(.minutes(1)))
    func periodicWriter() async throws {
        let dir = try MetricsTempDir()
        defer { dir.remove() }
        let path = dir.path + "/vigil.prom"
        let (writes, writeSink) = AsyncStream.makeStream(of: Void.self)
        let calls = MetricsCallCounter()
        let writer = MetricsWriter(path: path, interval: .milliseconds(5), provider: {
            var s = MetricsSnapshot(node: "timer")
            s.entriesPosted = calls.next()
            return s
        }, onError: { Issue.record("unexpected error \($0)") }, onWrite: { writeSink.yield() })
        writer.start()
        writer.start()   // a second start is a no-op
        var seen = 0
        for await _ in writes {
            seen += 1
            if seen == 3 { break }
        }
        writer.stop()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("vigil_entries_posted_total{node=\"timer\"} "))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["vigil.prom"])
        // After stop nothing is written, and stop(removingFile:) removes the file.
        #expect(await writer.writeOnce() == false)
        writer.stop(removingFile: true)
        #expect(!FileManager.default.fileExists(atPath: path))

        let (errors, errorSink) = AsyncStream.makeStream(of: String.self)
        let failing = MetricsWriter(path: dir.path + "/missing/vigil.prom", interval: .milliseconds(5),
                                    provider: { MetricsSnapshot(node: "x") }, onError: { errorSink.yield("\($0)") })
        failing.start()
        var messages: [String] = []
        for await message in errors {
            messages.append(message)
            if messages.count == 2 { break }   // it keeps trying after a failure
        }
        failing.stop()
        #expect(messages.allSatisfy { $0.contains("cannot write the metrics file") && $0.contains("No such file") })
    }

    @Test("writeOnce writes the provider's snapshot without the timer")
    func writeOnce() async throws {
        let dir = try MetricsTempDir()
        defer { dir.remove() }
        let path = dir.path + "/vigil.prom"
        let writer = MetricsWriter(path: path, provider: { Self.sample() }, onError: { Issue.record("\($0)") })
        #expect(writer.interval == .seconds(15))
        #expect(await writer.writeOnce())
        #expect(try String(contentsOfFile: path, encoding: .utf8) == PrometheusTextfile.render(Self.sample()))
        writer.stop()
    }
}

// MARK: Helpers

/// A strict parser of the text exposition format 0.0.4, as far as this exporter uses it.
private enum ExpositionParser {
    struct Failure: Error, CustomStringConvertible {
        let line: Int
        let reason: String
        var description: String { "line \(line): \(reason)" }
    }

    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Family {
        var name: String
        var type: String?
        var helpCount = 0
        var typeCount = 0
        var sampleCount = 0
    }

    struct Result {
        var families: [Family]
        var samples: [Sample]
    }

    static func isMetricName(_ s: Substring) -> Bool {
        guard let first = s.unicodeScalars.first, first.isASCIILetter || first == "_" || first == ":" else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" || $0 == ":" }
    }

    static func isLabelName(_ s: Substring) -> Bool {
        guard let first = s.unicodeScalars.first, first.isASCIILetter || first == "_" else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" }
    }

    static func parseValue(_ s: Substring) -> Double? {
        switch s {
        case "NaN": return .nan
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        default:
            guard !s.isEmpty, s.allSatisfy({ $0.isNumber || "+-.eE".contains($0) }) else { return nil }
            return Double(s)
        }
    }

    static func parse(_ text: String) throws -> Result {
        guard text.isEmpty || text.hasSuffix("\n") else { throw Failure(line: 0, reason: "the last line has no line feed") }
        var families: [Family] = []
        var index: [String: Int] = [:]
        var series = Set<String>()
        var samples: [Sample] = []
        var current: String?
        func family(_ name: String, _ n: Int) throws -> Int {
            if let i = index[name] {
                guard current == name else { throw Failure(line: n, reason: "family \(name) is not contiguous") }
                return i
            }
            index[name] = families.count
            families.append(Family(name: name))
            current = name
            return families.count - 1
        }
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
            let n = i + 1
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
                guard parts.count >= 3, parts[0] == "#" else { continue }   // a plain comment
                guard isMetricName(parts[2]) else { throw Failure(line: n, reason: "bad metric name in \(parts[1])") }
                let f = try family(String(parts[2]), n)
                switch parts[1] {
                case "HELP":
                    guard families[f].sampleCount == 0 else { throw Failure(line: n, reason: "HELP after samples") }
                    families[f].helpCount += 1
                case "TYPE":
                    guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                        throw Failure(line: n, reason: "bad TYPE line")
                    }
                    guard families[f].sampleCount == 0, families[f].typeCount == 0 else { throw Failure(line: n, reason: "TYPE repeated or after samples") }
                    families[f].typeCount += 1
                    families[f].type = String(parts[3])
                default: continue
                }
                continue
            }
            // name{labels} value
            var rest = line[...]
            let nameEnd = rest.firstIndex { $0 == "{" || $0 == " " } ?? rest.endIndex
            let name = rest[..<nameEnd]
            guard isMetricName(name) else { throw Failure(line: n, reason: "bad metric name \(name.debugDescription)") }
            rest = rest[nameEnd...]
            var labels: [String: String] = [:]
            var labelText = ""
            if rest.first == "{" {
                rest = rest.dropFirst()
                while rest.first != "}" {
                    guard let eq = rest.firstIndex(of: "="), isLabelName(rest[..<eq]) else { throw Failure(line: n, reason: "bad label name") }
                    let label = String(rest[..<eq])
                    rest = rest[rest.index(after: eq)...]
                    guard rest.first == "\"" else { throw Failure(line: n, reason: "label value not quoted") }
                    rest = rest.dropFirst()
                    var value = ""
                    var closed = false
                    while let c = rest.first {
                        rest = rest.dropFirst()
                        if c == "\"" { closed = true; break }
                        if c == "\\" {
                            switch rest.first {
                            case "\\": value.append("\\")
                            case "\"": value.append("\"")
                            case "n": value.append("\n")
                            default: throw Failure(line: n, reason: "bad escape in a label value")
                            }
                            rest = rest.dropFirst()
                        } else {
                            value.append(c)
                        }
                    }
                    guard closed else { throw Failure(line: n, reason: "unterminated label value") }
                    guard labels.updateValue(value, forKey: label) == nil else { throw Failure(line: n, reason: "label \(label) repeated") }
                    labelText += "\(label)=\(value.debugDescription),"
                    if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { throw Failure(line: n, reason: "expected , or }") }
                }
                rest = rest.dropFirst()
            }
            guard rest.first == " " else { throw Failure(line: n, reason: "no space before the value") }
            let fields = rest.dropFirst().split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 1 || fields.count == 2, let value = parseValue(fields[0]) else { throw Failure(line: n, reason: "bad value") }
            if fields.count == 2 { guard Int64(fields[1]) != nil else { throw Failure(line: n, reason: "bad timestamp") } }
            let f = try family(String(name), n)
            families[f].sampleCount += 1
            guard series.insert("\(name){\(labelText)}").inserted else { throw Failure(line: n, reason: "duplicate series") }
            samples.append(Sample(name: String(name), labels: labels, value: value))
        }
        return Result(families: families, samples: samples)
    }
}

private extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// A directory under the system temporary directory, removed by `remove()`.
private struct MetricsTempDir {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/vigil-metrics-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: made)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A thread-safe counter for providers.
private final class MetricsCallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
