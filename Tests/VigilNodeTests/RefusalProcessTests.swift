import Foundation
import Glibc
import Testing
import VigilModel
import VigilNode

/// Bad connections against a real `vigil run` process: each is refused (or its session closed) with a
/// logged reason, and after each one the node still serves its real peer. The network-layer version of
/// the same cases is `VigilNetTests/RefusalTests.swift`; an unknown node with a valid certificate is
/// `FederationProcessTests.nonMemberRefused`.
@Suite("A real node refuses bad connections and keeps serving its peers", .serialized)
struct RefusalProcessTests {
    @Test("garbage, no certificate, another CA, an expired certificate, an oversized frame, a malformed reconciliation message")
    func refusesBadConnectionsWhileServing() throws {
        guard let openssl = RefusalTools.openssl() else {
            Issue.record("openssl is not installed: these tests drive `openssl s_client` and make certificates with it; install it (`. Scripts/setup-env` does, or `apt-get install openssl`)")
            return
        }
        // A write to a client that already went away must be an error here, not a SIGPIPE that kills
        // the test process before it stops its nodes.
        signal(SIGPIPE, SIG_IGN)

        // a dials b; b is the node under attack; m is a member that never runs, so its key is free to
        // present valid member certificates with.
        let fed = try FederationHarness([
            .init(name: "a", role: "authority", organisation: "Centre A", dials: ["b"]),
            .init(name: "b", role: "government", organisation: "Province B", dials: []),
            .init(name: "m", role: "company", organisation: "Member M", dials: []),
        ])
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-refuse-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let clients = RefusalClients()
        defer {
            clients.stopAll()
            try? FileManager.default.removeItem(at: work)
        }
        for n in ["b", "a"] { try fed.start(n) }
        let b = try #require(fed.processes["b"])
        let a = try #require(fed.processes["a"])
        let port = try #require(fed.ports["b"])

        var served = 0
        /// After each bad connection: an entry posted at a still reaches b over their session.
        func stillServes(_ after: String) throws {
            served += 1
            let id = try fed.post("a", text: "posted at a after \(after) (\(served))")
            #expect(try fed.waitFor("b", [id]) == [], "after \(after), b no longer received a's entries: \(b.logs().suffix(8))")
        }
        func expectLog(_ node: NodeProcess, _ parts: [String], _ what: String) {
            #expect(node.waitForLog(parts, seconds: 15), "\(what): no log line with \(parts) at \(node.name); last lines: \(node.logs().suffix(8))")
        }
        try stillServes("start")

        // 1. Plain text, then random bytes, on the TLS port.
        let http = try RefusalRawSocket.exchange(port: port, bytes: Array("GET / HTTP/1.0\r\n\r\n".utf8))
        expectLog(b, ["event=connection-refused", "remote=127.0.0.1:\(http.localPort)", "code=not-tls", "TLS handshake failed", "does not speak TLS"], "plain-text HTTP")
        #expect(http.closedByServer, "b did not close the plain-text connection")
        try stillServes("plain-text HTTP")

        var generator = SeededRandom(seed: 0x5eed_0f_0516_11)   // the same bytes as before: SplitMix64
        let noise: [UInt8] = [0x00, 0x00] + (0..<62).map { _ in UInt8(truncatingIfNeeded: generator.next()) }   // record type 0, version 0.0: not TLS
        let random = try RefusalRawSocket.exchange(port: port, bytes: noise)
        expectLog(b, ["event=connection-refused", "remote=127.0.0.1:\(random.localPort)", "code=not-tls", "TLS handshake failed", "does not speak TLS"], "random bytes")
        #expect(random.closedByServer, "b did not close the random-bytes connection")
        try stillServes("random bytes")

        // 2. A TLS 1.3 client without a certificate.
        let bare = try clients.start(openssl, port: port, certificate: nil, in: work, label: "no-certificate")
        expectLog(b, ["event=connection-refused", "remote=127.0.0.1:", "code=certificate-refused", "TLS handshake failed", "the peer presented no certificate"], "no client certificate")
        #expect(bare.waitForExit(seconds: 15), "s_client without a certificate was not disconnected: \(bare.output())")
        #expect(bare.output().contains("alert certificate required"), "the client was not told why: \(bare.output())")
        try stillServes("a client without a certificate")

        // 3. A certificate from another CA (with the same name as the federation's).
        let rogue = work.appendingPathComponent("rogue")
        try FileManager.default.createDirectory(at: rogue, withIntermediateDirectories: true)
        let rogueFederation: [String: Any] = [
            "federation": "Test Federation", "authority": "intruder",
            "nodes": [["name": "intruder", "organisation": "Intruder Ltd", "role": "company", "port": 1, "dials": [String]()]],
        ]
        try JSONSerialization.data(withJSONObject: rogueFederation).write(to: rogue.appendingPathComponent("federation.json"))
        let made = try FederationHarness.run(FederationHarness.root.appendingPathComponent("Scripts/certs"),
                                             ["--peers", rogue.appendingPathComponent("federation.json").path, "--out", rogue.appendingPathComponent("certs").path])
        try #require(made.status == 0, "Scripts/certs for the second federation failed: \(made.output)")
        let intruderDir = rogue.appendingPathComponent("certs/intruder").path
        let intruder = try clients.start(openssl, port: port, certificate: (intruderDir + "/node.crt", intruderDir + "/identity.key"), in: work, label: "another-ca")
        expectLog(b, ["event=connection-refused", "code=certificate-refused", "TLS handshake failed", "the peer's certificate was refused", "not issued by this federation's CA"], "certificate from another CA")
        #expect(intruder.waitForExit(seconds: 15), "s_client with another CA's certificate was not disconnected: \(intruder.output())")
        #expect(intruder.output().contains("alert unknown ca"), "the client was not told why: \(intruder.output())")
        try stillServes("a certificate from another CA")

        // 4. m's own key, with a certificate from the federation CA that expired in 2020.
        let expired = try RefusalTools.expiredCertificate(openssl, caDirectory: fed.dir.appendingPathComponent("certs/ca"),
                                                          key: fed.nodeDir("m") + "/identity.key", in: work.appendingPathComponent("expired"))
        let old = try clients.start(openssl, port: port, certificate: (expired, fed.nodeDir("m") + "/identity.key"), in: work, label: "expired")
        expectLog(b, ["event=connection-refused", "code=certificate-refused", "TLS handshake failed", "certificate has expired"], "expired certificate")
        #expect(old.waitForExit(seconds: 15), "s_client with an expired certificate was not disconnected: \(old.output())")
        #expect(old.output().contains("alert certificate expired"), "the client was not told why: \(old.output())")
        try stillServes("an expired certificate")

        // 5a. m's valid certificate, then a frame header announcing 1 MiB (the limit is 256 KiB).
        let member = (fed.nodeDir("m") + "/node.crt", fed.nodeDir("m") + "/identity.key")
        let big = try clients.start(openssl, port: port, certificate: member, in: work, label: "oversized")
        try big.send([0x00, 0x10, 0x00, 0x00, 0x04])
        expectLog(b, ["event=session-closed", "peer=m", "code=frame-too-large", "malformed frame from the peer", "frame of 1048576 bytes is over the limit of 262144"], "oversized frame header")
        #expect(big.waitForExit(seconds: 15), "s_client that sent an oversized frame was not disconnected: \(big.output())")
        try stillServes("an oversized frame")

        // 5b. m's valid certificate, HELLO, then a RECONCILE_BEGIN whose Negentropy message starts with
        // 0x00 instead of the version byte 0x61.
        let malformed = try clients.start(openssl, port: port, certificate: member, in: work, label: "malformed")
        let hello = RefusalFrames.frame(type: 0x01, payload: RefusalFrames.varint(1) + RefusalFrames.varint(0)
                                        + RefusalFrames.varint(UInt64(Date().timeIntervalSince1970 * 1000)) + RefusalFrames.varint(0))
        try malformed.send(hello + RefusalFrames.frame(type: 0x08, payload: [0x00, 0x01, 0x02]))
        expectLog(b, ["event=session-closing", "peer=m", "code=malformed", "malformed reconciliation message"], "malformed reconciliation message (closing)")
        expectLog(b, ["event=session-closed", "peer=m", "code=malformed", "malformed reconciliation message"], "malformed reconciliation message (closed)")
        #expect(malformed.waitForExit(seconds: 15), "s_client that sent a malformed reconciliation message was not disconnected: \(malformed.output())")
        // The node's GOODBYE (type 0x07) carries the reason to the peer.
        #expect(malformed.output().contains("malformed reconciliation message: byte offset 0 holds 0x00"), "the GOODBYE did not reach the client: \(malformed.output())")
        try stillServes("a malformed reconciliation message")

        // The real session was never disturbed, and b still serves a the other way too.
        let fromB = try fed.post("b", text: "posted at b after every refusal")
        #expect(try fed.waitFor("a", [fromB]) == [], "a did not receive b's entry: \(a.logs().suffix(8))")
        #expect(!b.logs().contains { $0.contains("event=session-closed") && $0.contains("peer=a ") }, "b lost its session with a: \(b.logs().filter { $0.contains("session-closed") })")
        #expect(!a.logs().contains { $0.contains("event=session-closed") && $0.contains("peer=b ") }, "a lost its session with b: \(a.logs().filter { $0.contains("session-closed") })")
    }
}

