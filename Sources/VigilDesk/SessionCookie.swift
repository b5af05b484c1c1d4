/// The session cookie: its name, its attributes, and reading it back from a request.
///
/// Over HTTPS the name is `__Host-vigil-session` (the browser then insists on Secure, Path=/ and no
/// Domain); over plain HTTP on loopback it is `vigil-session` without Secure. Always HttpOnly (no
/// script can read it) and SameSite=Strict (no other site's page can make the browser send it).
public enum SessionCookie {
    /// The cookie name over HTTPS or plain HTTP.
    public static func name(secure: Bool) -> String { secure ? "__Host-vigil-session" : "vigil-session" }

    /// The Set-Cookie value that stores `token` for the browser session.
    public static func setting(token: String, secure: Bool) -> String {
        "\(name(secure: secure))=\(token); Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// The Set-Cookie value that removes the cookie (logout).
    public static func clearing(secure: Bool) -> String {
        "\(name(secure: secure))=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// The session token in a request's Cookie headers, if any.
    public static func token(in headers: HTTPHeaders, secure: Bool) -> String? {
        let wanted = name(secure: secure)
        for header in headers.values("cookie") {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, parts[0].trimmingSpaces == wanted else { continue }
                let value = parts[1].trimmingSpaces
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }
}
