import Foundation
import Synchronization
import Testing
import VigilAPI
import VigilModel
import VigilNode

/// The local API of a real node process, served from the node's own loop: malformed requests get a clear
/// error and the node keeps serving; `follow` is driven by admissions; lists show the current state.
@Suite("local API on a real node", .serialized)
struct LocalAPIProcessTests {
    func failure(_ answer: [UInt8]) throws -> APIFailure {
        do {
            _ = try APICodec.decodeAnswer(answer, for: StatusRequest.self)
            throw HarnessError("an answer where a failure was expected: \(String(decoding: answer, as: UTF8.self))")
        } catch let failure as APIFailure {
            return failure
        }
    }

    @Test("malformed requests get a clear error naming what is wrong, requests on one connection are answered in order, and the node keeps serving")
    func malformed() throws {
        let fed = try FederationHarness([.init(name: "a", role: "authority", organisation: "Centre A", dials: [])])
        try fed.start("a")
        let api = fed.api("a")
        let cases: [(String, String)] = [
            ("{not json\n", "not valid JSON"),
            ("{\"op\":\"launch\"}\n", "unknown op \"launch\""),
            ("{\"op\":\"show\"}\n", "show: missing field \"id\""),
            ("{\"op\":\"entries\",\"limit\":\"ten\"}\n", "entries: field \"limit\" must be a number"),
            ("{\"op\":\"compose\",\"kind\":\"memo\",\"fields\":{}}\n", "compose: \"kind\" must be one of"),
            ("{\"op\":\"compose\",\"kind\":\"sitrep\",\"fields\":{\"level\":1}}\n", "sitrep"),
            ("{\"op\":\"show\",\"id\":\"\(String(repeating: "0", count: 64))\"}\n", "no entry"),
        ]
        for (line, expected) in cases {
            let error = try failure(try api.exchange(Array(line.utf8)))
            #expect(error.error.contains(expected), "\(line) → \(error.error)")
        }
        // A refused post names the field, typed, as the desk needs it.
        let refused = try failure(try api.exchange(Array("{\"op\":\"compose\",\"kind\":\"threat\",\"fields\":{\"level\":7,\"title\":\"t\",\"scope\":{\"regions\":[\"Antwerp\"]},\"valid_from\":\"2026-11-24T10:00:00Z\"}}\n".utf8)))
        #expect(refused.code == .refused && refused.refusal?.code == .invalidBody && refused.refusal?.field == "level", "\(refused)")
        // An oversized line: an error, then the connection is closed.
        let huge = try failure(try api.exchange([UInt8](repeating: 0x61, count: APICodec.maxRequestLine + 10)))
        #expect(huge.error.contains("longer than"))
        // Three requests in one write are answered in order on one connection.
        let id = try fed.post("a", text: "answered in order")
        let three = Array(("{\"op\":\"status\"}\n{\"op\":\"bogus\"}\n{\"op\":\"get\",\"id\":\"\(id.hex)\"}\n").utf8)
        let lines = try rawExchange(fed.nodeDir("a") + "/node.sock", three, lines: 3)
        #expect(try APICodec.decodeAnswer(lines[0], for: StatusRequest.self).status.entries == 1)
        #expect(try failure(lines[1]).error.contains("unknown op"))
        #expect(try APICodec.decodeAnswer(lines[2], for: GetRequest.self).entry.id == id.hex)
        // Still serving.
        #expect(try api.send(StatusRequest()).status.name == "a")
    }

    @Test("follow writes each entry as it is held, without polling; a follower that disconnects does not disturb the node")
    func follow() throws {
        let fed = try FederationHarness([.init(name: "a", role: "authority", organisation: "Centre A", dials: []),
                                         .init(name: "b", role: "government", organisation: "Gov B", dials: ["a"])])
        try fed.start("a")
        try fed.start("b")
        let first = try fed.post("a", text: "before the follower")
        #expect(try fed.waitFor("b", [first]) == [])
        // A follower that goes away right after the backlog marker.
        let marker = try APICodec.decodeAnswer(try fed.api("b").exchange(try APICodec.encodeRequest(FollowRequest(last: 0))), for: FollowRequest.self)
        #expect(marker.following == true)
        // A follower that stays: backlog of one, marker, then live entries posted at the other node.
        let seen = Mutex<[FollowLine]>([])
        let ready = DispatchSemaphore(value: 0)
        let arrived = DispatchSemaphore(value: 0)
        let api = fed.api("b")
        let thread = Thread {
            try? api.follow(FollowRequest(last: 1)) { line in
                let count = seen.withLock { $0.append(line); return $0.count }
                if line.following == true { ready.signal() } else if count > 2 { arrived.signal() }
                return count < 4
            }
        }
        thread.start()
        #expect(ready.wait(timeout: .now() + 20) == .success, "no follow marker")
        let second = try fed.post("a", text: "live one")
        let third = try fed.post("a", text: "live two")
        #expect(arrived.wait(timeout: .now() + 20) == .success)
        #expect(arrived.wait(timeout: .now() + 20) == .success)
        let lines = seen.withLock { $0 }
        #expect(lines.first?.entry?.id == first, "backlog: \(lines)")
        #expect(lines[1].following == true)
        #expect(lines.dropFirst(2).compactMap(\.entry?.id) == [second, third])
        #expect(try fed.api("b").send(StatusRequest()).status.entries == 3)
    }

