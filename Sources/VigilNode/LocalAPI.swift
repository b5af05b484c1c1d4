import Dispatch
import Foundation
import Synchronization
import VigilCrypto
import VigilModel

/// The node's local API: JSON lines over a Unix domain socket (`node.sock` in the node directory,
/// mode 0600, so only the node's own user can reach it; nothing listens on the network for it).
///
/// Each request is one JSON object on one line with an `"op"`; each answer is one line,
/// `{"ok": true, …}` or `{"ok": false, "error": "…"}`. Operations:
/// - `status` → `{"status": NodeStatus}`
/// - `post` with `"entry"`: base64 of a canonical entry authored by this node → `{"id": hex}` once durable
/// - `get` with `"id"` → `{"entry": EntryJSON, "canonical": base64}`
/// - `list` with optional `"from"` (position) and `"limit"` → `{"ids": [hex…], "next": position}`
/// - `wait` with `"ids"` and `"timeout_ms"` → `{"missing": [hex…]}` once all are held or the time is up
public final class LocalAPIServer: @unchecked Sendable {
    /// The socket path.
    public let path: String
    let node: Node
    private var fd: Int32 = -1
    private var acceptThread: Thread?
    private let stopping = Atomic<Bool>(false)
    /// Longest request line accepted.
    public static let maxLine = 512 * 1024

    /// A server for `node` at `path` (not started).
    public init(path: String, node: Node) {
        self.path = path
        self.node = node
    }

    /// Binds the socket with owner-only permissions and starts accepting.
    public func start() throws {
        if FileManager.default.fileExists(atPath: path) {
            if (try? LocalAPIClient(path: path).request(["op": "status"])) != nil {
                throw ConfigurationError("another node is already serving \(path); stop it first")
            }
            unlink(path)   // stale, from a node that did not stop cleanly
        }
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ConfigurationError("cannot create the local API socket: \(String(cString: strerror(errno)))") }
        var address = try LocalAPIClient.address(path)
        let old = umask(0o177)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(old)
        guard bound == 0, chmod(path, 0o600) == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ConfigurationError("cannot serve the local API at \(path): \(reason)")
        }
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "vigil-api"
        acceptThread = thread
        thread.start()
    }

    /// Stops accepting and removes the socket file.
    public func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
        unlink(path)
    }

    private func acceptLoop() {
        while !stopping.load(ordering: .acquiring) {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let thread = Thread { [self] in serve(client) }
            thread.name = "vigil-api-client"
            thread.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = read(client, &chunk, chunk.count)
            if n <= 0 { return }
            buffer.append(contentsOf: chunk[0..<n])
            while let newline = buffer.firstIndex(of: 0x0a) {
                let line = Array(buffer[..<newline])
                buffer.removeFirst(newline + 1)
                // Parsed once, here; `follow` takes over the connection.
                guard let request = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], let op = request["op"] as? String else {
                    if !send(["ok": false, "error": "a request is one JSON object with an \"op\" on one line"], to: client) { return }
                    continue
                }
                if op == "follow" { return follow(client, request) }
                if !send(respond(to: request, op: op), to: client) { return }
            }
            if buffer.count > Self.maxLine {
                _ = "{\"ok\":false,\"error\":\"request longer than \(Self.maxLine) bytes\"}\n".withCString { write(client, $0, strlen($0)) }
                return
            }
        }
    }

    /// Writes one answer line; false when the client has gone.
    private func send(_ answer: [String: Any], to client: Int32) -> Bool {
        var out = (try? JSONSerialization.data(withJSONObject: answer, options: [.sortedKeys])) ?? Data("{\"ok\":false}".utf8)
        out.append(0x0a)
        return out.withUnsafeBytes { write(client, $0.baseAddress, $0.count) } >= 0
    }

    func respond(to object: [String: Any], op: String) -> [String: Any] {
        do {
            switch op {
            case "status":
                let status = wait { await self.node.status() }
                return ["ok": true, "status": try jsonObject(status)]
            case "post":
                guard let text = object["entry"] as? String, let data = Data(base64Encoded: text) else {
                    return ["ok": false, "error": "post needs \"entry\": the canonical entry bytes in base64"]
                }
                let entry = try EntryValidator.decodeAndValidate(Array(data))
                guard entry.author == node.key else {
                    return ["ok": false, "error": "this node posts only entries it authored (author is \(entry.author.fingerprint), this node is \(node.key.fingerprint))"]
                }
                let result: Result<EntryID, Error> = wait {
                    do { return .success(try await self.node.post(entry)) } catch { return .failure(error) }
                }
                return ["ok": true, "id": try result.get().hex]
            case "get":
                guard let hex = object["id"] as? String, let id = EntryID(hex: hex) else {
                    return ["ok": false, "error": "get needs \"id\": 64 hex digits"]
                }
                guard let entry = try node.entry(id) else { return ["ok": false, "error": "no entry \(hex) on this node"] }
                return ["ok": true, "entry": try jsonObject(EntryJSON(entry)), "canonical": Data(entry.canonicalBytes).base64EncodedString()]
            case "list":
                let from = object["from"] as? Int ?? 0
                let limit = min(object["limit"] as? Int ?? 1000, 10_000)
                let ids = node.storedIDs(from: from, limit: limit)
                return ["ok": true, "ids": ids.map(\.hex), "next": from + ids.count]
            case "wait":
                guard let list = object["ids"] as? [String] else { return ["ok": false, "error": "wait needs \"ids\": [hex…]"] }
                var ids = Set<EntryID>()
                for hex in list {
                    guard let id = EntryID(hex: hex) else { return ["ok": false, "error": "not an entry id: \(hex)"] }
                    ids.insert(id)
                }
                let timeout = min(max(object["timeout_ms"] as? Int ?? 10_000, 0), 600_000)
                let wanted = ids
                let missing = wait { await self.node.waitFor(wanted, timeout: .milliseconds(timeout)) }
                return ["ok": true, "missing": missing.map(\.hex).sorted()]
            case "compose", "ack", "show", "entries", "resolve", "commtest-results", "roster", "metrics":
                return try operate(op, object)
            default:
                return ["ok": false, "error": "unknown op \"\(op)\"; known: status, post, compose, ack, get, show, list, entries, resolve, follow, commtest-results, roster, metrics, wait"]
            }
        } catch {
            return ["ok": false, "error": "\(error)"]
        }
    }

    private func jsonObject(_ value: some Encodable) throws -> Any {
        try JSONSerialization.jsonObject(with: JSONEncoder().encode(value))
    }

    private func wait<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        let box = Mutex<T?>(nil)
        Task {
            let value = await body()
            box.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return box.withLock { $0! }
    }
}