// MARK: - Helpers (private to this file)

private enum RefusalTools {
    /// The `openssl` executable on PATH, or nil.
    static func openssl() -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"] {
            let candidate = URL(fileURLWithPath: dir).appendingPathComponent("openssl")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// A certificate for `key` signed by the federation CA in `caDirectory` (ca.key, ca.crt), valid only
    /// on 1 January 2020: `openssl ca` takes explicit start and end dates (OpenSSL 3.0's `x509 -req`
    /// does not), so the certificate is expired whatever the clock says. Returns its path.
    static func expiredCertificate(_ openssl: URL, caDirectory: URL, key: String, in dir: URL) throws -> String {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let config = """
        [ca]
        default_ca = expired
        [expired]
        database = \(dir.path)/index.txt
        new_certs_dir = \(dir.path)
        serial = \(dir.path)/serial
        policy = anything
        unique_subject = no
        preserve = yes
        [anything]
        organizationName = optional
        commonName = supplied
        [member]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature
        extendedKeyUsage = serverAuth,clientAuth
        subjectAltName = DNS:m,DNS:localhost,IP:127.0.0.1
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid

        """
        try Data(config.utf8).write(to: dir.appendingPathComponent("ca.cnf"))
        try Data().write(to: dir.appendingPathComponent("index.txt"))
        try Data("1000\n".utf8).write(to: dir.appendingPathComponent("serial"))
        let csr = dir.appendingPathComponent("m.csr").path, crt = dir.appendingPathComponent("m-expired.crt").path
        let request = try FederationHarness.run(openssl, ["req", "-new", "-key", key, "-out", csr, "-subj", "/O=Member M/CN=m"])
        try #require(request.status == 0, "openssl req failed: \(request.output)")
        let signed = try FederationHarness.run(openssl, [
            "ca", "-batch", "-config", dir.appendingPathComponent("ca.cnf").path, "-notext", "-md", "default",
            "-keyfile", caDirectory.appendingPathComponent("ca.key").path, "-cert", caDirectory.appendingPathComponent("ca.crt").path,
            "-in", csr, "-out", crt, "-startdate", "20200101000000Z", "-enddate", "20200102000000Z", "-extensions", "member",
        ])
        try #require(signed.status == 0, "openssl ca failed: \(signed.output)")
        // The certificate is the federation's, and its only fault is its age.
        let verify = try FederationHarness.run(openssl, ["verify", "-CAfile", caDirectory.appendingPathComponent("ca.crt").path, crt])
        try #require(verify.output.contains("certificate has expired"), "the made certificate is not (only) expired: \(verify.output)")
        let current = try FederationHarness.run(openssl, ["verify", "-no_check_time", "-CAfile", caDirectory.appendingPathComponent("ca.crt").path, crt])
        try #require(current.status == 0, "the made certificate does not verify when its dates are ignored: \(current.output)")
        return crt
    }
}

