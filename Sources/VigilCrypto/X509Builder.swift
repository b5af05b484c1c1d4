internal import COpenSSL
internal import CVigilShim
import Foundation

/// Builds a certificate signing request (CSR) for a node's Ed25519 identity key, for the federation
/// CA to sign (`Scripts/certs` does it with `openssl x509 -req`).
public enum CertificateSigningRequest {
    /// A PEM CSR (`-----BEGIN CERTIFICATE REQUEST-----`) with subject CN=`commonName`, O=`organisation`,
    /// signed by `key` (proof that the requester holds the key).
    public static func pem(for key: SigningKey, commonName: String, organisation: String) throws -> String {
        OpenSSLErrorQueue.clear()
        guard let request = X509_REQ_new() else { throw CryptoError.openSSL("could not allocate a CSR") }
        defer { X509_REQ_free(request) }
        guard let name = try X509Name.make(commonName: commonName, organisation: organisation) else {
            throw CryptoError.openSSL("could not build the CSR subject")
        }
        defer { X509_NAME_free(name) }
        guard X509_REQ_set_version(request, 0) == 1,
              X509_REQ_set_subject_name(request, name) == 1,
              X509_REQ_set_pubkey(request, key.handle.pointer) == 1,
              X509_REQ_sign(request, key.handle.pointer, nil) > 0 else {
            throw CryptoError.openSSL("could not sign the CSR")
        }
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError.openSSL("could not allocate a BIO") }
        defer { BIO_free(bio) }
        guard PEM_write_bio_X509_REQ(bio, request) == 1 else { throw CryptoError.openSSL("could not encode the CSR") }
        var data: UnsafeMutablePointer<CChar>?
        let length = vigil_BIO_get_mem_data(bio, &data)
        guard length > 0, let data else { throw CryptoError.openSSL("empty CSR output") }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }
}

/// A certificate authority held in memory: a key and its self-signed certificate.
///
/// The real federation CA is made with the `openssl` command line by `Scripts/certs`. This type exists so
/// that tests and the simulator can make many CAs and certificates, with any validity period,
/// without spawning processes.
public final class CertificateAuthority: @unchecked Sendable {
    /// The CA's signing key.
    public let key: SigningKey
    /// The CA's self-signed certificate.
    public let certificate: Certificate

    /// Makes a new CA with a fresh key, valid from `notBefore` to `notAfter`.
    public init(commonName: String, organisation: String, notBefore: Date, notAfter: Date) throws {
        key = try SigningKey.generate()
        certificate = try X509Name.build(subjectKey: key.publicKey, commonName: commonName, organisation: organisation,
                                         issuer: nil, signer: key, notBefore: notBefore, notAfter: notAfter, isCA: true)
    }

    /// Issues a node certificate for `nodeKey`.
    public func issue(for nodeKey: PublicKey, commonName: String, organisation: String,
                      notBefore: Date, notAfter: Date) throws -> Certificate {
        try X509Name.build(subjectKey: nodeKey, commonName: commonName, organisation: organisation,
                           issuer: certificate, signer: key, notBefore: notBefore, notAfter: notAfter, isCA: false)
    }
}

enum X509Name {
    static func make(commonName: String, organisation: String) throws -> OpaquePointer? {
        guard let name = X509_NAME_new() else { return nil }
        for (field, value) in [("O", organisation), ("CN", commonName)] where !value.isEmpty {
            guard X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, value, -1, -1, 0) == 1 else {
                X509_NAME_free(name)
                throw CryptoError(.invalidCertificate, "the certificate subject \(field)=\"\(value)\" was refused: \(OpenSSLErrorQueue.drain())")
            }
        }
        return name
    }

    static func build(subjectKey: PublicKey, commonName: String, organisation: String, issuer: Certificate?,
                      signer: SigningKey, notBefore: Date, notAfter: Date, isCA: Bool) throws -> Certificate {
        OpenSSLErrorQueue.clear()
        guard let x509 = X509_new() else { throw CryptoError.openSSL("could not allocate a certificate") }
        let certificate = Certificate(owning: x509)   // frees x509 on every path
        guard let subject = try make(commonName: commonName, organisation: organisation) else {
            throw CryptoError.openSSL("could not build the certificate subject")
        }
        defer { X509_NAME_free(subject) }
        var serial = [UInt8](repeating: 0, count: 16)
        RAND_bytes(&serial, 16)
        serial[0] &= 0x7f
        let serialBN = BN_bin2bn(serial, 16, nil)
        defer { BN_free(serialBN) }
        let issuerName: OpaquePointer? = issuer.map { X509_get_subject_name($0.pointer) } ?? subject
        guard X509_set_version(x509, 2) == 1,
              BN_to_ASN1_INTEGER(serialBN, X509_get_serialNumber(x509)) != nil,
              X509_set_subject_name(x509, subject) == 1,
              X509_set_issuer_name(x509, issuerName) == 1,
              X509_set_pubkey(x509, subjectKey.handle.pointer) == 1,
              ASN1_TIME_set(X509_getm_notBefore(x509), time_t(notBefore.timeIntervalSince1970)) != nil,
              ASN1_TIME_set(X509_getm_notAfter(x509), time_t(notAfter.timeIntervalSince1970)) != nil else {
            throw CryptoError.openSSL("could not fill in the certificate")
        }
        var v3 = X509V3_CTX()
        X509V3_set_ctx(&v3, issuer?.pointer ?? x509, x509, nil, nil, 0)
        let extensions: [(Int32, String)] = isCA
            ? [(NID_basic_constraints, "critical,CA:TRUE"), (NID_key_usage, "critical,keyCertSign,cRLSign"),
               (NID_subject_key_identifier, "hash")]
            : [(NID_basic_constraints, "critical,CA:FALSE"), (NID_key_usage, "critical,digitalSignature"),
               (NID_ext_key_usage, "serverAuth,clientAuth"), (NID_subject_key_identifier, "hash"),
               (NID_authority_key_identifier, "keyid")]
        for (nid, value) in extensions {
            guard let ext = X509V3_EXT_conf_nid(nil, &v3, nid, value) else {
                throw CryptoError.openSSL("could not build certificate extension \(value)")
            }
            defer { X509_EXTENSION_free(ext) }
            guard X509_add_ext(x509, ext, -1) == 1 else { throw CryptoError.openSSL("could not add extension \(value)") }
        }
        guard X509_sign(x509, signer.handle.pointer, nil) > 0 else {
            throw CryptoError.openSSL("could not sign the certificate")
        }
        return certificate
    }
}
