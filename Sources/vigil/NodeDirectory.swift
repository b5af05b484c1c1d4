import Foundation
import VigilCrypto
import VigilModel

/// The files of one node's directory.
///
/// ```
/// identity.key   Ed25519 private key, PKCS#8 PEM, mode 0600 — never leaves this directory
/// identity.csr   certificate signing request for the federation CA
/// node.json      name, organisation, role and node id, written by `vigil init`
/// node.crt       the node certificate issued by the federation CA (put here by the operator or Scripts/certs)
/// ca.crt         the federation CA certificate
/// ```
struct NodeDirectory {
    let path: String

    var keyPath: String { path + "/identity.key" }
    var csrPath: String { path + "/identity.csr" }
    var configPath: String { path + "/node.json" }
    var certificatePath: String { path + "/node.crt" }
    var caPath: String { path + "/ca.crt" }

    /// What `node.json` holds (format `FormatVersion.nodeConfig`, docs/formats.md).
    struct Config: Codable, Equatable {
        /// The file's format version; absent in files written by release 0.2, which are version 1.
        var formatVersion: UInt32?
        var name: String
        var organisation: String
        var role: String
        var nodeId: String
        /// Where `vigil run` serves the desk, `HOST:PORT`, or `off` (absent: 127.0.0.1:7480); an address
        /// other than loopback needs `deskCert` and `deskKey`.
        var desk: String?
        /// The desk's HTTPS certificate (PEM, with any intermediates); relative to the node directory.
        var deskCert: String?
        /// The key of `deskCert` (unencrypted PEM, mode 0600); relative to the node directory.
        var deskKey: String?
    }

    func loadKey() throws -> SigningKey {
        guard FileManager.default.fileExists(atPath: keyPath) else {
            throw CommandFailure("no identity key at \(keyPath); create the node with `vigil init --dir \(path) --name NAME --org ORGANISATION`")
        }
        return try KeyFile.read(from: keyPath)
    }

    func loadConfig() throws -> Config? {
        guard let data = FileManager.default.contents(atPath: configPath) else { return nil }
        // The version first: a newer release's file may not decode as this release's Config at all.
        struct Versioned: Decodable { var formatVersion: UInt32? }
        do {
            let version = try JSONDecoder().decode(Versioned.self, from: data).formatVersion ?? 1
            try FormatVersion.nodeConfig.check(version, file: configPath)
        } catch let error as FormatVersionError {
            throw CommandFailure(error.description)
        } catch {
            throw CommandFailure("\(configPath) is not a valid node configuration: \(error.localizedDescription); it is written by `vigil init`")
        }
        do {
            return try JSONDecoder().decode(Config.self, from: data)
        } catch {
            throw CommandFailure("\(configPath) is not a valid node configuration: \(error.localizedDescription); it is written by `vigil init`")
        }
    }
}
