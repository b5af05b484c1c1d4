/// One Server-Sent Event (the desk's live feed, peer changes and comm-test answers), as the
/// `text/event-stream` format writes it: `event:`, `id:` and one `data:` line per line of data.
public struct ServerSentEvent: Equatable, Sendable {
    /// The event type the page listens for (`entry`, `peer`, `commtest`); no CR or LF.
    public var event: String?
    /// The event id the browser sends back as Last-Event-ID on reconnection; no CR or LF.
    public var id: String?
    /// The payload (JSON of a typed value); newlines become several data lines.
    public var data: String

    /// An event.
    public init(event: String? = nil, id: String? = nil, data: String) {
        self.event = event
        self.id = id
        self.data = data
    }

    /// The event's bytes, ending with the blank line that dispatches it. CR and LF in `event` or `id`
    /// are dropped (they would split the field).
    public var serialized: [UInt8] {
        func clean(_ text: String) -> String { String(text.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }) }
        var text = ""
        if let event { text += "event: \(clean(event))\n" }
        if let id { text += "id: \(clean(id))\n" }
        let lines = data.replacingCRLF.split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines { text += "data: \(line)\n" }
        text += "\n"
        return Array(text.utf8)
    }

    /// A comment line that keeps an idle stream open through proxies (`: keep-alive`).
    public static let heartbeat: [UInt8] = Array(": keep-alive\n\n".utf8)

    /// The response head that opens an event stream: no Content-Length, the connection stays with the stream.
    public static func streamHead(headers: HTTPHeaders) -> [UInt8] {
        var text = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
        for field in headers where HTTPResponse.isSafe(field.name) && HTTPResponse.isSafe(field.value) {
            text += "\(field.name): \(field.value)\r\n"
        }
        text += "Connection: close\r\n\r\n"
        return Array(text.utf8)
    }
}

extension String {
    /// CR LF and lone CR as LF.
    var replacingCRLF: String {
        var out = ""
        var previousCR = false
        for scalar in unicodeScalars {
            if scalar == "\r" {
                out.unicodeScalars.append("\n")
                previousCR = true
            } else {
                if !(scalar == "\n" && previousCR) { out.unicodeScalars.append(scalar) }
                previousCR = false
            }
        }
        return out
    }
}
