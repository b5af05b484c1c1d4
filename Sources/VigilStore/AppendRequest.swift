import VigilModel

/// One entry, framed as a record by the caller's thread before it joins a group commit.
struct PreparedRecord {
    let id: EntryID
    let timestamp: HybridTimestamp
    let payloadLength: Int
    /// Header and payload, ready to write.
    let bytes: [UInt8]

    init(_ entry: Entry) {
        id = entry.id
        timestamp = entry.timestamp
        payloadLength = entry.canonicalBytes.count
        var out: [UInt8] = []
        out.reserveCapacity(StoreFormat.recordHeaderSize + payloadLength)
        StoreFormat.appendRecord(id: id, payload: entry.canonicalBytes, to: &out)
        bytes = out
    }
}

/// One caller's `append`, waiting for the group commit that carries it.
///
/// Created by the caller, queued under the store's monitor, answered by the writer thread: `outcome`
/// is only touched with the monitor held. An async caller's `completion` runs on the writer thread
/// after the monitor is released.
final class AppendRequest: @unchecked Sendable {
    typealias Outcome = Result<[AppendResult], StoreError>

    let records: [PreparedRecord]
    let byteCount: Int
    let completion: (@Sendable (Outcome) -> Void)?
    var outcome: Outcome?

    init(records: [PreparedRecord], completion: (@Sendable (Outcome) -> Void)?) {
        self.records = records
        byteCount = records.reduce(0) { $0 + $1.bytes.count }
        self.completion = completion
    }
}
