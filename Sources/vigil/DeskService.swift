import Foundation
import VigilCrypto
import VigilDesk
import VigilNode

/// Starting the desk for `vigil run`: the desk server over the node's backend, its officers read from
/// the node directory at each login, served on the node's loop — over HTTPS when a certificate and key
/// are configured.
enum DeskService {
    /// Where the desk listens unless node.json or `--desk` says otherwise.
    static let defaultAddress = "127.0.0.1:7480"

    /// The desk's endpoint from `--desk`, `--desk-cert`, `--desk-key` or, for each one not given, node.json
    /// (`desk`, `deskCert`, `deskKey`; relative file paths there are taken from the node directory). Nil
    /// for `off`. Refusals name where the setting came from.
    static func endpoint(args: Arguments, config: NodeDirectory.Config?, directory: String) throws -> DeskEndpoint? {
        let address = args.value("desk") ?? config?.desk
        guard address != "off" else { return nil }
        func fromConfig(_ path: String?) -> String? {
            guard let path, !path.isEmpty, !path.hasPrefix("/") else { return path }
            return directory + "/" + path
        }
        let certificate = args.value("desk-cert") ?? fromConfig(config?.deskCert)
        let key = args.value("desk-key") ?? fromConfig(config?.deskKey)
        do {
            return try DeskEndpoint.resolve(address: address ?? defaultAddress, certificate: certificate, key: key)
        } catch {
            let fromCommandLine = ["desk", "desk-cert", "desk-key"].contains { args.value($0) != nil }
            throw UsageError(fromCommandLine ? "\(error.message)" : "\(directory)/node.json: \(error.message)")
        }
    }

    /// Serves the desk of `node` at `endpoint`, over HTTPS with `tls` (from `DeskTLSFiles.load`). A
    /// configured address that cannot be bound stops the node; the default one taken by another program
    /// only costs the desk (with a warning saying what to set).
    static func start(node: Node, directory: String, endpoint: DeskEndpoint, tls: TLSContext?, configured: Bool, output: Output) throws -> DeskListener? {
        let file = OfficerFile(dir: directory)
        let server = DeskServer(backend: NodeDeskBackend(node: node), settings: DeskServer.Settings(secure: tls != nil),
                                officers: { () throws(DeskError) -> OfficerAccounts in
            do { return try file.load() } catch { throw DeskError(.invalidOfficerFile, "\(error)") }
        }, random: { SecureRandom.bytes($0) })
        let desk = DeskListener(node: node, server: server, tls: tls)
        do {
            try desk.start(host: endpoint.host, port: endpoint.port)
        } catch {
            guard !configured else { throw error }
            output.err("vigil run: warning: no desk: \(error.message); set another address with --desk HOST:PORT or \"desk\" in \(directory)/node.json")
            return nil
        }
        return desk
    }
}
