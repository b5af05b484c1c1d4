import Foundation
import Testing
import VigilAPI
import VigilBrowserTesting
import VigilCrypto
import VigilDesk
import VigilModel
import VigilNode

/// The desk served by real `vigil run` processes, in headless Chromium: two nodes on loopback; the
/// officer of gov-antwerp logs in (and, after logging out, fails with a wrong password), sees an entry posted on the other node
/// arrive without a reload, rendered inertly although it is hostile, and acknowledges it; the
/// acknowledgement names the officer on both nodes. Then a situation report through the generated form
/// (refused first, the reason next to the field), amended, and the amendment shown as a diff. Screenshots go to `.build/desk-screenshots/node-*.png`.
@Suite("Desk on real nodes", .serialized)
struct DeskNodeProcessTests {
    static let password = "correct horse battery"
    static let hostile = #"<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> javascript:alert(1)"#

    /// Writes an officer file as `vigil desk add-officer` does (a cheap scrypt cost, for the test's speed).
    static func addOfficer(_ name: String, dir: String) throws {
        var accounts = OfficerAccounts()
        try accounts.add(name: name, password: password, salt: SecureRandom.bytes(16), now: 0, parameters: Scrypt.Parameters(n: 1024, r: 8, p: 1))
        let path = dir + "/" + OfficerAccounts.fileName
        guard FileManager.default.createFile(atPath: path, contents: Data(accounts.fileBytes), attributes: [.posixPermissions: 0o600]) else {
            throw HarnessError("cannot write \(path)")
        }
    }

    @Test("log in, a live entry from the other node rendered inertly, acknowledged with the officer's name")
    func desk() async throws { try await offPool { try self.deskBody() } }

