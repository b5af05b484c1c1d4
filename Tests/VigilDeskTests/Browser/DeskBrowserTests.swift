import Foundation
import Testing
import VigilCrypto
import VigilBrowserTesting
import VigilDesk

/// The desk's pages in headless Chromium, over the test host and an in-memory backend: login (wrong
/// and right password), the feed with a hostile entry rendered inertly, a live arrival without reload,
/// an entry page and its acknowledgement. Screenshots go to `.build/desk-screenshots/`.
@Suite("Desk in a browser", .serialized)
struct DeskBrowserTests {
    static let password = "correct horse battery"

    static let hostileTitle = #"<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> javascript:alert(1)"#

    @Test("log in, see the feed with a hostile entry as inert text, a live arrival, an entry page and an acknowledgement")
    func desk() async throws {
        var accounts = OfficerAccounts()
        try accounts.add(name: "j.dupont", password: Self.password, salt: SecureRandom.bytes(16), now: 0,
                         parameters: Scrypt.Parameters(n: 1024, r: 8, p: 1))
        let officers = accounts
        let backend = FakeDeskBackend()
        let base: UInt64 = 1_796_030_000_000
        await backend.add(FakeDeskBackend.detail("a", tlp: "TLP:AMBER", title: "Scheldt flooding — report 1: 40 people evacuated in Kallo", at: base,
                                                 fields: ["summary": .string("40 people evacuated"), "severity": .string("minor")],
                                                 amended: ["severity": .string("moderate")], amendedAt: base + 60_000))
        await backend.add(FakeDeskBackend.detail("b", kind: "message", tlp: "TLP:RED", title: Self.hostileTitle, at: base + 1000,
                                                 fields: ["text": .string("<b>bold?</b> javascript:alert(1)")]))
        await backend.add(FakeDeskBackend.detail("d", kind: "alert", tlp: "TLP:CLEAR", title: "Shelter in place: chemical smoke near Zwijndrecht", at: base + 2000))
        await backend.add(FakeDeskBackend.detail("e", kind: "threat", tlp: "TLP:GREEN", title: "Phishing wave against municipalities", at: base + 3000))
        // The growing wait after a failed login is the server tests' subject (DeskServerTests); here it is
        // a millisecond, so the right password right after the wrong one is not throttled (a click does not
        // wait for the navigation it starts, so a throttled retry could not be told from a slow page).
        let quick = DeskServer.Settings(throttle: LoginThrottle.Settings(base: .milliseconds(1), maxDelay: .milliseconds(1),
                                                                        forgetAfter: .seconds(60), maxRecords: 100))
        let server = DeskServer(backend: backend, settings: quick, officers: { officers }, random: { SecureRandom.bytes($0) })
        let host = try DeskTestHost(server: server)
        defer { host.stop() }
        // WebDriver calls block on sockets: run them on a thread of their own, never on the two threads
        // of the cooperative pool, which the desk server needs.
        try await DeskTestHost.onThread { try Self.scenario(host: host, backend: backend, base: base) }
    }

