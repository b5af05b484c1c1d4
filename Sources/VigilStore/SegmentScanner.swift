import VigilCrypto
import VigilModel

/// One intact record found while scanning a segment.
struct ScannedRecord {
    let id: EntryID
    let timestamp: HybridTimestamp
    /// Offset of the record header in the segment.
    let offset: Int64
    let payloadLength: Int
    var totalLength: Int { StoreFormat.recordHeaderSize + payloadLength }
}

/// What scanning one segment found.
struct SegmentScan {
    let number: UInt32
    let path: String
    let fileSize: Int64
    var recordCount = 0
    var problems: [StoreProblem] = []
    /// Set when the header names a format version this code does not read; nothing else was scanned.
    var unsupportedVersion: UInt32?

    /// The single problem of a segment whose only damage is a torn tail, if that is the case.
    var onlyTornTail: StoreProblem? {
        problems.count == 1 && problems[0].kind == .tornTail ? problems[0] : nil
    }
}

/// Walks the records of one segment file, reporting intact records and every damaged range.
///
/// Framing is checked for every record (magic, type, length, CRC). At `.framing` depth that is all
/// (plus the timestamp prefix), which is what `open` does; at `.full` depth each record's id is also
/// recomputed and its payload decoded, which is what `check` and `repair` do. After a damaged range
/// the scanner resynchronises: it searches forward, byte by byte, for the next position that holds a
/// wholly valid record — good framing and CRC, id equal to SHA-256 of the payload, a payload that
/// decodes, and a signature that verifies. The last check keeps a record-shaped byte string inside
/// some entry's body from being mistaken for a real record when the surrounding record is damaged.
struct SegmentScanner {
    enum Depth { case framing, full }

    let depth: Depth

    func scan(path: String, number: UInt32, isLast: Bool,
              onRecord: (ScannedRecord) -> Void) throws(SystemCallError) -> SegmentScan {
        let reader = try SegmentReader(path: path)
        var result = SegmentScan(number: number, path: path, fileSize: reader.fileSize)
        let size = reader.fileSize
        let headerSize = StoreFormat.segmentHeaderSize

        // The segment header.
        let header = try reader.bytes(at: 0, count: headerSize)
        if header.count < headerSize {
            result.problems.append(StoreProblem(kind: .badSegmentHeader, file: path, offset: 0, length: size,
                                                detail: "the file is \(size) bytes, shorter than the \(headerSize)-byte segment header"))
            return result
        }
        if !header.prefix(8).elementsEqual(StoreFormat.segmentMagic) {
            result.problems.append(StoreProblem(kind: .badSegmentHeader, file: path, offset: 0, length: Int64(headerSize),
                                                detail: "the segment header is damaged (its magic bytes are not \"VIGILSEG\")"))
        } else {
            let version = StoreFormat.loadLE32(header, 8)
            if !(FormatVersion.storeSegment.oldest...FormatVersion.storeSegment.current).contains(version) {
                result.unsupportedVersion = version
                return result
            }
            let headerNumber = StoreFormat.loadLE32(header, 12)
            if headerNumber != number {
                result.problems.append(StoreProblem(kind: .badSegmentHeader, file: path, offset: 12, length: 4,
                                                    detail: "the segment header says segment \(headerNumber) but the file is named for segment \(number)"))
            }
        }

        var pos = Int64(headerSize)
        while pos < size {
            let window = try reader.bytes(at: pos, count: StoreFormat.maxRecordSize)
            let reason: String
            switch StoreFormat.parseRecord(window) {
            case let .record(id, length):
                let total = StoreFormat.recordHeaderSize + length
                let payload = UnsafeRawBufferPointer(rebasing: window[StoreFormat.recordHeaderSize..<total])
                switch verify(id: id, payload: payload, depth: depth) {
                case let .success(timestamp):
                    onRecord(ScannedRecord(id: id, timestamp: timestamp, offset: pos, payloadLength: length))
                    result.recordCount += 1
                case let .failure(problem):
                    result.problems.append(StoreProblem(kind: problem.kind, file: path, offset: pos, length: Int64(total),
                                                        detail: problem.detail))
                }
                pos += Int64(total)
                continue
            case let .incomplete(_, why): reason = why
            case let .bad(why): reason = why
            }
            let next = try resynchronise(reader, from: pos + 1)
            let end = next ?? size
            let kind: StoreProblem.Kind = next == nil && isLast ? .tornTail : .damagedRecord
            let tail: String
            if let next {
                tail = "; \(end - pos) bytes are damaged and an intact record follows at byte \(next)"
            } else if isLast {
                tail = "; nothing intact follows in the last segment (a write cut off by a crash)"
            } else {
                tail = "; nothing intact follows, yet this is not the last segment"
            }
            result.problems.append(StoreProblem(kind: kind, file: path, offset: pos, length: end - pos, detail: reason + tail))
            pos = end
        }
        return result
    }