/// Every `openssl s_client` this test started, so that all are stopped whatever happens.
private final class RefusalClients {
    private var started: [RefusalTLSClient] = []

    func start(_ openssl: URL, port: Int, certificate: (crt: String, key: String)?, in dir: URL, label: String) throws -> RefusalTLSClient {
        let client = try RefusalTLSClient(openssl, port: port, certificate: certificate, output: dir.appendingPathComponent("s_client-\(label).out"))
        started.append(client)
        return client
    }

    func stopAll() {
        for client in started { client.stop() }
        started = []
    }
}

/// `openssl s_client -quiet` to 127.0.0.1: bytes written to its standard input go to the node inside
/// TLS 1.3; its output (the node's frames, s_client's diagnostics) goes to a file. Its input stays
/// open until `stop()`, so when it exits on its own, it is because the node closed the connection.
private final class RefusalTLSClient {
    let process = Process()
    private let input = Pipe()
    private let outputFile: URL
    private let exited = DispatchSemaphore(value: 0)
    private var inputClosed = false

    init(_ openssl: URL, port: Int, certificate: (crt: String, key: String)?, output: URL) throws {
        outputFile = output
        process.executableURL = openssl
        // -quiet implies -ign_eof: s_client lives on after its input ends, until the node closes.
        var arguments = ["s_client", "-connect", "127.0.0.1:\(port)", "-tls1_3", "-quiet"]
        if let certificate { arguments += ["-cert", certificate.crt, "-key", certificate.key] }
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = input
        let exited = exited
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        try handle.close()
    }

