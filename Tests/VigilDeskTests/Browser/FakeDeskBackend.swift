import VigilDesk

/// An in-memory `DeskBackend` for the browser tests of the pages (until they run against real nodes).
actor FakeDeskBackend: DeskBackend {
    private var details: [DeskEntryDetail] = []
    private var subscribers: [AsyncStream<DeskEvent>.Continuation] = []
    private(set) var acknowledgements: [(id: String, officer: String)] = []

    nonisolated func identity() async -> DeskNodeIdentity {
        DeskNodeIdentity(name: "ncc-duty", organisation: "National Crisis Centre", role: "authority")
    }

    /// Holds an entry and pushes it to open desks.
    func add(_ detail: DeskEntryDetail) {
        details.append(detail)
        for subscriber in subscribers { subscriber.yield(.entry(detail.summary)) }
    }

    var subscriberCount: Int { subscribers.count }

    func feed(_ query: FeedQuery, officer: String) async throws(DeskRefusal) -> FeedPage {
        var matching = details.map(\.summary).sorted { ($0.createdMilliseconds, $0.id) > ($1.createdMilliseconds, $1.id) }
        matching = matching.filter { summary in
            (query.kind.map { $0 == summary.kind } ?? true) && (query.tlp.map { $0 == summary.tlp } ?? true)
                && (query.author.map { $0 == summary.author } ?? true) && (query.organisation.map { $0 == summary.organisation } ?? true)
                && (query.text.map { summary.title.localizedCaseInsensitiveContains($0) } ?? true)
                && (query.since.map { summary.createdMilliseconds >= $0 } ?? true) && (query.until.map { summary.createdMilliseconds < $0 } ?? true)
        }
        if let before = query.before, let index = matching.firstIndex(where: { $0.id == before }) {
            matching = Array(matching[(index + 1)...])
        }
        let page = Array(matching.prefix(query.limit))
        return FeedPage(entries: page, nextCursor: matching.count > query.limit ? page.last?.id : nil)
    }

    func entry(id: String, officer: String) async throws(DeskRefusal) -> DeskEntryDetail {
        guard let detail = details.first(where: { $0.summary.id == id }) else { throw DeskRefusal(.notFound, "no entry \(id)") }
        return detail
    }

    func acknowledge(id: String, officer: String) async throws(DeskRefusal) {
        guard let index = details.firstIndex(where: { $0.summary.id == id }) else { throw DeskRefusal(.notFound, "no entry \(id)") }
        acknowledgements.append((id, officer))
        details[index].receipts.append(DeskReceipt(node: "ncc-duty", organisation: "National Crisis Centre",
                                                   acknowledgedMilliseconds: 1_796_040_000_000, officer: officer))
    }

    func events() async -> AsyncStream<DeskEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: DeskEvent.self, bufferingPolicy: .bufferingNewest(256))
        subscribers.append(continuation)
        return stream
    }
}
