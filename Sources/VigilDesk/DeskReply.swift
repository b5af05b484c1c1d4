/// What the desk server answers a request with.
public enum DeskReply: Sendable {
    /// A complete response.
    case response(HTTPResponse)
    /// An event stream: write `head`, then each event's bytes as it comes, until the stream ends or
    /// the client goes.
    case stream(head: [UInt8], events: AsyncStream<DeskEvent>)
}