    static func scenario(host: DeskTestHost, backend: FakeDeskBackend, base: UInt64) throws {
        let browser = try WebDriver()
        defer { browser.quit() }

        // A wrong password: back on the login page with the reason.
        try browser.go(host.baseURL + "/")
        #expect(try browser.currentURL().hasSuffix("/login"))
        try browser.type("#name", "j.dupont")
        try browser.type("#password", "wrong password!")
        try browser.click("#login-submit")
        #expect(try browser.text("#login-error:not(:empty)") == "Wrong officer name or password.")
        try browser.screenshot("login-failed")

        // The right one.
        try browser.go(host.baseURL + "/login")
        try browser.type("#name", "j.dupont")
        try browser.type("#password", Self.password)
        try browser.click("#login-submit")
        #expect(try browser.text("#officer:not(:empty)") == "j.dupont")

        // The feed, newest first; the hostile title is text, nothing of it ran or became an element.
        let hostile = "li[data-id=\"\(String(repeating: "b", count: 64))\"] .title"
        #expect(try browser.text(hostile) == Self.hostileTitle)
        #expect(try browser.script("return String(window.pwned) + ':' + document.querySelectorAll('#feed img, #feed script').length") == "undefined:0")
        #expect(try browser.script("return getComputedStyle(document.querySelector('.tlp-red')).color") == "rgb(255, 43, 43)")
        #expect(try browser.script("return [...document.querySelectorAll('#feed li')].map(li => li.dataset.id[0]).join('')") == "edba")
        try browser.screenshot("feed")

        // A new entry is pushed to the open page without reloading (once the page's event stream is open:
        // the server subscribes before it answers, so nothing added after this is missed).
        _ = try browser.find("#live[data-state=open]")
        _ = try browser.script("window.notReloaded = 'yes'; return 'ok'")
        host.blocking { await backend.add(FakeDeskBackend.detail("f", tlp: "TLP:AMBER", title: "Scheldt flooding — report 2: dike holding", at: base + 4000)) }
        #expect(try browser.text("li[data-id=\"\(String(repeating: "f", count: 64))\"] .title") == "Scheldt flooding — report 2: dike holding")
        #expect(try browser.script("return window.notReloaded") == "yes")
        try browser.screenshot("feed-live")

        // The hostile entry's page: fields as text; then the sitrep with its amendment diff, acknowledged.
        try browser.click(hostile.replacingOccurrences(of: " .title", with: " a"))
        #expect(try browser.text("#entry-title") == Self.hostileTitle)
        #expect(try browser.script("return String(window.pwned) + ':' + document.querySelectorAll('#view b, #view img, #view script').length") == "undefined:0")
        try browser.screenshot("entry-hostile")
        try browser.go(host.baseURL + "/#entry/" + String(repeating: "a", count: 64))
        #expect(try browser.text(".diff del") == "minor")
        #expect(try browser.text(".diff ins") == "moderate")
        // Fields are named by their label in the officer's language; the schema path is the title.
        #expect(try browser.script("return document.querySelector('.diff dt').textContent + '|' + document.querySelector('.diff dt').title") == "Severity|severity")
        #expect(try browser.script("return document.querySelector('dl.fields dt[title=\"summary\"]').textContent") == "Summary")
        try browser.click("#ack")
        _ = try browser.find("#view ul li")
        #expect(host.blocking { await backend.acknowledgements.map(\.officer) } == ["j.dupont"])
        #expect(try browser.script("return String(document.querySelector('#ack'))") == "null")
        // No stray text below the page (a null once appended to it showed as "null").
        #expect(try browser.script("return String([...document.querySelector('#view').childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim()).length)") == "0")
        try browser.screenshot("entry-acknowledged")

        // The time window: every test entry is from 30 November, so "last hour" leaves none.
        try browser.go(host.baseURL + "/#feed")
        _ = try browser.find("#feed li[data-id]")
        try browser.click("select[name=window] option[value='3600000']")
        try browser.click("#filters button[type=submit]")
        #expect(try browser.text("#feed .empty") == "No entries match.")
        try browser.screenshot("feed-filtered")

        // Dutch, picked by the officer.
        _ = try browser.script("localStorage.setItem('vigil-lang', 'nl'); location.hash = '#feed'; location.reload(); return 'ok'")
        #expect(try browser.text("#view h1") == "Berichten")
        #expect(try browser.text("#live[data-state=open]") == "rechtstreeks")
        try browser.screenshot("feed-nl")
        // French from the picker, without a reload: the page and the live badge change language.
        try browser.click("#lang option[value=fr]")
        #expect(try browser.text("html[lang=fr] #view h1") == "Fil")
        #expect(try browser.text("html[lang=fr] #live[data-state=open]") == "en direct")
    }
}
