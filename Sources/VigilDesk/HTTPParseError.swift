/// Why a request was refused by the parser, with the HTTP status to answer. After one the connection
/// is answered with `status` and closed (the byte stream cannot be trusted to resynchronise).
public struct HTTPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The status to send back.
    public let status: HTTPStatus
    /// What was wrong and what to do, for the response body and the node's log.
    public let reason: String

    /// An error; `reason` says what was wrong and what the client should do.
    public init(_ status: HTTPStatus, _ reason: String) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status): \(reason)" }
}
