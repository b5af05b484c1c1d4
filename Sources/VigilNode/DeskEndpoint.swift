/// Where and how `vigil run` serves the desk (docs/desk.md): an address, and for HTTPS the files of a
/// certificate and its key. Pure: `resolve` checks the settings and says what is wrong; the files are
/// read later, by `DeskTLSFiles.load`.
public struct DeskEndpoint: Equatable, Sendable {
    /// The address to bind (`127.0.0.1`, `::1`, `0.0.0.0`, `192.0.2.10`, …; IPv6 without brackets).
    public var host: String
    /// The port (0: any free port).
    public var port: UInt16
    /// The certificate and key for HTTPS; nil serves plain HTTP, which only a loopback address may.
    public var tls: DeskTLSFiles?

    /// An endpoint, unchecked (use `resolve`).
    public init(host: String, port: UInt16, tls: DeskTLSFiles? = nil) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// Whether `host` is a loopback address (only this machine reaches it).
    public static func isLoopback(_ host: String) -> Bool {
        host == "::1" || host.hasPrefix("127.")
    }

    /// Checks a desk address `HOST:PORT` (`[::1]:PORT` for IPv6) with its optional certificate and key
    /// files. Without both files the desk speaks plain HTTP and only a loopback address is served: any other
    /// is refused with the two options to give. One file without the other is refused too.
    public static func resolve(address text: String, certificate: String?, key: String?) throws(ConfigurationError) -> DeskEndpoint {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            throw ConfigurationError("the desk address is HOST:PORT, e.g. 127.0.0.1:7480 (port 0: any free port); got \"\(text)\"")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else {
            throw ConfigurationError("the desk address \"\(text)\" has no host: give 127.0.0.1:PORT for this machine only, or 0.0.0.0:PORT (with HTTPS) for every interface")
        }
        let tls: DeskTLSFiles?
        switch (certificate, key) {
        case (let certificate?, let key?):
            guard !certificate.isEmpty, !key.isEmpty else {
                throw ConfigurationError("the desk certificate and key paths must not be empty (--desk-cert FILE --desk-key FILE)")
            }
            tls = DeskTLSFiles(certificate: certificate, key: key)
        case (nil, nil):
            tls = nil
        case (_?, nil):
            throw ConfigurationError("the desk's HTTPS needs a key as well as the certificate: give --desk-key FILE (\"deskKey\" in node.json) with --desk-cert")
        case (nil, _?):
            throw ConfigurationError("the desk's HTTPS needs a certificate as well as the key: give --desk-cert FILE (\"deskCert\" in node.json) with --desk-key")
        }
        guard tls != nil || isLoopback(host) else {
            throw ConfigurationError("the desk on \(host) would be reachable from the network, so it must be served over HTTPS: give its certificate and key with --desk-cert FILE --desk-key FILE (\"deskCert\" and \"deskKey\" in node.json; browsers need an ECDSA or RSA certificate, the node's own Ed25519 node.crt and identity.key serve OpenSSL clients only), or serve it on 127.0.0.1 (docs/desk.md)")
        }
        return DeskEndpoint(host: host, port: port, tls: tls)
    }
}

/// The files of the desk's HTTPS certificate (PEM, the server certificate then any intermediates) and
/// its private key (unencrypted PEM, mode 0600).
public struct DeskTLSFiles: Equatable, Sendable {
    /// The certificate chain file.
    public var certificate: String
    /// The private key file.
    public var key: String

    /// The two paths.
    public init(certificate: String, key: String) {
        self.certificate = certificate
        self.key = key
    }
}
