internal import COpenSSL
internal import CVigilShim
import Foundation

/// The private key of an HTTPS server certificate: RSA, ECDSA or Ed25519, whatever the operator's
/// certificate was issued for (the desk's `--desk-key`; the node's own `identity.key` is one).
///
/// Read it with `KeyFile.readServerKey(from:)`, which refuses a file others can read. Immutable and freed
/// in deinit.
public final class ServerKey: @unchecked Sendable {
    let key: EVPKey

    /// Parses an unencrypted PEM private key (`BEGIN PRIVATE KEY`, `BEGIN EC PRIVATE KEY`, `BEGIN RSA
    /// PRIVATE KEY`). A key protected by a passphrase is refused: the node starts unattended.
    public init(pem: SecureBytes) throws {
        let encrypted = pem.withUnsafeBytes { raw in
            raw.firstRange(of: Array("ENCRYPTED".utf8)) != nil
        }
        if encrypted {
            throw CryptoError(.invalidPEM, "the key is protected by a passphrase, which a node starting unattended cannot type; write an unencrypted copy with `openssl pkey -in KEY -out KEY.plain` (mode 0600)")
        }
        OpenSSLErrorQueue.clear()
        let pointer: OpaquePointer? = pem.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            // An empty passphrase rather than none: OpenSSL would otherwise ask on the terminal.
            return PEM_read_bio_PrivateKey(bio, nil, nil, UnsafeMutableRawPointer(mutating: ("" as StaticString).utf8Start))
        }
        guard let pointer else {
            let detail = OpenSSLErrorQueue.drain()
            throw CryptoError(.invalidPEM, "not a PEM private key (expected -----BEGIN PRIVATE KEY-----)\(detail.isEmpty ? "" : ": \(detail)")")
        }
        key = EVPKey(pointer)
    }

    /// The key's algorithm as OpenSSL names it (`ED25519`, `EC`, `RSA`), for messages.
    public var algorithm: String {
        guard let name = EVP_PKEY_get0_type_name(key.pointer) else { return "?" }
        return String(cString: name)
    }
}

extension Certificate {
    /// Every certificate of a PEM document, in order: a server certificate followed by the intermediate
    /// certificates that lead to its CA (a "full chain" file). At least one, or an error.
    public static func chain(pem: [UInt8]) throws -> [Certificate] {
        OpenSSLErrorQueue.clear()
        var found: [Certificate] = []
        pem.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return }
            defer { BIO_free(bio) }
            while let x509 = PEM_read_bio_X509(bio, nil, nil, nil) { found.append(Certificate(owning: x509)) }
        }
        OpenSSLErrorQueue.clear()   // the read that ends the loop always leaves "no start line"
        guard !found.isEmpty else {
            throw CryptoError(.invalidCertificate, "no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)")
        }
        return found
    }
}

/// A TLS protocol version, to pin one in a client (tests of the server's range).
public enum TLSVersion: Sendable {
    /// TLS 1.2 (RFC 5246).
    case tls12
    /// TLS 1.3 (RFC 8446).
    case tls13

    var openSSL: Int32 {
        switch self {
        case .tls12: TLS1_2_VERSION
        case .tls13: TLS1_3_VERSION
        }
    }
}

extension TLSContext {
    /// The HTTPS server settings of the desk: TLS 1.2 or 1.3 (TLS 1.2 with forward-secret AEAD cipher
    /// suites only), no renegotiation, no client certificate asked — officers log in with a password; this
    /// is not the federation's mutual TLS. Any key type a browser accepts (ECDSA, RSA) and Ed25519.
    ///
    /// Refuses, each with what to do: a certificate expired or not yet valid at `time` (an input, never
    /// the clock), and a key that is not the certificate's.
    ///
    /// - Parameters:
    ///   - chain: the server certificate first, then any intermediate certificates (`Certificate.chain`).
    ///   - key: the certificate's private key.
    ///   - time: when to check the certificate's validity (the node passes its start time).
    public convenience init(httpsServer chain: [Certificate], key: ServerKey, at time: Date) throws {
        guard let leaf = chain.first else {
            throw TLSError(code: .configuration, message: "the certificate file holds no certificate")
        }
        let stamp = ISO8601DateFormatter()
        let subject = leaf.commonName.map { "the certificate of \"\($0)\"" } ?? "the certificate"
        if leaf.notAfter < time {
            throw TLSError(code: .configuration, message: "\(subject) expired on \(stamp.string(from: leaf.notAfter)) (checked at \(stamp.string(from: time))); renew it and restart the node")
        }
        if leaf.notBefore > time {
            throw TLSError(code: .configuration, message: "\(subject) is not valid before \(stamp.string(from: leaf.notBefore)) (checked at \(stamp.string(from: time))); check this machine's clock")
        }
        try self.init { ctx in
            func check(_ ok: Bool, _ what: String) throws {
                if !ok { throw TLSError(code: .configuration, message: "\(what): \(OpenSSLErrorQueue.drain())") }
            }
            try check(vigil_SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1, "cannot require TLS 1.2 or newer")
            try check(SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20") == 1, "cannot restrict TLS 1.2 to forward-secret AEAD cipher suites")
            SSL_CTX_set_options(ctx, vigil_SSL_OP_NO_RENEGOTIATION())
            try check(SSL_CTX_use_certificate(ctx, leaf.pointer) == 1, "cannot use \(subject)")
            for intermediate in chain.dropFirst() {
                try check(vigil_SSL_CTX_add1_chain_cert(ctx, intermediate.pointer) == 1, "cannot add the intermediate certificate \"\(intermediate.commonName ?? "?")\"")
            }
            guard SSL_CTX_use_PrivateKey(ctx, key.key.pointer) == 1, SSL_CTX_check_private_key(ctx) == 1 else {
                OpenSSLErrorQueue.clear()
                throw TLSError(code: .configuration, message: "the key (\(key.algorithm)) is not the key of \(subject); give the key the certificate was issued for")
            }
            SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
        }
    }

    /// An HTTPS client that accepts a server whose certificate chains to `ca` (at `time`, or the clock):
    /// TLS 1.2 or 1.3, or only `version`. For tests and tools that speak to a desk; it checks the chain,
    /// not the host name.
    public convenience init(httpsClientTrusting ca: Certificate, version: TLSVersion? = nil, at time: Date? = nil) throws {
        try self.init { ctx in
            func check(_ ok: Bool, _ what: String) throws {
                if !ok { throw TLSError(code: .configuration, message: "\(what): \(OpenSSLErrorQueue.drain())") }
            }
            try check(vigil_SSL_CTX_set_min_proto_version(ctx, version?.openSSL ?? TLS1_2_VERSION) == 1, "cannot set the lowest TLS version")
            try check(vigil_SSL_CTX_set_max_proto_version(ctx, version?.openSSL ?? 0) == 1, "cannot set the highest TLS version")
            guard let store = X509_STORE_new() else { throw TLSError(code: .configuration, message: "cannot allocate a trust store") }
            guard X509_STORE_add_cert(store, ca.pointer) == 1 else {
                X509_STORE_free(store)
                throw TLSError(code: .configuration, message: "cannot trust the CA: \(OpenSSLErrorQueue.drain())")
            }
            SSL_CTX_set_cert_store(ctx, store)
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
            if let time, let param = SSL_CTX_get0_param(ctx) {
                X509_VERIFY_PARAM_set_time(param, time_t(time.timeIntervalSince1970))
            }
        }
    }
}
