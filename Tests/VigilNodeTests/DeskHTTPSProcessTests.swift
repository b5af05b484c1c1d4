import Foundation
import Testing
import VigilBrowserTesting
import VigilCrypto
import VigilDesk

/// The desk over HTTPS on real `vigil run` processes: the node's own certificate and key with the node's
/// TLS engine as the client (handshake, login, the Secure `__Host-` cookie, HSTS); plain HTTP on the
/// HTTPS port answered and closed; bad settings and files refused at start; and an officer logging in
/// over HTTPS in headless Chromium with an ECDSA certificate made by openssl, seeing an entry arrive live
/// and logging out. Screenshot:
/// `.build/desk-screenshots/node-https-feed.png`.
@Suite("Desk over HTTPS on real nodes", .serialized)
struct DeskHTTPSProcessTests {
    static func federation() throws -> FederationHarness {
        let fed = try FederationHarness([.init(name: "ncc", role: "authority", organisation: "National Crisis Centre", dials: [])])
        try DeskNodeProcessTests.addOfficer("duty", dir: fed.nodeDir("ncc"))
        return fed
    }

    static func port(_ address: String) throws -> UInt16 {
        try #require(UInt16(address.split(separator: ":").last ?? ""))
    }

    @Test("the node's own certificate: TLS handshake, GET /login, login POST with the Secure __Host- cookie and HSTS; plain HTTP on the port is answered and closed")
    func nodeCertificate() async throws { try await offPool { try self.nodeCertificateBody() } }

