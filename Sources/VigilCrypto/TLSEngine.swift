internal import COpenSSL
internal import CVigilShim
import Foundation

/// Why a TLS session failed: what went wrong, in words an operator can act on.
public struct TLSError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A stable category.
    public enum Code: String, Sendable {
        /// The handshake failed (certificate refused, protocol mismatch, garbage input).
        case handshakeFailed = "handshake-failed"
        /// A protocol error after the handshake (bad record, unexpected message).
        case protocolError = "protocol-error"
        /// The engine could not be set up (certificate and key do not match, …).
        case configuration
    }

    /// What the failure comes down to, read once from OpenSSL's verification result and error
    /// queue where the error is made, so that nobody downstream reads the message.
    public enum Cause: String, Sendable {
        /// This side refused the peer's certificate: it failed verification (another CA, expired,
        /// …) or none was presented.
        case peerCertificateRefused = "peer-certificate-refused"
        /// The peer refused this side's certificate (it sent a TLS alert saying so).
        case certificateRefusedByPeer = "certificate-refused-by-peer"
        /// The peer does not speak TLS 1.3 (plain text, another protocol, an older TLS).
        case notTLS13 = "not-tls13"
        /// Anything else (a bad record, an internal error, a set-up failure).
        case other
    }

    /// The category.
    public let code: Code
    /// The reason.
    public let message: String
    /// What the failure comes down to.
    public let cause: Cause

    /// An error of `code` with a sentence and, when known, its cause.
    public init(code: Code, message: String, cause: Cause = .other) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message }
}

/// The TLS settings shared by every connection of one node: TLS 1.3 only, Ed25519 only, mutual
/// authentication against the federation CA, no session resumption.
///
/// Immutable after `init` (an `SSL_CTX` fully configured there), so it may be shared between threads.
public final class TLSContext: @unchecked Sendable {
    let pointer: OpaquePointer

    /// A context presenting `certificate` (for `key`) and trusting only `ca`.
    ///
    /// - Parameters:
    ///   - certificate: this node's certificate; nil only in tests that need a client without one.
    ///   - verificationTime: check certificate validity at this time instead of the clock (tests).
    public init(certificate: Certificate?, key: SigningKey?, trusting ca: Certificate, verificationTime: Date? = nil) throws {
        let ctx = try Self.newContext()
        pointer = ctx   // freed by deinit from here on, whatever happens below
        func check(_ ok: Bool, _ what: String) throws {
            if !ok { throw TLSError(code: .configuration, message: "\(what): \(OpenSSLErrorQueue.drain())") }
        }
        try check(vigil_SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) == 1, "cannot require TLS 1.3")
        try check(vigil_SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) == 1, "cannot require TLS 1.3")
        try check(vigil_SSL_CTX_set1_sigalgs_list(ctx, "ed25519") == 1, "cannot restrict signatures to Ed25519")
        SSL_CTX_set_options(ctx, vigil_SSL_OP_NO_TICKET() | vigil_SSL_OP_NO_RENEGOTIATION())
        _ = vigil_SSL_CTX_set_session_cache_mode(ctx, 0)   // SSL_SESS_CACHE_OFF: every session authenticates fully
        if let certificate, let key {
            guard (try? certificate.publicKey()) == key.publicKey else {
                throw TLSError(code: .configuration, message: "the node certificate \"\(certificate.commonName ?? "?")\" was not issued for this node's identity key; request a certificate for this key")
            }
            try check(SSL_CTX_use_certificate(ctx, certificate.pointer) == 1, "cannot use the node certificate")
            try check(SSL_CTX_use_PrivateKey(ctx, key.handle.pointer) == 1, "cannot use the node key")
            guard SSL_CTX_check_private_key(ctx) == 1 else {
                OpenSSLErrorQueue.clear()
                throw TLSError(code: .configuration, message: "the node certificate was not issued for this node's identity key; request a certificate for this key")
            }
        }
        guard let store = X509_STORE_new() else { throw TLSError(code: .configuration, message: "cannot allocate a trust store") }
        guard X509_STORE_add_cert(store, ca.pointer) == 1 else {
            X509_STORE_free(store)
            throw TLSError(code: .configuration, message: "cannot trust the federation CA: \(OpenSSLErrorQueue.drain())")
        }
        SSL_CTX_set_cert_store(ctx, store)   // the context owns the store now
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        SSL_CTX_set_verify_depth(ctx, 1)     // node certificate, then the CA: nothing in between
        if let verificationTime, let param = SSL_CTX_get0_param(ctx) {
            X509_VERIFY_PARAM_set_time(param, time_t(verificationTime.timeIntervalSince1970))
        }
        OpenSSLErrorQueue.clear()
    }

    /// A context configured by `configure` (the HTTPS contexts, `TLSContext+HTTPS.swift`); freed in deinit
    /// whatever `configure` throws.
    init(configuring configure: (OpaquePointer) throws -> Void) throws {
        let ctx = try Self.newContext()
        pointer = ctx
        try configure(ctx)
        OpenSSLErrorQueue.clear()
    }

    private static func newContext() throws -> OpaquePointer {
        OpenSSLErrorQueue.clear()
        guard let ctx = SSL_CTX_new(TLS_method()) else {
            throw TLSError(code: .configuration, message: "could not create a TLS context: \(OpenSSLErrorQueue.drain())")
        }
        return ctx
    }

    deinit { SSL_CTX_free(pointer) }
}

