import VigilAPI

/// What the desk server answers a request with.
public enum DeskReply: Sendable {
    /// A complete response.
    case response(HTTPResponse)
    /// An event stream: write `head`, then `eventBytes(entry)` for each entry as the node holds it, until
    /// the stream ends or the client goes.
    case stream(head: [UInt8], events: AsyncStream<EntrySummary>)

    /// The bytes of one live entry on the event stream (`event: entry`, the feed line as JSON).
    public static func eventBytes(_ entry: EntrySummary) -> [UInt8] {
        DeskEvent.entry(DeskViews.summary(entry)).serverSentEvent.serialized
    }
}