    /// Why a record with good framing is still not usable.
    struct RecordFault: Error {
        let kind: StoreProblem.Kind
        let detail: String
    }

    /// Checks what `depth` asks beyond framing; returns the entry's timestamp.
    func verify(id: EntryID, payload: UnsafeRawBufferPointer, depth: Depth) -> Result<HybridTimestamp, RecordFault> {
        guard let timestamp = StoreFormat.timestamp(ofPayload: payload) else {
            return .failure(RecordFault(kind: .undecodable, detail: "the record's payload does not start like a version-\(EntryLimits.formatVersion) entry"))
        }
        guard depth == .full else { return .success(timestamp) }
        let digest = SHA256.hash(payload)
        guard EntryID(digest) == id else {
            return .failure(RecordFault(kind: .idMismatch, detail: "the id in the record header is not the SHA-256 of its payload"))
        }
        do {
            _ = try Entry(canonicalBytes: Array(payload))
        } catch {
            return .failure(RecordFault(kind: .undecodable, detail: "the payload is not a valid entry: \(error)"))
        }
        return .success(timestamp)
    }

    /// The offset of the next wholly valid record at or after `start`, or nil.
    func resynchronise(_ reader: SegmentReader, from start: Int64) throws(SystemCallError) -> Int64? {
        let magic = StoreFormat.recordMagic
        var p = start
        let last = reader.fileSize - Int64(StoreFormat.recordHeaderSize + 1)
        while p <= last {
            let chunk = try reader.bytes(at: p, count: 64 << 10)
            guard chunk.count >= 4 else { return nil }
            var found: Int?
            var i = 0
            while i + 4 <= chunk.count {
                if chunk[i] == magic[0], chunk[i + 1] == magic[1], chunk[i + 2] == magic[2], chunk[i + 3] == magic[3] {
                    found = i
                    break
                }
                i += 1
            }
            guard let found else {
                p += Int64(chunk.count - 3)
                continue
            }
            let candidate = p + Int64(found)
            if candidate > last { return nil }
            if try isWhollyValid(reader, at: candidate) { return candidate }
            p = candidate + 1
        }
        return nil
    }

    /// Framing, CRC, id, decoding and signature all check out for the record at `offset`.
    func isWhollyValid(_ reader: SegmentReader, at offset: Int64) throws(SystemCallError) -> Bool {
        let window = try reader.bytes(at: offset, count: StoreFormat.maxRecordSize)
        guard case let .record(id, length) = StoreFormat.parseRecord(window) else { return false }
        let payload = Array(UnsafeRawBufferPointer(rebasing: window[StoreFormat.recordHeaderSize..<StoreFormat.recordHeaderSize + length]))
        guard EntryID(SHA256.hash(payload)) == id, let entry = try? Entry(canonicalBytes: payload) else { return false }
        do {
            try EntryValidator.validateSignature(entry)
            return true
        } catch {
            return false
        }
    }
}
