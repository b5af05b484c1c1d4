import Foundation
import VigilCrypto
import VigilModel

/// `vigil id`: prints this node's identity and, when present, checks its certificate.
enum IdCommand: Command {
    static let name = "id"
    static let summary = "Show this node's id, fingerprint and certificate status"
    static let help = """
        Usage: vigil id --dir DIR [--json]

        Prints the node id (the Ed25519 public key, hex), its short fingerprint, the name and
        organisation from node.json, and — when DIR/node.crt and DIR/ca.crt exist — whether the
        certificate was issued by the federation CA for this very key and is valid now.
        Exit code 1 when the certificate is present but not valid for this node.

        Options:
          --dir DIR   node directory (made by `vigil init`)
          --json      print as JSON

        Examples:
          vigil id --dir /var/lib/vigil
          vigil id --dir ./node-a --json
        """

    struct Result: Encodable {
        let nodeId: String
        let fingerprint: String
        let name: String?
        let organisation: String?
        let role: String?
        let certificate: CertificateStatus?
    }

    struct CertificateStatus: Encodable {
        let valid: Bool
        let problem: String?
        let subject: String?
        let organisation: String?
        let notBefore: String
        let notAfter: String
        let sha256Fingerprint: String
    }

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir"], switchFlags: ["json"])
        try args.expectPositionals(0, "")
        let node = NodeDirectory(path: try args.required("dir"))
        let key = try node.loadKey()
        let config = try node.loadConfig()
        let nodeID = NodeID(key.publicKey)
        if let config, config.nodeId != nodeID.hex {
            throw CommandFailure("\(node.configPath) names node id \(config.nodeId) but identity.key is \(nodeID.hex): the files come from two different identities", exitCode: ExitCode.refused)
        }
        var status: CertificateStatus?
        let fm = FileManager.default
        if fm.fileExists(atPath: node.certificatePath) {
            let certificate = try Certificate(contentsOfFile: node.certificatePath)
            var problem: String?
            if fm.fileExists(atPath: node.caPath) {
                let ca = try Certificate(contentsOfFile: node.caPath)
                do {
                    try certificate.verifyNodeCertificate(issuedBy: ca, for: key.publicKey, at: Date())
                } catch {
                    problem = "\(error)"
                }
            } else {
                problem = "no CA certificate at \(node.caPath) to check it against"
            }
            let iso = ISO8601DateFormatter()
            status = CertificateStatus(valid: problem == nil, problem: problem, subject: certificate.commonName,
                                       organisation: certificate.organisation,
                                       notBefore: iso.string(from: certificate.notBefore), notAfter: iso.string(from: certificate.notAfter),
                                       sha256Fingerprint: hex(certificate.sha256Fingerprint))
        }
        if args.flag("json") {
            output.json(Result(nodeId: nodeID.hex, fingerprint: nodeID.fingerprint, name: config?.name,
                               organisation: config?.organisation, role: config?.role, certificate: status))
        } else {
            var rows: [(String, String)] = [("node id", nodeID.hex), ("fingerprint", nodeID.fingerprint)]
            if let config {
                rows += [("name", config.name), ("organisation", config.organisation), ("role", config.role)]
            }
            if let status {
                rows.append(("certificate", status.valid ? "valid, issued by the federation CA for this key" : "NOT VALID: \(status.problem ?? "")"))
                rows.append(("valid", "\(status.notBefore) – \(status.notAfter)"))
                rows.append(("cert sha256", status.sha256Fingerprint))
            } else {
                rows.append(("certificate", "none yet (\(node.certificatePath))"))
            }
            output.table(rows)
        }
        return status?.valid == false ? ExitCode.refused : ExitCode.success
    }
}
