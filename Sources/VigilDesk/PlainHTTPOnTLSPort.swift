/// A browser or tool that speaks plain HTTP to the desk's HTTPS port: recognised by the first byte of
/// the connection, and answered in plain HTTP with where to go instead, then closed — rather than left
/// waiting for a TLS handshake that never comes.
public enum PlainHTTPOnTLSPort {
    /// Whether the first byte a client sent starts an HTTP request (a method: `GET`, `POST`, … in
    /// capital letters) rather than a TLS record (a handshake record starts with 0x16).
    public static func matches(firstByte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(firstByte)
    }

    /// The plain-HTTP answer: 400, the HTTPS address of the desk in the text, and the connection closed.
    public static func response(httpsAddress: String) -> HTTPResponse {
        var response = HTTPResponse.text(.badRequest, "this desk speaks HTTPS only: open \(httpsAddress)\n")
        SecurityHeaders.apply(to: &response.headers, caching: .never)
        return response
    }
}
