/// What `EntryStore.check` found. It reads every segment, verifies every record (framing, CRC, id,
/// decoding) and changes nothing.
public struct CheckReport: Sendable, CustomStringConvertible {
    /// One segment file.
    public struct Segment: Sendable {
        /// The file name, e.g. `segment-00000001.vseg`.
        public let name: String
        /// Its size in bytes.
        public let bytes: Int64
        /// Intact records in it.
        public let records: Int
    }

    /// The store directory.
    public let directory: String
    /// Every segment, in order.
    public let segments: [Segment]
    /// Every problem, in file order. Empty when the store is healthy.
    public let problems: [StoreProblem]
    /// Intact records in all segments (duplicates included).
    public let intactRecords: Int
    /// Another process held the store's lock while it was checked: a torn tail may just be a write
    /// in progress.
    public let inUse: Bool

    /// No problems at all.
    public var isHealthy: Bool { problems.isEmpty }
    /// `open` would succeed: at most a torn tail, which `open` truncates by itself.
    public var opensCleanly: Bool { problems.allSatisfy { $0.kind == .tornTail } }

    public var description: String {
        var lines = ["store \(directory): \(segments.count) segment\(segments.count == 1 ? "" : "s"), \(intactRecords) intact record\(intactRecords == 1 ? "" : "s"), \(problems.isEmpty ? "no problems" : "\(problems.count) problem\(problems.count == 1 ? "" : "s")")"]
        if inUse { lines.append("note: another process has the store open; a torn tail may be a write in progress") }
        lines += problems.map { "  \($0)" }
        if !opensCleanly { lines.append("run `vigil store repair \(directory)` to keep every intact record and drop the damaged bytes") }
        return lines.joined(separator: "\n")
    }
}

/// What `EntryStore.repair` did.
public struct RepairReport: Sendable, CustomStringConvertible {
    /// The store directory.
    public let directory: String
    /// The segment files that were rewritten (file names).
    public let rewrittenSegments: [String]
    /// Intact records in the whole store after the repair.
    public let keptRecords: Int
    /// Intact records that were copied into rewritten segments (part of `keptRecords`).
    public let rescuedRecords: Int
    /// Bytes dropped in all: damaged ranges and the records inside them.
    public let droppedBytes: Int64
    /// The problems that were repaired.
    public let repaired: [StoreProblem]

    public var description: String {
        if rewrittenSegments.isEmpty {
            return "store \(directory): nothing to repair, \(keptRecords) intact record\(keptRecords == 1 ? "" : "s")"
        }
        return "store \(directory): rewrote \(rewrittenSegments.joined(separator: ", ")); kept \(keptRecords) record\(keptRecords == 1 ? "" : "s") (\(rescuedRecords) copied), dropped \(droppedBytes) byte\(droppedBytes == 1 ? "" : "s") in \(repaired.count) damaged range\(repaired.count == 1 ? "" : "s")"
    }
}

/// What `EntryStore.open` found and did while recovering.
public struct RecoveryReport: Sendable, CustomStringConvertible {
    /// Segments scanned.
    public let segments: Int
    /// Records indexed.
    public let records: Int
    /// Records skipped because an earlier record had the same id.
    public let duplicateRecords: Int
    /// The torn tail that was cut off, if there was one.
    public let truncatedTail: StoreProblem?
    /// Leftover temporary files that were deleted.
    public let removedTemporaryFiles: [String]

    public var description: String {
        var text = "opened \(records) record\(records == 1 ? "" : "s") in \(segments) segment\(segments == 1 ? "" : "s")"
        if let tail = truncatedTail { text += "; cut off a torn tail of \(tail.length) bytes at byte \(tail.offset) of \(tail.file)" }
        if duplicateRecords > 0 { text += "; skipped \(duplicateRecords) duplicate record\(duplicateRecords == 1 ? "" : "s")" }
        return text
    }
}
