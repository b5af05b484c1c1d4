import VigilModel

/// Which records of a batch of requests must be written, and how each request's answer follows from
/// how many of them became durable.
struct BatchPlan {
    /// Where each entry of a request stands.
    enum Slot {
        /// Already in the index before this batch: a duplicate, nothing to wait for.
        case existing
        /// Record `k` of `toStore`; `first` says whether this entry is the one that stores it.
        case written(Int, first: Bool)
    }

    var toStore: [PreparedRecord] = []
    var slots: [[Slot]] = []

    init(_ batch: [AppendRequest], index: StoreIndex) {
        var positions: [EntryID: Int] = [:]
        for request in batch {
            var row: [Slot] = []
            row.reserveCapacity(request.records.count)
            for record in request.records {
                if index.contains(record.id) {
                    row.append(.existing)
                } else if let k = positions[record.id] {
                    row.append(.written(k, first: false))
                } else {
                    positions[record.id] = toStore.count
                    row.append(.written(toStore.count, first: true))
                    toStore.append(record)
                }
            }
            slots.append(row)
        }
    }

    /// Request `i` succeeded when every record it needs is among the first `durableCount`.
    func outcome(of i: Int, durableCount: Int, error: StoreError?) -> AppendRequest.Outcome {
        var results: [AppendResult] = []
        results.reserveCapacity(slots[i].count)
        for slot in slots[i] {
            switch slot {
            case .existing:
                results.append(.duplicate)
            case let .written(k, first):
                guard k < durableCount else { return .failure(error ?? StoreError(.io, "a group commit stopped early without an error")) }
                results.append(first ? .stored : .duplicate)
            }
        }
        return .success(results)
    }
}
