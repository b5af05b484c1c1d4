// The desk of a real node process against the issue's limits (Scripts/bench-desk): a node holding
// 100,000 entries; the feed page's time to answer; the feed page usable in headless Chromium (over
// WebDriver, VigilBrowserTesting); an entry admitted at the node → pushed to an open desk's event stream
// (p99); 50 officers' sessions with live event streams: extra RSS and idle CPU.
// Figures are printed as ratios to their limits; `--json` adds one JSON object on the last line.
import Foundation
import Glibc
import VigilAPI
import VigilBenchSupport
import VigilBrowserTesting
import VigilCrypto
import VigilDesk
import VigilModel
import VigilStore

struct Options {
    var json = false
    var entries = 100_000
    var samples = 200
    var browserSamples = 20
    var sessions = 50
    var idle = 10.0
    var vigil = ""
    var root = ""

    init(_ args: [String]) throws {
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < args.count else { throw BenchError("\(args[i - 1]) needs a value (see --help)") }
            return args[i]
        }
        func count() throws -> Int {
            guard let n = Int(try value()), n > 0 else { throw BenchError("\(args[i - 1]) takes a positive whole number") }
            return n
        }
        while i < args.count {
            switch args[i] {
            case "--json": json = true
            case "--entries": entries = try count()
            case "--samples": samples = try count()
            case "--browser-samples": browserSamples = try count()
            case "--sessions": sessions = try count()
            case "--idle":
                guard let s = Double(try value()), s > 0 else { throw BenchError("--idle takes seconds > 0") }
                idle = s
            case "--vigil": vigil = try value()
            case "--root": root = try value()
            case "-h", "--help":
                print("Usage: vigil-bench-desk --vigil PATH --root REPO [--json] [--entries N] [--samples N] [--browser-samples N] [--sessions N] [--idle S] (Scripts/bench-desk)")
                exit(0)
            default: throw BenchError("unknown option \(args[i]) (see --help)")
            }
            i += 1
        }
        guard !vigil.isEmpty, !root.isEmpty else { throw BenchError("--vigil and --root are required; run Scripts/bench-desk") }
    }
}

/// One HTTP/1.1 exchange on a fresh loopback connection: the status, the head and the body.
func http(_ port: UInt16, _ request: String) throws -> (status: Int, head: String, body: [UInt8]) {
    let fd = try connectLoopback(port)
    defer { close(fd) }
    try writeAll(fd, Array(request.utf8))
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        received += buffer[0..<n]
        if let split = received.firstRange(of: [13, 10, 13, 10]) {
            let head = String(decoding: received[..<split.lowerBound], as: UTF8.self)
            let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            if received.count - split.upperBound >= length {
                return (Int(head.split(separator: " ")[1]) ?? 0, head, Array(received[split.upperBound...]))
            }
        }
    }
    throw BenchError("the desk closed the connection before answering")
}

func connectLoopback(_ port: UInt16) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let ok = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard ok == 0 else { close(fd); throw BenchError("cannot connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    return fd
}

func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard n > 0 else { throw BenchError("the desk stopped reading") }
        offset += n
    }
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
    return sorted[max(0, min(sorted.count - 1, rank - 1))]
}

func run(_ executable: String, _ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw BenchError("\(executable) \(arguments.joined(separator: " ")) failed (\(process.terminationStatus))") }
}

/// CPU seconds (user + system) of a process, from /proc/PID/stat.
func cpuSeconds(_ pid: pid_t) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = text.lastIndex(of: ")") else { return 0 }
    let fields = text[text.index(after: close)...].split(separator: " ")
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    return ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / ticks
}

/// The feed page in headless Chromium: the officer logs in, then the desk is opened `samples` times; each
/// time, from the navigation's start to the feed's mark (its first page painted and the page free for
/// input again, `vigil-feed-usable` in feed.js), in milliseconds, read from the page's Performance API.
func browserFeed(desk: String, password: String, samples: Int) throws -> [Double] {
    let browser = try WebDriver()
    defer { browser.quit() }
    try browser.go(desk + "/login")
    try browser.type("#name", "duty")
    try browser.type("#password", password)
    try browser.click("#login-submit")
    guard try browser.text("#officer:not(:empty)") == "duty" else { throw BenchError("the officer could not log in in the browser") }
    var times: [Double] = []
    for _ in 0..<samples {
        try browser.go(desk + "/")
        var answer = ""
        // The page records the time itself; this only waits for it (bounded: 600 polls of one script call).
        for _ in 0..<600 where answer.isEmpty {
            answer = try browser.script("""
                const m = performance.getEntriesByName("vigil-feed-usable")[0];
                return m ? m.startTime + " " + document.querySelectorAll("#feed li[data-id]").length : "";
                """)
        }
        let parts = answer.split(separator: " ")
        guard parts.count == 2, let ms = Double(parts[0]), parts[1] == "50" else {
            throw BenchError("the feed did not show its first page of 50 entries in the browser (\(answer.isEmpty ? "no mark" : answer))")
        }
        times.append(ms)
    }
    return times
}

