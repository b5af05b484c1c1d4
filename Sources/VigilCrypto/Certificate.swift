internal import COpenSSL
internal import CVigilShim
import Foundation

/// An X.509 certificate of the federation: the CA's own, or a node's, issued for its Ed25519 key.
///
/// Immutable after `init` and safe to share between threads.
public final class Certificate: @unchecked Sendable {
    let pointer: OpaquePointer

    init(owning pointer: OpaquePointer) { self.pointer = pointer }
    deinit { X509_free(pointer) }

    /// Parses the first certificate of a PEM document (`-----BEGIN CERTIFICATE-----`).
    public convenience init(pem: [UInt8]) throws {
        OpenSSLErrorQueue.clear()
        let x509: OpaquePointer? = pem.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_X509(bio, nil, nil, nil)
        }
        guard let x509 else {
            let detail = OpenSSLErrorQueue.drain()
            throw CryptoError(.invalidCertificate, "not a PEM certificate (expected -----BEGIN CERTIFICATE-----)\(detail.isEmpty ? "" : ": \(detail)")")
        }
        self.init(owning: x509)
    }

    /// Reads a PEM certificate file.
    public convenience init(contentsOfFile path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CryptoError(.fileSystem, "cannot read certificate file \(path)")
        }
        do {
            try self.init(pem: Array(data))
        } catch let error as CryptoError {
            throw CryptoError(error.code, "\(path): \(error.message)")
        }
    }

    /// The certificate as PEM text.
    public var pemRepresentation: String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        PEM_write_bio_X509(bio, pointer)
        var data: UnsafeMutablePointer<CChar>?
        let length = vigil_BIO_get_mem_data(bio, &data)
        guard length > 0, let data else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }

    /// The certified Ed25519 public key. Fails for any other key type.
    public func publicKey() throws -> PublicKey {
        guard let key = X509_get0_pubkey(pointer) else {
            throw CryptoError(.invalidCertificate, "the certificate has no readable public key")
        }
        guard EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 else {
            throw CryptoError(.invalidCertificate, "the certificate's key is not Ed25519; Vigil node certificates certify the node's Ed25519 identity key")
        }
        var raw = [UInt8](repeating: 0, count: 32)
        var length = 32
        guard EVP_PKEY_get_raw_public_key(key, &raw, &length) == 1, length == 32 else {
            throw CryptoError.openSSL("could not read the certificate's public key")
        }
        return try PublicKey(rawRepresentation: raw)
    }

    /// The subject's common name (CN), if present.
    public var commonName: String? { Self.nameEntry(X509_get_subject_name(pointer), nid: NID_commonName) }
    /// The subject's organisation (O), if present.
    public var organisation: String? { Self.nameEntry(X509_get_subject_name(pointer), nid: NID_organizationName) }
    /// The issuer's common name (CN), if present.
    public var issuerCommonName: String? { Self.nameEntry(X509_get_issuer_name(pointer), nid: NID_commonName) }

    /// SHA-256 over the DER encoding, as `openssl x509 -fingerprint -sha256` computes it.
    public var sha256Fingerprint: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 32
        X509_digest(pointer, EVP_sha256(), &out, &length)
        return out
    }

    /// The start of the validity period.
    public var notBefore: Date { Self.date(X509_get0_notBefore(pointer)) }
    /// The end of the validity period.
    public var notAfter: Date { Self.date(X509_get0_notAfter(pointer)) }

    /// Checks that this certificate was issued by `ca` and is valid at `time`.
    ///
    /// Time is an input, never read from the clock here. Each failure says precisely why:
    /// another CA, expired, not yet valid, bad signature.
    public func verify(issuedBy ca: Certificate, at time: Date) throws {
        OpenSSLErrorQueue.clear()
        guard let store = X509_STORE_new() else { throw CryptoError.openSSL("could not allocate an X509 store") }
        defer { X509_STORE_free(store) }
        guard X509_STORE_add_cert(store, ca.pointer) == 1 else {
            throw CryptoError.openSSL("could not add the CA certificate to the trust store")
        }
        guard let ctx = X509_STORE_CTX_new() else { throw CryptoError.openSSL("could not allocate a verify context") }
        defer { X509_STORE_CTX_free(ctx) }
        guard X509_STORE_CTX_init(ctx, store, pointer, nil) == 1 else {
            throw CryptoError.openSSL("could not start certificate verification")
        }
        X509_STORE_CTX_set_time(ctx, 0, time_t(time.timeIntervalSince1970.rounded(.down)))
        if X509_verify_cert(ctx) == 1 {
            OpenSSLErrorQueue.clear()
            return
        }
        let code = X509_STORE_CTX_get_error(ctx)
        let reason = String(cString: X509_verify_cert_error_string(Int(code)))
        OpenSSLErrorQueue.clear()
        let subject = commonName.map { "certificate of \"\($0)\"" } ?? "certificate"
        let stamp = ISO8601DateFormatter()
        // The validity errors can be about the CA certificate (depth 1) rather than this one (depth 0):
        // then its name and its dates are the ones to report.
        let failing = X509_STORE_CTX_get_error_depth(ctx) > 0 ? X509_STORE_CTX_get_current_cert(ctx) : nil
        let failingSubject = failing.map {
            "the federation CA certificate \"\(Self.nameEntry(X509_get_subject_name($0), nid: NID_commonName) ?? "?")\""
        } ?? subject
        switch code {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            let end = failing.map { Self.date(X509_get0_notAfter($0)) } ?? notAfter
            let advice = failing == nil ? "ask the federation CA for a new certificate"
                : "the federation CA must be renewed, and its node certificates reissued"
            throw CryptoError(.certificateExpired, "\(failingSubject) expired on \(stamp.string(from: end)) (checked at \(stamp.string(from: time))); \(advice)")
        case X509_V_ERR_CERT_NOT_YET_VALID:
            let start = failing.map { Self.date(X509_get0_notBefore($0)) } ?? notBefore
            throw CryptoError(.certificateNotYetValid, "\(failingSubject) is not valid before \(stamp.string(from: start)) (checked at \(stamp.string(from: time))); check this machine's clock")
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
             X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
             X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            throw CryptoError(.untrustedCertificate, "\(subject) was not issued by the federation CA \"\(ca.commonName ?? "?")\" (its issuer is \"\(issuerCommonName ?? "?")\"; OpenSSL: \(reason)); use a certificate issued by this federation's CA")
        case X509_V_ERR_CERT_SIGNATURE_FAILURE:
            throw CryptoError(.untrustedCertificate, "\(subject) names the federation CA as issuer but its signature does not verify (OpenSSL: \(reason)); the certificate is forged or damaged")
        default:
            throw CryptoError(.untrustedCertificate, "\(subject) is not trusted: \(reason) (X509 error \(code))")
        }
    }

    /// Checks that this is a valid certificate of the federation CA `ca` for the node key `nodeKey`
    /// at `time`: the chain, the validity period, and that the certified key is the node's key.
    public func verifyNodeCertificate(issuedBy ca: Certificate, for nodeKey: PublicKey, at time: Date) throws {
        try verify(issuedBy: ca, at: time)
        let certified = try publicKey()
        guard certified == nodeKey else {
            throw CryptoError(.certificateKeyMismatch, "certificate of \"\(commonName ?? "?")\" certifies key \(certified.description.prefix(16))… but this node's key is \(nodeKey.description.prefix(16))…; the certificate was issued for another key: request a new one from this node's CSR")
        }
    }

    private static func nameEntry(_ name: OpaquePointer?, nid: Int32) -> String? {
        guard let name else { return nil }
        let index = X509_NAME_get_index_by_NID(name, nid, -1)
        guard index >= 0, let entry = X509_NAME_get_entry(name, index),
              let data = X509_NAME_ENTRY_get_data(entry) else { return nil }
        var utf8: UnsafeMutablePointer<UInt8>?
        let length = ASN1_STRING_to_UTF8(&utf8, data)
        guard length >= 0, let utf8 else { return nil }
        defer { vigil_OPENSSL_free(utf8) }
        return String(decoding: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self)
    }

    private static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date {
        guard let time else { return Date(timeIntervalSince1970: 0) }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return Date(timeIntervalSince1970: 0) }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }
}
