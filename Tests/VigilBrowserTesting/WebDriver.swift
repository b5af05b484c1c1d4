import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A W3C WebDriver session on Debian's headless Chromium through `chromedriver`, spoken over
/// `MiniHTTPClient`. Every request and answer is a typed Codable value.
public final class WebDriver {
    private let process: Process
    private let port: UInt16
    private let session: String

    public static let chromedriver = "/usr/bin/chromedriver"
    public static let chromium = "/usr/bin/chromium"

    /// Where screenshots go: `.build/desk-screenshots/` of the package (git ignores `.build`).
    public static let screenshotDirectory: URL = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/desk-screenshots")
    }()

    private struct Answer<Value: Decodable>: Decodable { let value: Value }
    private struct NewSession: Decodable { let sessionId: String }
    private struct ElementReference: Codable {
        let id: String
        enum CodingKeys: String, CodingKey { case id = "element-6066-11e4-a52e-4f735466cecf" }
    }
    private struct Failure: Decodable { let error: String; let message: String }
    private struct Empty: Codable {}
    private struct URLBody: Encodable { let url: String }
    private struct Locator: Encodable { let using: String; let value: String }
    private struct TextBody: Encodable { let text: String }
    private struct Script: Encodable { let script: String; let args: [String] }
    private struct Timeouts: Encodable { let implicit: Int; let pageLoad: Int; let script: Int }
    private struct Capabilities: Encodable {
        struct Always: Encodable {
            struct ChromeOptions: Encodable { let binary: String; let args: [String] }
            let browserName = "chrome"
            let acceptInsecureCerts: Bool
            let chromeOptions: ChromeOptions
            enum CodingKeys: String, CodingKey { case browserName, acceptInsecureCerts, chromeOptions = "goog:chromeOptions" }
        }
        struct Match: Encodable { let alwaysMatch: Always }
        let capabilities: Match
    }

    /// Starts chromedriver on a free loopback port, waits for its "started successfully" line, and opens
    /// a headless Chromium session with an English desk and a 1280×900 window. With `acceptInsecureCerts`
    /// the browser accepts an HTTPS certificate it cannot verify (a test CA's).
    public init(acceptInsecureCerts: Bool = false) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.chromedriver), FileManager.default.isExecutableFile(atPath: Self.chromium) else {
            throw HarnessFailure("the browser tests need Debian's chromium and chromium-driver; Scripts/test installs them (apt-get install chromium chromium-driver)")
        }
        let (probe, free) = try LoopbackSocket.listen()
        probe.shutdownBoth()
        port = free
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.chromedriver)
        process.arguments = ["--port=\(free)", "--allowed-ips=127.0.0.1"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait on the driver's own ready line, not on a clock.
        var seen = ""
        while !seen.contains("started successfully") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw HarnessFailure("chromedriver exited before it was ready: \(seen)") }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        let capabilities = Capabilities(capabilities: .init(alwaysMatch: .init(acceptInsecureCerts: acceptInsecureCerts, chromeOptions: .init(binary: Self.chromium, args: [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=en-GB",
            "--no-first-run", "--disable-extensions", "--disable-background-networking", "--disable-sync",
        ]))))
        let created: NewSession = try Self.call(port: free, "POST", "/session", capabilities)
        session = created.sessionId
        let _: Empty? = try Self.call(port: free, "POST", "/session/\(session)/timeouts", Timeouts(implicit: 15_000, pageLoad: 30_000, script: 15_000))
    }

    private static func call<Body: Encodable, Value: Decodable>(port: UInt16, _ method: String, _ path: String, _ body: Body?) throws -> Value {
        let encoded = try body.map { Array(try JSONEncoder().encode($0)) }
        let response = try MiniHTTPClient.request(port: port, method: method, path: path, json: encoded ?? (method == "POST" ? Array("{}".utf8) : nil))
        guard response.status == 200 else {
            let failure = try? JSONDecoder().decode(Answer<Failure>.self, from: Data(response.body))
            throw HarnessFailure("WebDriver \(method) \(path): \(response.status) \(failure.map { "\($0.value.error): \($0.value.message)" } ?? String(decoding: response.body, as: UTF8.self))")
        }
        do {
            return try JSONDecoder().decode(Answer<Value>.self, from: Data(response.body)).value
        } catch {
            throw HarnessFailure("WebDriver \(method) \(path): unexpected answer \(String(decoding: response.body.prefix(300), as: UTF8.self))")
        }
    }

    private func call<Value: Decodable>(_ method: String, _ path: String, _ body: (some Encodable)? = Empty?.none) throws -> Value {
        try Self.call(port: port, method, "/session/\(session)" + path, body)
    }

    /// Opens an address and waits for the page to load.
    public func go(_ url: String) throws {
        let _: Empty? = try call("POST", "/url", URLBody(url: url))
    }

    /// The first element matching a CSS selector, waiting up to the implicit timeout for it to appear.
    public func find(_ selector: String) throws -> String {
        let reference: ElementReference = try call("POST", "/element", Locator(using: "css selector", value: selector))
        return reference.id
    }

    /// Types into an element.
    public func type(_ selector: String, _ text: String) throws {
        let _: Empty? = try call("POST", "/element/\(try find(selector))/value", TextBody(text: text))
    }

    /// Clicks an element.
    public func click(_ selector: String) throws {
        let _: Empty? = try call("POST", "/element/\(try find(selector))/click", Empty())
    }

    /// An element's rendered text.
    public func text(_ selector: String) throws -> String {
        try call("GET", "/element/\(try find(selector))/text")
    }

    /// Runs a script in the page and returns its string result.
    public func script(_ source: String) throws -> String {
        try call("POST", "/execute/sync", Script(script: source, args: []))
    }

    /// The current address.
    public func currentURL() throws -> String { try call("GET", "/url") }

    /// Saves a PNG screenshot as `.build/desk-screenshots/NAME.png` and returns its path.
    @discardableResult
    public func screenshot(_ name: String) throws -> String {
        let base64: String = try call("GET", "/screenshot")
        guard let png = Data(base64Encoded: base64) else { throw HarnessFailure("the screenshot is not base64") }
        try FileManager.default.createDirectory(at: Self.screenshotDirectory, withIntermediateDirectories: true)
        let file = Self.screenshotDirectory.appendingPathComponent(name + ".png")
        try png.write(to: file)
        return file.path
    }

    /// Ends the session and stops chromedriver (and with it Chromium).
    public func quit() {
        let _: Empty?? = try? Self.call(port: port, "DELETE", "/session/\(session)", Empty?.none)
        // chromedriver ignores SIGTERM; its /shutdown endpoint stops it (SIGKILL if that fails).
        if (try? MiniHTTPClient.request(port: port, method: "GET", path: "/shutdown")) == nil {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }
}
