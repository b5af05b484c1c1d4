import Foundation
import VigilBundle

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
