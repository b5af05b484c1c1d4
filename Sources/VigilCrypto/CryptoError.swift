internal import COpenSSL

/// An error from VigilCrypto: what failed, with what, and what to do about it.
///
/// A struct over a private enum so that new cases can be added without breaking callers who switch on
/// `code`. The `description` is written for a person at a duty desk or a security reviewer.
public struct CryptoError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A stable machine-readable category of the failure.
    public enum Code: String, Sendable {
        case invalidKey = "invalid-key"
        case invalidSignature = "invalid-signature"
        case keyFileUnsafe = "key-file-unsafe"
        case keyFileExists = "key-file-exists"
        case fileSystem = "file-system"
        case invalidPEM = "invalid-pem"
        case invalidCertificate = "invalid-certificate"
        case untrustedCertificate = "untrusted-certificate"
        case certificateExpired = "certificate-expired"
        case certificateNotYetValid = "certificate-not-yet-valid"
        case certificateKeyMismatch = "certificate-key-mismatch"
        case openSSL = "openssl"
        case authenticationFailed = "authentication-failed"
    }

    /// The category.
    public let code: Code
    /// The full message: what failed and what to do.
    public let message: String

    /// Creates an error; `message` should say what failed and what the reader can do.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// An error carrying the reasons OpenSSL left on this thread's error queue (which it drains).
    static func openSSL(_ what: String) -> CryptoError {
        let detail = OpenSSLErrorQueue.drain()
        return CryptoError(.openSSL, detail.isEmpty ? what : "\(what): \(detail)")
    }
}

/// OpenSSL keeps its error queue per thread. Clear it before a call and read it in the same
/// synchronous stretch after.
enum OpenSSLErrorQueue {
    static func clear() { ERR_clear_error() }

    /// Returns every queued reason as one line and empties the queue.
    static func drain() -> String {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return reasons.joined(separator: "; ")
    }
}
