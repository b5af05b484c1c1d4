import Glibc
import VigilModel

extension EntryStore {
    /// Reads every segment in `directory` and verifies every record — framing, CRC, id = SHA-256 of the
    /// payload, and that the payload decodes — listing every problem with its file and byte offset.
    /// Changes nothing (it does not even take the lock; `inUse` tells whether someone held it).
    /// This is `vigil store check`.
    public static func check(directory: String) -> CheckReport {
        guard FileSystem.isDirectory(directory) else {
            return CheckReport(directory: directory, segments: [], problems: [
                StoreProblem(kind: .unreadable, file: directory, offset: 0, length: 0, detail: "not a directory (or it cannot be read)"),
            ], intactRecords: 0, inUse: false)
        }
        let inUse = StoreLock.isHeld(directory: directory)
        let segments: [(number: UInt32, path: String)]
        do {
            segments = try SegmentFiles.list(directory)
        } catch {
            return CheckReport(directory: directory, segments: [], problems: [
                StoreProblem(kind: .unreadable, file: directory, offset: 0, length: 0, detail: error.message),
            ], intactRecords: 0, inUse: inUse)
        }
        var summaries: [CheckReport.Segment] = []
        var problems: [StoreProblem] = []
        var intact = 0
        let scanner = SegmentScanner(depth: .full)
        for (i, segment) in segments.enumerated() {
            let name = StoreFormat.segmentFileName(segment.number)
            do {
                let scan = try scanner.scan(path: segment.path, number: segment.number, isLast: i == segments.count - 1) { _ in }
                if let version = scan.unsupportedVersion {
                    problems.append(StoreProblem(kind: .badSegmentHeader, file: segment.path, offset: 8, length: 4,
                                                 detail: FormatVersionError(format: .storeSegment, found: version, file: segment.path).description + " `vigil store repair` will not touch it."))
                }
                problems += scan.problems
                intact += scan.recordCount
                summaries.append(CheckReport.Segment(name: name, bytes: scan.fileSize, records: scan.recordCount))
            } catch {
                let why = String(cString: strerror(error.errorNumber))
                problems.append(StoreProblem(kind: .unreadable, file: segment.path, offset: 0, length: 0, detail: "\(error.call) failed: \(why)"))
                summaries.append(CheckReport.Segment(name: name, bytes: 0, records: 0))
            }
        }
        return CheckReport(directory: directory, segments: summaries, problems: problems, intactRecords: intact, inUse: inUse)
    }

    /// Repairs the store in `directory` (which must not be open anywhere: this takes its lock). Every
    /// segment with a problem is rewritten with exactly its intact records — including those after a
    /// damaged range, found by resynchronising on the next wholly valid record — into `NAME.tmp`,
    /// which is fsynced, renamed over the original, and the directory fsynced; a crash at any point
    /// leaves either the old or the new file. Healthy segments are not touched. This is
    /// `vigil store repair`.
    public static func repair(directory: String) throws(StoreError) -> RepairReport {
        try repair(directory: directory, io: SystemFileIO())
    }

    static func repair(directory: String, io: any FileIO) throws(StoreError) -> RepairReport {
        guard FileSystem.isDirectory(directory) else {
            throw StoreError(.io, "\(directory) is not a store directory (it does not exist or is not a directory)", path: directory)
        }
        let lock = try StoreLock.acquire(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        for name in SegmentFiles.temporaries(directory) {
            let path = FileSystem.join(directory, name)
            do { try FileSystem.unlink(path) } catch { throw error.storeError(path: path, doing: "removing a leftover temporary file") }
        }
        let segments = try SegmentFiles.list(directory)
        var rewritten: [String] = []
        var kept = 0
        var rescued = 0
        var dropped: Int64 = 0
        var repaired: [StoreProblem] = []
        let scanner = SegmentScanner(depth: .full)
        for (i, segment) in segments.enumerated() {
            var records: [ScannedRecord] = []
            let scan: SegmentScan
            do {
                scan = try scanner.scan(path: segment.path, number: segment.number, isLast: i == segments.count - 1) { records.append($0) }
            } catch {
                throw error.storeError(path: segment.path, doing: "reading the segment")
            }
            if let version = scan.unsupportedVersion {
                throw StoreError(.unsupportedFormat, FormatVersionError(format: .storeSegment, found: version, file: segment.path).description + " `vigil store repair` will not touch it.", path: segment.path)
            }
            kept += records.count
            guard !scan.problems.isEmpty else { continue }
            let keptBytes = try rewrite(segment.path, number: segment.number, records: records, directory: directory, io: io)
            rewritten.append(StoreFormat.segmentFileName(segment.number))
            rescued += records.count
            dropped += max(0, scan.fileSize - keptBytes)
            repaired += scan.problems
        }
        return RepairReport(directory: directory, rewrittenSegments: rewritten, keptRecords: kept, rescuedRecords: rescued,
                            droppedBytes: dropped, repaired: repaired)
    }

    /// Writes a fresh copy of segment `number` holding `records` (copied byte for byte from `path`)
    /// and puts it in place of `path` atomically. Returns the new file's size.
    private static func rewrite(_ path: String, number: UInt32, records: [ScannedRecord], directory: String,
                                io: any FileIO) throws(StoreError) -> Int64 {
        let temporary = path + StoreFormat.temporarySuffix
        var step = "reading"
        do {
            let source = try SegmentReader(path: path)
            step = "creating"
            let fd = try FileSystem.open(temporary, O_WRONLY | O_CREAT | O_TRUNC)
            defer { Glibc.close(fd) }
            step = "writing"
            var buffer = StoreFormat.segmentHeader(number: number)
            var written: Int64 = 0
            func drain() throws(SystemCallError) {
                try io.write(fd, buffer, at: written)
                written += Int64(buffer.count)
                buffer.removeAll(keepingCapacity: true)
            }
            for record in records {
                step = "reading"
                let bytes = try source.bytes(at: record.offset, count: record.totalLength)
                buffer.append(contentsOf: bytes)
                step = "writing"
                if buffer.count >= 4 << 20 { try drain() }
            }
            try drain()
            step = "syncing"
            try io.sync(fd)
            step = "renaming"
            try FileSystem.rename(temporary, path)
            step = "syncing the directory after renaming"
            try FileSystem.syncDirectory(directory)
            return written
        } catch {
            try? FileSystem.unlink(temporary)
            let state = step.hasPrefix("syncing the directory")
                ? "The repaired file is in place, but its directory entry may not be durable yet: run the repair again."
                : "The original file was left as it was."
            let base = error.storeError(path: path, doing: "repairing the segment (\(step))")
            throw StoreError(base.code, "\(base.message) \(state)", path: path)
        }
    }
}
