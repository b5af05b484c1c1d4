/// The version of one on-disk format, and the one rule every reader applies (docs/formats.md):
/// a release writes `current` and reads every version from `oldest` to `current`; it refuses a newer
/// one with `FormatVersionError`, which names both versions and what to do, and changes nothing.
public struct FormatVersion: Hashable, Sendable {
    /// What the format is, as an operator knows it, e.g. "store segment" or "node.json".
    public let format: String
    /// The version this release writes, and the newest it reads.
    public let current: UInt32
    /// The oldest version this release still reads.
    public let oldest: UInt32

    /// A format written at `current`, read from `oldest` on.
    public init(format: String, current: UInt32, oldest: UInt32 = 1) {
        precondition(oldest >= 1 && oldest <= current, "a format reads at least its current version")
        self.format = format
        self.current = current
        self.oldest = oldest
    }

    /// Accepts `found` (the version a file declares) or throws the error to show for `file`.
    public func check(_ found: UInt32, file: String) throws(FormatVersionError) {
        guard found >= oldest, found <= current else {
            throw FormatVersionError(format: self, found: found, file: file)
        }
    }

    /// Entry store segments (`store/segment-*.vseg`, docs/store-format.md).
    public static let storeSegment = FormatVersion(format: "store segment", current: 1)
    /// The node configuration `node.json`, written by `vigil init`. Release 0.2 wrote no version: read as 1.
    public static let nodeConfig = FormatVersion(format: "node configuration (node.json)", current: 1)
    /// The federation genesis `genesis.json`, written by `Scripts/certs`. Release 0.2 wrote no version: read as 1.
    public static let genesis = FormatVersion(format: "federation genesis (genesis.json)", current: 1)
}

/// A file declares a format version this release does not read.
public struct FormatVersionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The format and the versions this release reads.
    public let format: FormatVersion
    /// The version the file declares.
    public let found: UInt32
    /// The file (or directory) that declared it.
    public let file: String

    /// The error for `file`, which declares `found`.
    public init(format: FormatVersion, found: UInt32, file: String) {
        self.format = format
        self.found = found
        self.file = file
    }

    /// Whether the file was written by a newer release (otherwise by one too old to be read).
    public var isNewer: Bool { found > format.current }

    /// `message`, preceded by the file.
    public var description: String { "\(file): " + message }

    /// Names both versions and what to do; says that nothing was changed.
    public var message: String {
        let reads = format.oldest == format.current ? "version \(format.current)" : "versions \(format.oldest) to \(format.current)"
        if isNewer {
            return "this \(format.format) has format version \(found), but this Vigil (release \(VigilRelease.version)) reads \(reads) only. "
                + "A newer Vigil release wrote it: install that release (or a newer one) to use it, or restore a copy written by release \(VigilRelease.version) from a backup. Nothing was changed."
        }
        return "this \(format.format) has format version \(found), older than any this Vigil (release \(VigilRelease.version)) reads (\(reads)). "
            + "Use the release that wrote it (docs/formats.md says which release reads which version). Nothing was changed."
    }
}
