import Foundation
import VigilCrypto
import VigilDesk
import VigilNode

/// Starting the desk for `vigil run`: the desk server over the node's backend, its officers read from
/// the node directory at each login, served on the node's loop.
enum DeskService {
    /// Where the desk listens unless node.json or `--desk` says otherwise.
    static let defaultAddress = "127.0.0.1:7480"

    /// Serves the desk of `node` on `host:port`. A configured address that cannot be bound stops the node;
    /// the default one taken by another program only costs the desk (with a warning saying what to set).
    static func start(node: Node, directory: String, host: String, port: UInt16, configured: Bool, output: Output) throws -> DeskListener? {
        let file = OfficerFile(dir: directory)
        let server = DeskServer(backend: NodeDeskBackend(node: node), officers: { () throws(DeskError) -> OfficerAccounts in
            do { return try file.load() } catch { throw DeskError(.invalidOfficerFile, "\(error)") }
        }, random: { SecureRandom.bytes($0) })
        let desk = DeskListener(node: node, server: server)
        do {
            try desk.start(host: host, port: port)
        } catch {
            guard !configured else { throw error }
            output.err("vigil run: warning: no desk: \(error.message); set another address with --desk HOST:PORT or \"desk\" in \(directory)/node.json")
            return nil
        }
        return desk
    }
}
