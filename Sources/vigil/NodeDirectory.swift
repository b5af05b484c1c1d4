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

    /// What `node.json` holds.
    struct Config: Codable, Equatable {
        var name: String
        var organisation: String
        var role: String
        var nodeId: String
    }

    func loadKey() throws -> SigningKey {
        guard FileManager.default.fileExists(atPath: keyPath) else {
            throw CommandFailure("no identity key at \(keyPath); create the node with `vigil init --dir \(path) --name NAME --org ORGANISATION`")
        }
        return try KeyFile.read(from: keyPath)
    }

    func loadConfig() throws -> Config? {
        guard let data = FileManager.default.contents(atPath: configPath) else { return nil }
        do {
            return try JSONDecoder().decode(Config.self, from: data)
        } catch {
            throw CommandFailure("\(configPath) is not a valid node configuration: \(error.localizedDescription); it is written by `vigil init`")
        }
    }
}
