import Foundation
import VigilAPI

/// Talks to a running node's local API (`DIR/node.sock`) with the typed requests of `VigilAPI`. Blocking:
/// for the CLI, tests and tools, not for the node itself.
public struct LocalAPIClient: Sendable {
    /// The socket path.
    public let path: String

    /// A client for the socket at `path`.
    public init(path: String) { self.path = path }

    /// Sends one request and returns its typed answer. Throws `APIFailure`: the node's own refusal, or
    /// `.noNode` when no node answers on the socket.
    public func send<Op: APIOperation>(_ request: Op) throws(APIFailure) -> Op.Answer {
        let line: [UInt8]
        do { line = try APICodec.encodeRequest(request) } catch { throw APIFailure(.badRequest, "the request could not be encoded: \(error)") }
        let answer = try exchange(line)
        return try APICodec.decodeAnswer(answer, for: Op.self)
    }

    /// Sends raw bytes (one or more lines) and returns the first answer line, without its newline (for
    /// tools and for tests of malformed requests).
    public func exchange(_ bytes: [UInt8]) throws(APIFailure) -> [UInt8] {
        let fd = try connect()
        defer { close(fd) }
        try write(bytes, to: fd)
        var reader = LineReader(fd: fd)
        guard let line = reader.next() else { throw APIFailure(.unavailable, "the node at \(path) closed the connection without an answer") }
        return line
    }

    /// Sends a `follow` and calls `handle` with every line until the node closes the connection or
    /// `handle` returns false.
    public func follow(_ request: FollowRequest, _ handle: (FollowLine) -> Bool) throws(APIFailure) {
        let fd = try connect()
        defer { close(fd) }
        do { try write(APICodec.encodeRequest(request), to: fd) } catch let failure as APIFailure { throw failure } catch {
            throw APIFailure(.badRequest, "the request could not be encoded: \(error)")
        }
        var reader = LineReader(fd: fd)
        while let line = reader.next() {
            let item = try APICodec.decodeAnswer(line, for: FollowRequest.self)
            if !handle(item) { return }
        }
    }

    func connect() throws(APIFailure) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw APIFailure(.unavailable, "cannot create a socket: \(String(cString: strerror(errno)))") }
        var address: sockaddr_un
        do { address = try Self.address(path) } catch {
            close(fd)
            throw error
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw APIFailure(.noNode, "no node is running with its local API at \(path) (\(reason)); start it with `vigil run --dir DIR`")
        }
        return fd
    }

    func write(_ data: [UInt8], to fd: Int32) throws(APIFailure) {
        var sent = 0
        while sent < data.count {
            let n = data[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw APIFailure(.unavailable, "the node at \(path) closed the connection while the request was sent") }
            sent += n
        }
    }

    static func address(_ path: String) throws(APIFailure) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw APIFailure(.noNode, "no node can be reached at \(path): the path is too long for a Unix socket (max 107 bytes); use a shorter node directory")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        return address
    }
}

/// Reads newline-terminated lines from a blocking descriptor.
struct LineReader {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)

    init(fd: Int32) { self.fd = fd }

    /// The next line without its newline, or nil at the end of the stream.
    mutating func next() -> [UInt8]? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0a) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                if start > 1 << 16 {
                    buffer.removeFirst(start)
                    start = 0
                }
                return line
            }
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }
}
