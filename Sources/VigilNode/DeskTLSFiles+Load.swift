import Foundation
import VigilCrypto

extension DeskTLSFiles {
    /// Reads the certificate chain and the key and makes the desk's HTTPS context (TLS 1.2 or 1.3, no
    /// client certificate). Refuses, naming the file and what to do: a missing or unreadable file, a file
    /// that holds no certificate or no key, a key others can read, a key that is not the certificate's, a
    /// certificate expired or not yet valid at `now`.
    public func load(now: Date) throws(ConfigurationError) -> TLSContext {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: certificate, isDirectory: &isDirectory) else {
            throw ConfigurationError("the desk certificate \(certificate) does not exist; give the PEM file of the desk's certificate with --desk-cert (the node's own is its node.crt)")
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: certificate) else {
            throw ConfigurationError("cannot read the desk certificate \(certificate)\(isDirectory.boolValue ? ": it is a directory" : ""); give a readable PEM certificate file with --desk-cert")
        }
        let chain: [Certificate]
        do {
            chain = try Certificate.chain(pem: Array(data))
        } catch {
            throw ConfigurationError("the desk certificate \(certificate): \(error)")
        }
        let key: ServerKey
        do {
            key = try KeyFile.readServerKey(from: self.key)
        } catch {
            throw ConfigurationError("the desk key: \(error)")
        }
        do {
            return try TLSContext(httpsServer: chain, key: key, at: now)
        } catch {
            throw ConfigurationError("the desk certificate \(certificate) with the key \(self.key): \(error)")
        }
    }
}
