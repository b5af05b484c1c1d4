import Foundation
import VigilCrypto

/// A node directory's `encryption.key` (X25519, mode 0600; docs/bundles.md).
public enum EncryptionKeyFile {
    /// The key in `directory`, or an error that says how to make one.
    public static func read(_ directory: String) throws -> AgreementKey {
        let path = directory + "/encryption.key"
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigurationError("no encryption key at \(path): create and publish one with `vigil bundle key --dir \(directory)`; bundles can be sealed to this node once its enckey entry has reached the exporter")
        }
        return try KeyFile.readAgreementKey(from: path)
    }

    /// The key in `directory`, created (mode 0600) when there is none.
    public static func loadOrCreate(_ directory: String) throws -> AgreementKey {
        let path = directory + "/encryption.key"
        if FileManager.default.fileExists(atPath: path) { return try KeyFile.readAgreementKey(from: path) }
        let key = try AgreementKey.generate()
        try KeyFile.write(key, to: path)
        return key
    }
}
