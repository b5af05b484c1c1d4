import Foundation
import VigilBundle
import VigilModel

/// The local API's bundle requests (docs/bundles.md, docs/local-api.md): the node itself reads or
/// writes the bundle file, so the file never has to fit in a request line.
///
/// - `bundle-export` {out, to [names/ids], roles [roles], since_ms} → {out, entries, recipients [names]}
/// - `bundle-import` {path} → {report: BundleImportReport}
/// - `bundle-key` {} → {id (the new enckey entry) or null when already published}
extension LocalAPIServer {
    func bundleOperation(_ op: String, _ object: [String: Any]) throws -> [String: Any] {
        let node = self.node
        switch op {
        case "bundle-export":
            guard let out = object["out"] as? String else { throw ConfigurationError("bundle-export needs \"out\": the path of the bundle file to write") }
            let request = BundleExportRequest(to: object["to"] as? [String] ?? [], roles: object["roles"] as? [String] ?? [],
                                              sinceMilliseconds: (object["since_ms"] as? Int).map { UInt64(max(0, $0)) })
            let (bytes, plan) = try run { try await node.exportBundle(request) }
            try BundleFileIO.write(bytes, to: out)
            return ["ok": true, "out": out, "entries": plan.entries.count, "recipients": plan.recipients.map(\.member.name)]
        case "bundle-import":
            guard let path = object["path"] as? String else { throw ConfigurationError("bundle-import needs \"path\": the bundle file to import") }
            let bytes = try BundleFileIO.read(path)
            let report = try run { try await node.importBundle(bytes) }
            return ["ok": true, "report": try JSONSerialization.jsonObject(with: JSONEncoder().encode(report))]
        default:
            let id = try run { try await node.announceEncryptionKey() }
            return ["ok": true, "id": id.map { $0.hex as Any } ?? NSNull()]
        }
    }
}

/// Reading and writing bundle files.
public enum BundleFileIO {
    /// Most bytes read from a bundle file (the format's own limit plus its header).
    public static let maxBytes = Int(BundleFile.maxCiphertextBytes) + 64 * 1024

    /// The bytes of the bundle at `path`.
    public static func read(_ path: String) throws(ConfigurationError) -> [UInt8] {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let size = attributes?[.size] as? Int else { throw ConfigurationError("cannot read the bundle \(path): no such file") }
        guard size <= maxBytes else { throw ConfigurationError("\(path) has \(size) bytes, more than a bundle may have (\(maxBytes))") }
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigurationError("cannot read the bundle \(path)") }
        return Array(data)
    }

    /// Writes a new bundle file (mode 0600: it is sealed, but its header names the recipients).
    public static func write(_ bytes: [UInt8], to path: String) throws(ConfigurationError) {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
            throw ConfigurationError("cannot write the bundle to \(path): check the directory exists and is writable")
        }
    }
}