/// One TLS 1.3 session driven through memory: bytes from the network go in with `receive`, bytes for
/// the network come out of `takeOutgoing`, and nothing here touches a socket. The shell moves bytes;
/// the engine can be tested engine-to-engine without sockets.
///
/// Not thread-safe: own it in one thread or one actor.
public final class TLSConnection {
    private let ssl: OpaquePointer
    private let incoming: OpaquePointer   // owned by ssl
    private let outgoing: OpaquePointer   // owned by ssl
    /// Client or server.
    public let isClient: Bool
    /// Whether the handshake finished. For a client this does NOT yet mean the server accepted its
    /// certificate (TLS 1.3 reports that on the first read): confirm with the protocol's own HELLO.
    public private(set) var isHandshakeComplete = false
    /// Whether the peer sent close_notify.
    public private(set) var peerClosed = false

    /// A session for `context`, as a client or a server.
    public init(context: TLSContext, isClient: Bool) throws {
        OpenSSLErrorQueue.clear()
        guard let ssl = SSL_new(context.pointer) else {
            throw TLSError(code: .configuration, message: "cannot create a TLS session: \(OpenSSLErrorQueue.drain())")
        }
        guard let rbio = BIO_new(BIO_s_mem()), let wbio = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TLSError(code: .configuration, message: "cannot allocate TLS buffers")
        }
        _ = vigil_BIO_set_mem_eof_return(rbio, -1)   // empty means "wait for more", not end of file
        _ = vigil_BIO_set_mem_eof_return(wbio, -1)
        SSL_set_bio(ssl, rbio, wbio)
        self.ssl = ssl
        incoming = rbio
        outgoing = wbio
        self.isClient = isClient
        if isClient { SSL_set_connect_state(ssl) } else { SSL_set_accept_state(ssl) }
    }

    deinit { SSL_free(ssl) }

    /// Hands bytes received from the network to the engine.
    public func receive(_ bytes: some Collection<UInt8>) {
        let array = Array(bytes)
        guard !array.isEmpty else { return }
        _ = array.withUnsafeBytes { BIO_write(incoming, $0.baseAddress, Int32($0.count)) }
    }

    /// Bytes the engine wants sent to the peer (drain after every call, even a failed one, so the peer
    /// sees the real alert rather than a silent close).
    public func takeOutgoing() -> [UInt8] {
        let pending = Int(vigil_BIO_pending(outgoing))
        guard pending > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: pending)
        let n = out.withUnsafeMutableBytes { BIO_read(outgoing, $0.baseAddress, Int32(pending)) }
        return n > 0 ? Array(out.prefix(Int(n))) : []
    }

    /// Advances the handshake with the bytes received so far. Returns true once it is complete.
    @discardableResult
    public func advanceHandshake() throws -> Bool {
        if isHandshakeComplete { return true }
        OpenSSLErrorQueue.clear()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            isHandshakeComplete = true
            return true
        }
        let error = SSL_get_error(ssl, result)
        if error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE { return false }
        throw failure(.handshakeFailed, during: "TLS handshake")
    }

    /// The peer's Ed25519 identity key, from its verified certificate (after the handshake).
    public func peerPublicKey() throws -> PublicKey {
        guard let cert = SSL_get1_peer_certificate(ssl) else {
            throw TLSError(code: .handshakeFailed, message: "the peer presented no certificate", cause: .peerCertificateRefused)
        }
        return try Certificate(owning: cert).publicKey()
    }

    /// The protocol the handshake settled on (`TLSv1.3`, `TLSv1.2`), for logs and tests.
    public var protocolVersion: String { String(cString: SSL_get_version(ssl)) }

    /// The peer's certificate common name, if any (for logs).
    public var peerCommonName: String? {
        guard let cert = SSL_get1_peer_certificate(ssl) else { return nil }
        return Certificate(owning: cert).commonName
    }

    /// Encrypts `plaintext` for the peer; the records appear in `takeOutgoing()`.
    public func send(_ plaintext: some Collection<UInt8>) throws {
        let bytes = Array(plaintext)
        var offset = 0
        while offset < bytes.count {
            OpenSSLErrorQueue.clear()
            let chunk = min(bytes.count - offset, 1 << 30)
            let n = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress! + offset, Int32(chunk)) }
            if n <= 0 {
                let error = SSL_get_error(ssl, n)
                if error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE { continue }
                throw failure(.protocolError, during: "TLS write")
            }
            offset += Int(n)
        }
    }

    /// Decrypts whatever complete records have arrived. Returns the plaintext (possibly empty).
    public func readAvailable() throws -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            OpenSSLErrorQueue.clear()
            let n = buffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
            if n > 0 {
                out.append(contentsOf: buffer.prefix(Int(n)))
                continue
            }
            let error = SSL_get_error(ssl, n)
            switch error {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                return out
            case SSL_ERROR_ZERO_RETURN:
                peerClosed = true
                return out
            default:
                throw failure(.protocolError, during: "TLS read")
            }
        }
    }

    /// Sends close_notify (appears in `takeOutgoing()`).
    public func close() {
        OpenSSLErrorQueue.clear()
        _ = SSL_shutdown(ssl)
        OpenSSLErrorQueue.clear()
    }

    private func failure(_ code: TLSError.Code, during what: String) -> TLSError {
        let queue = OpenSSLErrorQueue.drain()
        let verify = SSL_get_verify_result(ssl)
        var message = "\(what) failed"
        var cause = TLSError.Cause.other
        if verify != Int(X509_V_OK) {
            cause = .peerCertificateRefused
            let reason = String(cString: X509_verify_cert_error_string(verify))
            message += ": the peer's certificate was refused: \(reason)"
            switch Int32(verify) {
            case X509_V_ERR_CERT_HAS_EXPIRED: message += " (ask the federation CA for a new certificate)"
            case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
                 X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
                 X509_V_ERR_CERT_SIGNATURE_FAILURE, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
                message += " (it was not issued by this federation's CA)"
            default: break
            }
        } else if queue.contains("peer did not return a certificate") {
            cause = .peerCertificateRefused
            message += ": the peer presented no certificate (every Vigil node must present its node certificate)"
        } else if let alert = ["unknown ca", "bad certificate", "certificate expired", "certificate required",
                               "certificate unknown", "certificate revoked", "access denied"].first(where: { queue.contains("alert " + $0) }) {
            cause = .certificateRefusedByPeer
            message += ": the peer refused this node's certificate (TLS alert: \(alert)); check that this node's certificate was issued by the federation CA and is valid"
        } else if ["wrong version number", "packet length too long", "record layer failure", "http request", "unknown protocol"].contains(where: queue.contains) {
            cause = .notTLS13
            message += ": the peer does not speak TLS 1.3 (\(queue))"
        } else if !queue.isEmpty {
            // OpenSSL names a certificate failure it reports some other way ("certificate verify failed").
            if queue.contains("certificate") { cause = .peerCertificateRefused }
            message += ": \(queue)"
        }
        return TLSError(code: code, message: message, cause: cause)
    }
}