    func deskBody() throws {
        let fed = try FederationHarness([
            .init(name: "ncc", role: "authority", organisation: "National Crisis Centre", dials: []),
            .init(name: "gov-antwerp", role: "government", organisation: "Governor of Antwerp", dials: ["ncc"]),
        ])
        try Self.addOfficer("duty", dir: fed.nodeDir("gov-antwerp"))
        try fed.start("ncc")
        try fed.start("gov-antwerp", extraArguments: ["--desk", "127.0.0.1:0"])
        let desk = try #require(fed.processes["gov-antwerp"]?.deskAddress)
        #expect(fed.processes["ncc"]?.deskAddress == nil)

        // The node's own HTTP host: malformed and oversized requests get their HTTP error, byte-by-byte
        // requests are assembled, and the node goes on serving.
        let port = try #require(UInt16(desk.split(separator: ":").last ?? ""))
        for (text, status) in [("GET / HTTP/1.1\r\n\r\n", 400), ("GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\nHost: a\r\n\r\n", 414),
                               ("POST /login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
                               ("POST /api/ack HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}", 401)] {
            let answer = try MiniHTTPClient.raw(port: port, Array(text.utf8))
            #expect(answer.status == status, "\(text.prefix(40).debugDescription)")
        }
        let socket = try LoopbackSocket.connect(port: port)
        for byte in Array("GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8) { #expect(socket.write([byte])) }
        var head: [UInt8] = []
        while !head.starts(with: Array("HTTP/1.1 200".utf8)), head.count < 12, case .bytes(let more) = socket.read() { head += more }
        #expect(head.starts(with: Array("HTTP/1.1 200".utf8)))
        socket.shutdownBoth()
        #expect(try MiniHTTPClient.request(port: port, method: "GET", path: "/login").status == 200)

        let browser = try WebDriver()
        defer { browser.quit() }
        try browser.go(desk + "/")
        #expect(try browser.currentURL().hasSuffix("/login"))
        // The right password (a wrong one comes last: the growing delay after it would hold up this login).
        try browser.type("#name", "duty")
        try browser.type("#password", Self.password)
        try browser.click("#login-submit")
        #expect(try browser.text("#officer:not(:empty)") == "duty")
        _ = try browser.find("#live[data-state=open]")
        _ = try browser.script("window.notReloaded = 'yes'; return 'ok'")

        // Posted on ncc, pushed to gov-antwerp, pushed to the open desk.
        let id = try fed.post("ncc", text: Self.hostile)
        #expect(try fed.waitFor("gov-antwerp", [id]).isEmpty)
        let row = "li[data-id=\"\(id.hex)\"]"
        #expect(try browser.text(row + " .title").contains("<script>window.pwned=2</script>"))
        #expect(try browser.script("return window.notReloaded") == "yes")
        #expect(try browser.script("return String(window.pwned) + ':' + document.querySelectorAll('#feed img, #feed script, a[href^=\"javascript\"]').length") == "undefined:0")
        try browser.screenshot("node-feed-live")

        // Its page: inert too; acknowledged by the officer, after which the button is gone.
        try browser.click(row + " a")
        #expect(try browser.text("#entry-title").contains("<script>"))
        #expect(try browser.script("return [...document.querySelectorAll('#view dd')].map((d) => d.textContent).join('|')").contains("javascript:alert(1)"))
        #expect(try browser.script("return String(window.pwned) + ':' + document.querySelectorAll('#view img, #view script, a[href^=\"javascript\"]').length") == "undefined:0")
        try browser.click("#ack")
        _ = try browser.find("#acked")
        #expect(try browser.script("return String(document.querySelector('#ack'))") == "null")
        #expect(try browser.text("#view ul li").contains("(duty)"))
        try browser.screenshot("node-entry-acknowledged")

        // The acknowledgement names the officer, on this node and, once synced, on the author's.
        let here = try fed.api("gov-antwerp").send(ShowRequest(id: id)).entry.acknowledgements
        #expect(here.contains { $0.member == "gov-antwerp" && $0.officer == "duty" })
        var acks = EntriesRequest()
        acks.kinds = ["ack"]
        let ackIDs = try fed.api("gov-antwerp").send(acks).entries.filter { $0.refs.first == id }.map(\.id)
        #expect(!ackIDs.isEmpty)
        #expect(try fed.waitFor("ncc", ackIDs).isEmpty)
        let there = try fed.api("ncc").send(ShowRequest(id: id)).entry.acknowledgements
        #expect(there.contains { $0.member == "gov-antwerp" && $0.officer == "duty" && $0.confirmed != nil })

        // A situation report through the form generated from its schema: first refused (an initial
        // report numbered 2), the reason next to the field; then posted; then amended, with the diff.
        try browser.go(desk + "/#post/sitrep")
        let fallback = try browser.text("#default-audience")
        #expect(fallback == "TLP:AMBER → authority, crisis-centre, government", "\(fallback)")
        let sitrep: [(String, String)] = [("incident_id", "FLOOD-7"), ("incident_name", "Scheldt flooding"), ("report_number", "2"),
                                           ("location.description", "Kallo, Beveren"), ("summary", "River above alarm level.")]
        for (name, value) in sitrep { try browser.type("[name=\"\(name)\"]", value) }
        try browser.click("select[name=report_type] option[value=initial]")
        try browser.click("select[name=severity] option[value=moderate]")
        try browser.click("#post-submit")
        let refusal = try browser.text("[data-field=report_number] .field-error:not(:empty)")
        #expect(refusal.contains("report_number") && refusal.contains("an initial report is number 1"), "\(refusal)")
        try browser.screenshot("node-post-refused")
        _ = try browser.script("const f = document.querySelector('[name=report_number]'); f.value = ''; return 'ok'")
        try browser.type("[name=report_number]", "1")
        try browser.click("#post-submit")
        _ = try browser.find("#entry-title")
        let posted = try #require(EntryID(hex: try browser.currentURL().components(separatedBy: "#entry/").last ?? ""))
        #expect(try fed.waitFor("ncc", [posted]).isEmpty)
        #expect(try browser.text("#entry-title").contains("Scheldt flooding"))

        try browser.click("#amend")
        try browser.click("select[name=severity] option[value=severe]")
        try browser.click("#amend-submit")
        #expect(try browser.text(".diff del") == "moderate")
        #expect(try browser.text(".diff ins") == "severe")
        try browser.screenshot("node-entry-amended")
        let amended = try fed.api("gov-antwerp").send(ShowRequest(id: posted)).entry
        #expect(amended.current["severity"]?.stringValue == "severe")
        // The post names the officer who wrote it, on the other node too.
        #expect(amended.summary.fields["officer"]?.stringValue == "duty")
        #expect(try fed.api("ncc").send(ShowRequest(id: posted)).entry.summary.fields["officer"]?.stringValue == "duty")

        // A communication test started at the desk: ncc's automatic receipt appears on the live board;
        // the results download as CSV.
        try browser.go(desk + "/#commtests")
        try browser.click("#ct-submit")
        _ = try browser.find("#ct-board tr[data-member=ncc].ct-received")
        #expect(try browser.text("#ct-counts").hasPrefix("received 1 · confirmed 0 · silent 0"))
        try browser.screenshot("node-commtest-board")
        let testID = try browser.currentURL().components(separatedBy: "#commtest/").last ?? ""
        let csv = try browser.script("return fetch('/api/commtest.csv?id=\(testID)').then((r) => r.text())")
        #expect(csv.hasPrefix("\"test\",\"sent\"") && csv.contains("\"ncc\",\"received\",\"no\""), "\(csv)")

        // Log out; a wrong password is refused with the reason on the login page.
        try browser.click("#logout-form button")
        _ = try browser.find("#login-submit")
        try browser.type("#name", "duty")
        try browser.type("#password", "not the password")
        try browser.click("#login-submit")
        #expect(try browser.text("#login-error:not(:empty)") == "Wrong officer name or password.")
        try browser.screenshot("node-login-failed")
    }
}
