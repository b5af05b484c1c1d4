import Foundation
import VigilCrypto
import VigilModel

/// `vigil init`: creates a node directory with a new identity key and a CSR for the federation CA.
enum InitCommand: Command {
    static let name = "init"
    static let summary = "Create a node directory: identity key, CSR, node.json"
    static let help = """
        Usage: vigil init --dir DIR --name NAME --org ORGANISATION [--role ROLE] [--json]

        Creates DIR (if needed) with a new Ed25519 identity for this node:
          identity.key   private key, mode 0600; never copy it anywhere
          identity.csr   certificate signing request: send it to the federation CA
          node.json      name, organisation, role and node id
          encryption.key X25519 key for sneakernet bundles, mode 0600 (publish it: vigil bundle key)
        Refuses to touch a directory that already holds an identity: an identity is never overwritten.

        Options:
          --dir DIR          node directory
          --name NAME        this node's name, e.g. gov-antwerp (CN of its certificate)
          --org ORGANISATION organisation, e.g. "Governor of Antwerp" (O of its certificate)
          --role ROLE        authority, government, crisis-centre, police, company, … (default: government)
          --json             print the result as JSON

        Examples:
          vigil init --dir /var/lib/vigil --name gov-antwerp --org "Governor of Antwerp" --role government
          vigil init --dir ./node-a --name node-a --org "Example Company" --role company --json

        Then: have the federation CA sign identity.csr (see Scripts/certs), and put the certificate at
        DIR/node.crt and the CA certificate at DIR/ca.crt.
        """

    struct Result: Encodable {
        let directory: String
        let nodeId: String
        let fingerprint: String
        let csr: String
    }

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir", "name", "org", "role"], switchFlags: ["json"])
        try args.expectPositionals(0, "")
        let dir = try args.required("dir")
        let nodeName = try args.required("name")
        let org = try args.required("org")
        let role = args.value("role") ?? "government"
        if let problem = AudienceNames.problem(role: role) { throw UsageError("--role: \(problem)", command: name) }
        if let problem = AudienceNames.problem(organisation: org) { throw UsageError("--org: \(problem)", command: name) }
        guard nodeName.utf8.count <= 64, !nodeName.isEmpty,
              nodeName.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f }) else {
            throw UsageError("--name must be 1-64 bytes of printable text", command: name)
        }

        let node = NodeDirectory(path: dir)
        let fm = FileManager.default
        for existing in [node.keyPath, node.configPath, dir + "/encryption.key"] where fm.fileExists(atPath: existing) {
            throw CommandFailure("\(existing) already exists: \(dir) already holds a node identity and vigil never overwrites one. Use `vigil id --dir \(dir)` to see it, or choose another directory.")
        }
        do {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CommandFailure("cannot create directory \(dir): \(error.localizedDescription)")
        }
        let key = try SigningKey.generate()
        try KeyFile.write(key, to: node.keyPath)
        try KeyFile.write(AgreementKey.generate(), to: dir + "/encryption.key")
        let csr = try CertificateSigningRequest.pem(for: key, commonName: nodeName, organisation: org)
        let nodeID = NodeID(key.publicKey)
        let config = NodeDirectory.Config(formatVersion: FormatVersion.nodeConfig.current, name: nodeName, organisation: org, role: role, nodeId: nodeID.hex)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try Data(csr.utf8).write(to: URL(fileURLWithPath: node.csrPath), options: .withoutOverwriting)
            try encoder.encode(config).write(to: URL(fileURLWithPath: node.configPath), options: .withoutOverwriting)
        } catch {
            throw CommandFailure("cannot write the node files in \(dir): \(error.localizedDescription)")
        }
        if args.flag("json") {
            output.json(Result(directory: dir, nodeId: nodeID.hex, fingerprint: nodeID.fingerprint, csr: node.csrPath))
        } else {
            output.table([("directory", dir), ("node id", nodeID.hex), ("fingerprint", nodeID.fingerprint),
                          ("identity key", node.keyPath + " (0600)"), ("csr", node.csrPath)])
            output.out("\nNext: have the federation CA sign \(node.csrPath); put the certificate at \(node.certificatePath) and the CA certificate at \(node.caPath).")
        }
        return ExitCode.success
    }
}