    deinit { stop() }

    /// Writes `bytes` to s_client's standard input (it sends them once the handshake is done).
    func send(_ bytes: [UInt8]) throws {
        try input.fileHandleForWriting.write(contentsOf: Data(bytes))
    }

    func closeInput() {
        guard !inputClosed else { return }
        inputClosed = true
        try? input.fileHandleForWriting.close()
    }

    /// Waits for s_client to end on its own (the node closed the connection); false on timeout.
    func waitForExit(seconds: Double) -> Bool {
        guard exited.wait(timeout: .now() + seconds) == .success else { return false }
        exited.signal()   // stays observable for `stop`
        return true
    }

    func output() -> String {
        String(decoding: (try? Data(contentsOf: outputFile)) ?? Data(), as: UTF8.self)
    }

    func stop() {
        closeInput()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

/// A plain TCP client of 127.0.0.1.
private enum RefusalRawSocket {
    /// Connects, writes `bytes`, then reads until the server closes (at most 15 s).
    static func exchange(port: Int, bytes: [UInt8]) throws -> (localPort: Int, closedByServer: Bool) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw HarnessError("connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let written = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard written == bytes.count else { throw HarnessError("write to 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var closed = false
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { continue }   // the alert, if any
            closed = n == 0 || errno == ECONNRESET
            break
        }
        return (Int(UInt16(bigEndian: local.sin_port)), closed)
    }
}

/// Frames built by hand, following docs/sync-protocol.md.
private enum RefusalFrames {
    /// u32 big-endian length of type byte + payload, the type byte, the payload.
    static func frame(type: UInt8, payload: [UInt8]) -> [UInt8] {
        let length = UInt32(1 + payload.count)
        return [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), type] + payload
    }

    /// Unsigned LEB128, shortest form.
    static func varint(_ value: UInt64) -> [UInt8] {
        var v = value, out: [UInt8] = []
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
        return out
    }
}

