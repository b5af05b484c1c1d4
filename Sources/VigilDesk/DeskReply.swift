import VigilAPI

/// What the desk server answers a request with.
public enum DeskReply: Sendable {
    /// A complete response.
    case response(HTTPResponse)
    /// An event stream: write `head`, then `eventBytes(event)` for each event (an entry the node holds, a
    /// peer session opening or closing), until the stream ends or the client goes.
    case stream(head: [UInt8], events: AsyncStream<DeskEvent>)

    /// The bytes of one event on the event stream (`event: entry` with the feed line as JSON, or
    /// `event: peer` with the peer change).
    public static func eventBytes(_ event: DeskEvent) -> [UInt8] {
        event.serverSentEvent.serialized
    }
}
