/// The size limits the request parser enforces. Secure defaults: the desk's pages and forms are small.
public struct HTTPLimits: Equatable, Sendable {
    /// The longest request line (method, target, version) in bytes.
    public var maxRequestLineBytes: Int
    /// The most header fields in one request.
    public var maxHeaderCount: Int
    /// The most bytes of header section (every field line with its CRLF).
    public var maxHeaderBytes: Int
    /// The largest body (Content-Length) accepted.
    public var maxBodyBytes: Int

    /// Limits; `.desk` is the default.
    public init(maxRequestLineBytes: Int, maxHeaderCount: Int, maxHeaderBytes: Int, maxBodyBytes: Int) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }

    /// The desk's limits: 8 KiB request line, 64 fields in 16 KiB, 1 MiB body (a CAP file for import).
    public static let desk = HTTPLimits(maxRequestLineBytes: 8 * 1024, maxHeaderCount: 64, maxHeaderBytes: 16 * 1024,
                                        maxBodyBytes: 1024 * 1024)
}