func main() throws -> Int32 {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    func progress(_ s: String) { FileHandle.standardError.write(Data(("bench-desk: " + s + "\n").utf8)) }
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("vbd-\(getpid())").path
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    var node: Process?
    defer {
        if let node, node.isRunning { node.terminate(); node.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: work)
    }
    // A one-node federation (Scripts/certs), its store filled before the node starts.
    let federation = #"{"federation": "Desk bench", "authority": "ncc", "nodes": [{"name": "ncc", "organisation": "National Crisis Centre", "role": "authority", "port": "# + String(try freePort()) + #", "dials": []}]}"#
    try Data(federation.utf8).write(to: URL(fileURLWithPath: work + "/federation.json"))
    try run(options.root + "/Scripts/certs", ["--peers", work + "/federation.json", "--out", work + "/certs"])
    let dir = work + "/certs/ncc"
    let key = try KeyFile.read(from: dir + "/identity.key")
    progress("signing and storing \(options.entries) entries")
    let store = try EntryStore.open(directory: dir + "/store")
    let base = UInt64(Date().timeIntervalSince1970 * 1000) - UInt64(options.entries) - 60_000
    var made = 0
    while made < options.entries {
        var batch: [Entry] = []
        for n in made..<min(options.entries, made + 8192) {
            let body: FieldMap = ["subject": .text("Situation \(n)"), "text": .text("Situation report \(n): water level stable at 4.2 m; 40 people evacuated; pumps requested.")]
            batch.append(try EntryDraft(author: NodeID(key.publicKey), timestamp: HybridTimestamp(milliseconds: base + UInt64(n), counter: 0),
                                        kind: .message, audience: .federation, body: try body.encoded()).signed(by: key))
        }
        _ = try store.append(batch)
        made += batch.count
    }
    store.close()
    var accounts = OfficerAccounts()
    let password = "desk bench password"
    try accounts.add(name: "duty", password: password, salt: SecureRandom.bytes(16), now: 0)
    guard FileManager.default.createFile(atPath: dir + "/" + OfficerAccounts.fileName, contents: Data(accounts.fileBytes), attributes: [.posixPermissions: 0o600]) else {
        throw BenchError("cannot write the officer file in \(dir)")
    }

    // The node, its desk on a port the kernel picks.
    let process = Process()
    process.executableURL = URL(fileURLWithPath: options.vigil)
    process.arguments = ["run", "--dir", dir, "--desk", "127.0.0.1:0"]
    let out = Pipe()
    process.standardOutput = out
    let log = FileHandle(forWritingAtPath: "/dev/null")
    process.standardError = FileManager.default.createFile(atPath: work + "/node.log", contents: nil) ? FileHandle(forWritingAtPath: work + "/node.log") : log
    try process.run()
    node = process
    var line = Data()
    while !line.contains(0x0a) {
        let chunk = out.fileHandleForReading.availableData
        if chunk.isEmpty {
            let log = (try? String(contentsOfFile: work + "/node.log", encoding: .utf8)) ?? ""
            throw BenchError("the node did not start: \(log.split(separator: "\n").suffix(3).joined(separator: "\n"))")
        }
        line.append(chunk)
    }
    let ready = String(decoding: line, as: UTF8.self)
    guard let range = ready.range(of: "desk http://127.0.0.1:"), let port = UInt16(ready[range.upperBound...].prefix { $0.isNumber }) else {
        throw BenchError("the node serves no desk: \(ready)")
    }
    let pid = process.processIdentifier
    progress("node up with \(options.entries) entries; desk on port \(port)")

    func login() throws -> String {
        let body = "name=duty&password=" + password.replacingOccurrences(of: " ", with: "+")
        let answer = try http(port, "POST /login HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        guard let cookie = answer.head.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("set-cookie:") }) else {
            throw BenchError("login failed: \(answer.head)")
        }
        return String(cookie.dropFirst("set-cookie:".count).split(separator: ";")[0]).trimmingCharacters(in: .whitespaces)
    }
    let cookie = try login()
    func get(_ path: String) throws -> (Int, [UInt8]) {
        let answer = try http(port, "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nCookie: \(cookie)\r\nConnection: close\r\n\r\n")
        return (answer.status, answer.body)
    }

    // 1. The feed page (50 newest), and an older page (a cursor in the middle), timed at the client.
    var feed: [Double] = []
    var older: [Double] = []
    let (status, first) = try get("/api/feed")
    guard status == 200, let page = try? JSONDecoder().decode(FeedPage.self, from: Data(first)), page.entries.count == 50 else {
        throw BenchError("the feed did not answer 50 entries")
    }
    let middle = (try? JSONDecoder().decode(FeedPage.self, from: Data(try get("/api/feed?limit=200").1)))?.nextCursor ?? ""
    for _ in 0..<options.samples {
        feed.append(try BenchClock.time { _ = try get("/api/feed") }.seconds * 1000)
        older.append(try BenchClock.time { _ = try get("/api/feed?before=\(middle)") }.seconds * 1000)
    }

    // 1b. The same feed page usable in a real browser.
    progress("opening the feed in headless Chromium \(options.browserSamples) times")
    let usable = try browserFeed(desk: "http://127.0.0.1:\(port)", password: password, samples: options.browserSamples)

    // 2. Admission → event on an open desk: compose through node.sock, wait for the event with its id.
    let events = try connectLoopback(port)
    defer { close(events) }
    try writeAll(events, Array("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nCookie: \(cookie)\r\n\r\n".utf8))
    var pending: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    func readUntil(_ needle: [UInt8]) throws {
        while pending.firstRange(of: needle) == nil {
            let n = buffer.withUnsafeMutableBytes { recv(events, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw BenchError("the event stream ended") }
            pending += buffer[0..<n]
        }
        pending.removeSubrange(..<pending.firstRange(of: needle)!.upperBound)
    }
    try readUntil([13, 10, 13, 10])
    let api = try connectUnix(dir + "/node.sock")
    defer { close(api) }
    var latency: [Double] = []
    for n in 0..<options.samples {
        let request = try APICodec.encodeRequest(ComposeRequest(kind: "message", fields: .object(["subject": .string("Live \(n)"), "text": .string("Bench \(n)")])))
        let start = BenchClock.now()
        try writeAll(api, request)
        try readUntil(Array("Live \(n)\"".utf8))
        latency.append((BenchClock.now() - start) * 1000)
        var answer: [UInt8] = []
        while !answer.contains(0x0a) {
            let got = buffer.withUnsafeMutableBytes { recv(api, $0.baseAddress, $0.count, 0) }
            guard got > 0 else { throw BenchError("the local API closed") }
            answer += buffer[0..<got]
        }
    }

    // 3. 50 officers' sessions, each with a live event stream: extra RSS and idle CPU.
    let rssBefore = BenchClock.statusBytes("VmRSS", process: "\(pid)")
    var streams: [Int32] = []
    defer { for fd in streams { close(fd) } }
    for _ in 0..<options.sessions {
        let session = try login()
        let fd = try connectLoopback(port)
        try writeAll(fd, Array("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nCookie: \(session)\r\n\r\n".utf8))
        streams.append(fd)
        // Measured once the node has answered the stream's head: the stream is open and following.
        var head: [UInt8] = []
        while head.firstRange(of: [13, 10, 13, 10]) == nil {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw BenchError("an event stream was refused") }
            head += buffer[0..<n]
        }
        guard head.starts(with: Array("HTTP/1.1 200".utf8)) else { throw BenchError("an event stream was refused: \(String(decoding: head, as: UTF8.self))") }
    }
    _ = try get("/api/me")
    let rssAfter = BenchClock.statusBytes("VmRSS", process: "\(pid)")
    let cpuStart = cpuSeconds(pid), wallStart = BenchClock.now()
    usleep(UInt32(options.idle * 1_000_000))
    let idleCPU = (cpuSeconds(pid) - cpuStart) / (BenchClock.now() - wallStart) * 100

    var report = BenchReport(title: "Desk of a node holding \(options.entries) entries (one node process, loopback)")
    report.atMost("feed_ms_p50", "feed page (50 newest), median", percentile(feed, 50), unit: "ms", limit: 20)
    report.atMost("feed_ms_p99", "feed page (50 newest), p99", percentile(feed, 99), unit: "ms", limit: 20)
    report.atMost("feed_older_ms_p50", "older page (cursor at 200), median", percentile(older, 50), unit: "ms", limit: 20)
    report.atMost("feed_usable_browser_ms_p50", "feed page usable in Chromium (navigation → first page painted, idle), median (\(usable.count))",
                  percentile(usable, 50), unit: "ms", limit: 300)
    report.atMost("feed_usable_browser_ms_p99", "feed page usable in Chromium, p99 (\(usable.count))", percentile(usable, 99), unit: "ms", limit: 300)
    report.atMost("admission_to_desk_ms_p99", "entry admitted → event on an open desk, p99 (\(options.samples))", percentile(latency, 99), unit: "ms", limit: 50)
    report.note("admission_to_desk_ms_p50", "entry admitted → event on an open desk, median", percentile(latency, 50), unit: "ms", digits: 2)
    report.atMost("sessions_extra_rss_mib", "\(options.sessions) sessions with event streams: extra RSS", (rssAfter - rssBefore) / 1_048_576, unit: "MiB", limit: 50)
    report.atMost("sessions_idle_cpu_percent", "\(options.sessions) sessions idle for \(options.idle) s: CPU", idleCPU, unit: "% of a core", limit: 2)
    report.print(json: options.json)
    return report.allPassed ? 0 : 1
}

func connectUnix(_ path: String) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (i, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
    }
    let ok = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
    guard ok == 0 else { close(fd); throw BenchError("cannot connect to \(path): \(String(cString: strerror(errno)))") }
    return fd
}

do {
    // The exit status outside main: main's defers stop the node and remove the scratch directory first.
    exit(try main())
} catch {
    FileHandle.standardError.write(Data("bench-desk: \(error)\n".utf8))
    exit(2)
}
