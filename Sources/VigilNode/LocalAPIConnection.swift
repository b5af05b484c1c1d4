import Foundation
import VigilAPI

/// One kept connection to a running node's local API (`DIR/node.sock`) for many requests, one at a
/// time: each `send` writes a request line and reads its answer line on the same socket. The node
/// answers the requests of one connection in order (docs/local-api.md), so a client that posts or
/// asks repeatedly pays for one connection instead of one per request (`LocalAPIClient` opens a new one
/// for each). Blocking, for tools and tests; one thread at a time (not `Sendable`). `follow` is a
/// stream: use `LocalAPIClient.follow` on a connection of its own.
public final class LocalAPIConnection {
    /// The socket path.
    public let path: String
    private var fd: Int32
    private var reader: LineReader

    /// Connects to the node at `path`. Throws `.noNode` when no node answers there.
    public init(path: String) throws(APIFailure) {
        self.path = path
        fd = try LocalAPIClient(path: path).connect()
        reader = LineReader(fd: fd)
    }

    deinit { close() }

    /// Sends one request and returns its typed answer. Throws `APIFailure`: the node's own refusal, or
    /// `.unavailable` when the connection is closed (the node stopped, or dropped the connection after
    /// its idle timeout); a new `LocalAPIConnection` reconnects.
    public func send<Op: APIOperation>(_ request: Op) throws(APIFailure) -> Op.Answer {
        if Op.self == FollowRequest.self { throw APIFailure(.badRequest, "follow is a stream: send it on a connection of its own (LocalAPIClient.follow)") }
        let line: [UInt8]
        do { line = try APICodec.encodeRequest(request) } catch { throw APIFailure(.badRequest, "the request could not be encoded: \(error)") }
        return try APICodec.decodeAnswer(try exchange(line), for: Op.self)
    }

    /// Sends one request line (with its newline) and returns the answer line, without its newline.
    public func exchange(_ line: [UInt8]) throws(APIFailure) -> [UInt8] {
        guard fd >= 0 else { throw APIFailure(.unavailable, "the connection to the node at \(path) is closed; open a new one") }
        try LocalAPIClient(path: path).write(line, to: fd)
        guard let answer = reader.next() else {
            close()
            throw APIFailure(.unavailable, "the node at \(path) closed the connection without an answer")
        }
        return answer
    }

    /// Closes the connection (also done when the value goes away); later sends throw `.unavailable`.
    public func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }
}