/// Talks to a running node's local API.
public struct LocalAPIClient: Sendable {
    /// The socket path.
    public let path: String

    /// A client for the socket at `path`.
    public init(path: String) { self.path = path }

    /// Sends one request and returns the answer (throws when the node is not running or answers ok=false).
    public func request(_ object: [String: Any]) throws -> [String: Any] {
        let fd = try connectAndSend(object)
        defer { close(fd) }
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while !answer.contains(0x0a) {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            answer.append(contentsOf: chunk[0..<n])
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any] else {
            throw ConfigurationError("the node at \(path) gave no answer")
        }
        if object["ok"] as? Bool != true {
            throw ConfigurationError(object["error"] as? String ?? "the node refused the request")
        }
        return object
    }

    /// Connects to the node's socket and writes one request line; returns the connected descriptor.
    private func connectAndSend(_ object: [String: Any]) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ConfigurationError("cannot create a socket: \(String(cString: strerror(errno)))") }
        var address = try Self.address(path)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ConfigurationError("no node is running with its local API at \(path) (\(reason)); start it with `vigil run --dir DIR`")
        }
        var data = [UInt8](try JSONSerialization.data(withJSONObject: object))
        data.append(0x0a)
        var sent = 0
        while sent < data.count {
            let n = data[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                close(fd)
                throw ConfigurationError("the node at \(path) closed the connection while the request was sent")
            }
            sent += n
        }
        return fd
    }

    /// Sends a streaming request (`follow`) and calls `handle` with every answer line until the node
    /// closes the connection.
    public func stream(_ object: [String: Any], _ handle: ([String: Any]) -> Void) throws {
        let fd = try connectAndSend(object)
        defer { close(fd) }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { return }
            buffer.append(contentsOf: chunk[0..<n])
            while let newline = buffer.firstIndex(of: 0x0a) {
                let line = Data(buffer[..<newline])
                buffer.removeFirst(newline + 1)
                if let answer = try? JSONSerialization.jsonObject(with: line) as? [String: Any] { handle(answer) }
            }
        }
    }

    static func address(_ path: String) throws -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw ConfigurationError("the socket path \(path) is too long for a Unix socket (max 107 bytes); use a shorter node directory")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        return address
    }
}