    @Test("a kept connection carries many requests in order; posts from clients in flight at once are all acknowledged durable, held by the peer, and stored once each")
    func keptConnections() throws {
        let fed = try FederationHarness([.init(name: "a", role: "authority", organisation: "Centre A", dials: []),
                                         .init(name: "b", role: "government", organisation: "Gov B", dials: ["a"])])
        try fed.start("a")
        try fed.start("b")
        let path = fed.nodeDir("a") + "/node.sock"
        // One connection: posts, a refusal, a read and a status, answered in order on the same socket.
        let connection = try LocalAPIConnection(path: path)
        @Sendable func message(_ text: String) -> ComposeRequest {
            ComposeRequest(kind: "message", fields: .object(["subject": .string(text), "text": .string(text)]))
        }
        let first = try connection.send(message("kept one")).id
        let second = try connection.send(message("kept two")).id
        #expect(first != second)
        #expect(throws: APIFailure.self) { try connection.send(ComposeRequest(kind: "message", fields: .object(["text": .integer(7)]))) }
        #expect(try connection.send(GetRequest(id: first)).entry.id == first.hex)
        #expect(try connection.send(StatusRequest()).status.entries == 2)
        // follow is refused on a kept connection, which stays usable.
        #expect(throws: APIFailure.self) { try connection.send(FollowRequest()) }
        #expect(try connection.send(StatusRequest()).status.name == "a")
        connection.close()
        do {
            _ = try connection.send(StatusRequest())
            Issue.record("a closed connection answered")
        } catch {
            #expect(error.code == .unavailable && error.error.contains("closed"), "\(error)")
        }
        // Four clients, each on its own kept connection, posting at once: whatever the loop gathers into
        // one append, every post is answered once durable, with its own id.
        let ids = Mutex<[EntryID]>([])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { client in
            do {
                let kept = try LocalAPIConnection(path: path)
                for i in 0..<25 { let id = try kept.send(message("client \(client) post \(i)")).id; ids.withLock { $0.append(id) } }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let posted = ids.withLock { $0 }
        #expect(posted.count == 100 && Set(posted).count == 100)
        #expect(try fed.waitFor("a", posted, timeoutMs: 1) == [], "an acknowledged post is held at once")
        #expect(try fed.waitFor("b", posted + [first, second]) == [])
        #expect(try fed.api("a").send(StatusRequest()).status.entries == 102)
        #expect(try fed.api("b").send(StatusRequest()).status.entries == 102)
    }

    @Test("list and show summarise a document's current state; vigil list --json prints an empty list as []")
    func currentState() throws {
        let fed = try Officer.federation(["auth", "gov"])
        let s = try Officer.postedID(fed.vigil("auth", ["post", "sitrep"] + Officer.sitrep(severity: "moderate") + ["--json"]))
        let u = try Officer.postedID(fed.vigil("auth", ["update", s, "--severity", "extreme", "--json"]))
        #expect(try fed.waitHex("gov", [s, u]) == [])
        let list = try fed.vigil("gov", ["list", "--kind", "sitrep"])
        #expect(list.status == 0 && list.stdout.contains("extreme (amended)") && !list.stdout.contains("moderate"), "\(list)")
        let shown = try fed.vigil("gov", ["show", String(s.prefix(12))])
        #expect(shown.stdout.split(separator: "\n").first?.contains("extreme") == true, "\(shown)")
        let empty = try fed.vigil("gov", ["list", "--kind", "threat", "--json"])
        #expect(empty.status == 0 && empty.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(empty)")
    }

    /// Writes `bytes` on one connection and reads `lines` answer lines.
    func rawExchange(_ path: String, _ bytes: [UInt8], lines count: Int) throws -> [[UInt8]] {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw HarnessError("cannot connect to \(path)") }
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var buffer: [UInt8] = []
        var out: [[UInt8]] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while out.count < count {
            if let newline = buffer.firstIndex(of: 0x0a) {
                out.append(Array(buffer[..<newline]))
                buffer.removeFirst(newline + 1)
                continue
            }
            let n = read(fd, &chunk, chunk.count)
            guard n > 0 else { throw HarnessError("the node closed the connection after \(out.count) answers") }
            buffer += chunk[0..<n]
        }
        return out
    }
}

@Suite("vigil status while a peer is away", .serialized)
struct RedialStatusTests {
    @Test("a node whose peer went away says when it tries again")
    func nextTry() throws {
        let fed = try FederationHarness([.init(name: "a", role: "authority", organisation: "Centre A", dials: []),
                                         .init(name: "b", role: "government", organisation: "Gov B", dials: ["a"])])
        try fed.start("a")
        try fed.start("b")
        let first = try fed.post("a", text: "connected")
        #expect(try fed.waitFor("b", [first]) == [])
        fed.stop("a")
        let b = try #require(fed.processes["b"])
        #expect(b.waitForLog(anyOf: [["event=redial-scheduled", "peer=a"]]) != nil, "b did not schedule a redial: \(b.logs().suffix(5))")
        let status = try fed.api("b").send(StatusRequest()).status
        let redial = try #require(status.redials?.first { $0.name == "a" }, "\(status)")
        #expect(redial.nextTrySeconds.map { $0 <= 60 } ?? true)
        let shown = try fed.vigil("b", ["status"])
        #expect(shown.status == 0 && shown.stdout.contains("a: not connected, "), "\(shown)")
    }
}
