/// The headers every desk response carries (docs/desk.md, "Security model").
public enum SecurityHeaders {
    /// No inline script or style, nothing from another host, no framing, forms post only to the desk.
    public static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    /// Over HTTPS only: browsers go to the desk's host by HTTPS alone for a year (RFC 6797). No
    /// `includeSubDomains`: the desk cannot speak for the other services of its domain.
    public static let strictTransportSecurity = "max-age=31536000"

    /// How a response may be cached.
    public enum Caching: Sendable {
        /// Pages and API answers holding entries, sessions or officers: never stored.
        case never
        /// The desk's own static files (HTML shell, CSS, JavaScript, base map): revalidated each time, so
        /// a new node version is picked up at once, but a 304 keeps it cheap on a degraded network.
        case revalidate
    }

    /// Adds the security headers and the cache policy to `headers`.
    public static func apply(to headers: inout HTTPHeaders, caching: Caching) {
        headers.set("Content-Security-Policy", contentSecurityPolicy)
        headers.set("X-Content-Type-Options", "nosniff")
        headers.set("Referrer-Policy", "no-referrer")
        headers.set("X-Frame-Options", "DENY")
        headers.set("Cross-Origin-Opener-Policy", "same-origin")
        headers.set("Cross-Origin-Resource-Policy", "same-origin")
        switch caching {
        case .never: headers.set("Cache-Control", "no-store")
        case .revalidate: headers.set("Cache-Control", "no-cache")
        }
    }
}
