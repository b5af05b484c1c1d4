import Foundation

/// Runs `openssl speed … ed25519`: the baseline every Vigil benchmark compares itself with, measured in
/// the same run.
public enum OpenSSLSpeed {
    /// Ed25519 rates of one core.
    public struct Figures: Sendable {
        /// Signatures per second.
        public var sign: Double
        /// Verifications per second.
        public var verify: Double
        /// `openssl version`.
        public var version: String
    }

    /// Why openssl could not be measured.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong.
        public let description: String
    }

    /// Runs `openssl speed -seconds S -mr ed25519` (single process, so one core) and reads sign/s and
    /// verify/s. openssl divides by its user CPU time; with `wallClock` it gets `-elapsed` and divides by
    /// wall-clock time. `-mr` gives the line `+F6:0:253:Ed25519:SIGN/S:VERIFY/S`; the human table line is
    /// read if that is missing.
    public static func run(executable: String = "openssl", seconds: Int = 3, wallClock: Bool = false) throws -> Figures {
        let output = try capture(executable, ["speed", "-seconds", "\(seconds)"] + (wallClock ? ["-elapsed"] : []) + ["-mr", "ed25519"])
        let version = (try? capture(executable, ["version"]))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
        for line in output.split(whereSeparator: \.isNewline) where line.hasPrefix("+F6:") {
            let fields = line.split(separator: ":")
            if fields.count >= 6, fields[3] == "Ed25519", let s = Double(fields[4]), let v = Double(fields[5]) {
                return Figures(sign: s, verify: v, version: version)
            }
        }
        for line in output.split(whereSeparator: \.isNewline) where line.contains("EdDSA (Ed25519)") {
            let numbers = line.split(separator: " ").compactMap { Double($0) }
            if numbers.count >= 2 { return Figures(sign: numbers[numbers.count - 2], verify: numbers[numbers.count - 1], version: version) }
        }
        throw Failure(description: "could not find the Ed25519 sign/s and verify/s in the output of openssl speed:\n\(output)")
    }

    /// Runs a command and returns its standard output and error together.
    public static func capture(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw Failure(description: "cannot run \(executable): \(error)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) exited with status \(process.terminationStatus) (is OpenSSL 3 installed? Debian: apt-get install openssl):\n\(text)")
        }
        return text
    }
}