    func nodeCertificateBody() throws {
        let fed = try Self.federation()
        let dir = fed.nodeDir("ncc")
        try fed.start("ncc", extraArguments: ["--desk", "127.0.0.1:0", "--desk-cert", dir + "/node.crt", "--desk-key", dir + "/identity.key"])
        let desk = try #require(fed.processes["ncc"]?.deskAddress)
        #expect(desk.hasPrefix("https://127.0.0.1:"), "\(desk)")
        let port = try Self.port(desk)
        let ca = try Certificate(contentsOfFile: dir + "/ca.crt")

        let client = try HTTPSTestClient(port: port, trusting: ca)
        #expect(client.tls.protocolVersion == "TLSv1.3")
        let page = try client.request("GET /login HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
        #expect(page.status == 200 && String(decoding: page.body, as: UTF8.self).contains("/static/login.js"))
        #expect(page.header("strict-transport-security") == ["max-age=31536000"])
        let form = "name=duty&password=\(DeskNodeProcessTests.password.replacingOccurrences(of: " ", with: "+"))"
        let login = try client.request("POST /login HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nOrigin: https://127.0.0.1:\(port)\r\n"
                                       + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\n\r\n" + form)
        #expect(login.status == 303 && login.header("location") == ["/"])
        #expect(login.header("strict-transport-security") == ["max-age=31536000"])
        let cookie = try #require(login.header("set-cookie").first)
        #expect(cookie.hasPrefix("__Host-vigil-session=") && cookie.hasSuffix("; Path=/; HttpOnly; SameSite=Strict; Secure"), "\(cookie)")
        let token = String(cookie.split(separator: ";")[0])
        let me = try client.request("GET /api/me HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nCookie: \(token)\r\n\r\n")
        #expect(me.status == 200 && String(decoding: me.body, as: UTF8.self).contains("\"officer\":\"duty\""))
        // A login posted from an http:// page of the same host is refused over HTTPS.
        let fromHTTP = try client.request("POST /login HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nOrigin: http://127.0.0.1:\(port)\r\n"
                                          + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\n\r\n" + form)
        #expect(fromHTTP.status == 403 && fromHTTP.header("set-cookie").isEmpty)

        // Plain HTTP on the HTTPS port: a plain 400 that says where to go, then the connection closes.
        let plain = try MiniHTTPClient.raw(port: port, Array("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
        #expect(plain.status == 400)
        #expect(String(decoding: plain.body, as: UTF8.self) == "this desk speaks HTTPS only: open https://127.0.0.1:\(port)/\n")
        #expect(plain.head.contains("Connection: close"))
        // Garbage that is neither: the handshake fails and the connection closes (read to EOF).
        let garbage = try LoopbackSocket.connect(port: port)
        garbage.setReadTimeout(milliseconds: 30_000)
        #expect(garbage.write([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5]))
        var ended = false
        for _ in 0..<8 {
            if case .bytes = garbage.read() { continue }
            ended = true
            break
        }
        #expect(ended)
        garbage.shutdownBoth()
        // The desk goes on serving.
        #expect(try HTTPSTestClient(port: port, trusting: ca).request("GET /login HTTP/1.1\r\nHost: a\r\n\r\n").status == 200)
    }

    @Test("refused at start with what to do: a network address without HTTPS, one file without the other, a key that is not the certificate's, an expired certificate")
    func refusedAtStart() async throws { try await offPool { try self.refusedAtStartBody() } }

    func refusedAtStartBody() throws {
        let fed = try Self.federation()
        let dir = fed.nodeDir("ncc")
        let vigil = try FederationHarness.vigil()
        let network = try FederationHarness.run(vigil, ["run", "--dir", dir, "--desk", "0.0.0.0:0"])
        #expect(network.status == 2 && network.output.contains("must be served over HTTPS") && network.output.contains("--desk-cert FILE --desk-key FILE"), "\(network.output)")
        let half = try FederationHarness.run(vigil, ["run", "--dir", dir, "--desk", "0.0.0.0:0", "--desk-cert", dir + "/node.crt"])
        #expect(half.status == 2 && half.output.contains("--desk-key FILE"), "\(half.output)")
        let other = dir + "/other.key"
        try KeyFile.write(try SigningKey.generate(), to: other)
        let mismatch = try FederationHarness.run(vigil, ["run", "--dir", dir, "--desk", "127.0.0.1:0", "--desk-cert", dir + "/node.crt", "--desk-key", other])
        #expect(mismatch.status == 3 && mismatch.output.contains("is not the key of the certificate of \"ncc\""), "\(mismatch.output)")
        // node.json names the files relative to the node directory; an expired certificate stops the node.
        let ca = try CertificateAuthority(commonName: "Old CA", organisation: "Test", notBefore: Date(timeIntervalSinceNow: -10 * 86_400), notAfter: Date(timeIntervalSinceNow: 86_400))
        let key = try KeyFile.read(from: dir + "/identity.key")
        let expired = try ca.issue(for: key.publicKey, commonName: "ncc", organisation: "Test", notBefore: Date(timeIntervalSinceNow: -9 * 86_400), notAfter: Date(timeIntervalSinceNow: -86_400))
        try Data(expired.pemRepresentation.utf8).write(to: URL(fileURLWithPath: dir + "/expired.crt"))
        let configPath = dir + "/node.json"
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: configPath))) as? [String: Any])
        config["desk"] = "127.0.0.1:0"
        config["deskCert"] = "expired.crt"
        config["deskKey"] = "identity.key"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        let old = try FederationHarness.run(vigil, ["run", "--dir", dir])
        #expect(old.status == 3 && old.output.contains("the desk certificate \(dir)/expired.crt") && old.output.contains("expired on"), "\(old.output)")
    }

    @Test("an officer logs in over HTTPS in headless Chromium (ECDSA certificate made by openssl)")
    func browser() async throws { try await offPool { try self.browserBody() } }

    func browserBody() throws {
        let fed = try Self.federation()
        let dir = fed.nodeDir("ncc")
        let made = try FederationHarness.run(URL(fileURLWithPath: "/usr/bin/openssl"), [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", dir + "/desk.key", "-out", dir + "/desk.crt",
            "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        #expect(made.status == 0, "\(made.output)")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: dir + "/desk.key")
        try fed.start("ncc", extraArguments: ["--desk", "127.0.0.1:0", "--desk-cert", dir + "/desk.crt", "--desk-key", dir + "/desk.key"])
        let desk = try #require(fed.processes["ncc"]?.deskAddress)
        #expect(desk.hasPrefix("https://"))

        let browser = try WebDriver(acceptInsecureCerts: true)
        defer { browser.quit() }
        try browser.go(desk + "/")
        #expect(try browser.currentURL() == desk + "/login")
        try browser.type("#name", "duty")
        try browser.type("#password", DeskNodeProcessTests.password)
        try browser.click("#login-submit")
        #expect(try browser.text("#officer:not(:empty)") == "duty")
        _ = try browser.find("#live[data-state=open]")
        // Over HTTPS, the session cookie is out of the page's reach (HttpOnly) and the page is a secure context.
        #expect(try browser.script("return location.protocol + ' [' + document.cookie + ']'") == "https: []")
        // An entry admitted at the node arrives on the open page over the encrypted event stream.
        let id = try fed.post("ncc", text: "Received over HTTPS")
        let title = try browser.text("li[data-id=\"\(id.hex)\"] .title")
        #expect(title.contains("Received over HTTPS"), "\(title)")
        try browser.screenshot("node-https-feed")
        // Logging out posts from the https:// page: accepted, and the session is gone.
        try browser.click("#logout-form button")
        _ = try browser.find("#login-submit")
        #expect(try browser.currentURL() == desk + "/login")
    }
}
