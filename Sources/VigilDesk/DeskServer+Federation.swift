import VigilAPI
import VigilModel

/// The federation page's routes and the event stream's peer changes.
extension DeskServer {
    /// `GET /api/federation`: peers from the node's status, members from its roster.
    func federation() async throws(DeskRefusal) -> DeskFederation {
        let status = try await perform(StatusRequest()).status
        let roster = try await perform(RosterRequest()).members
        return DeskViews.federation(status: status, roster: roster)
    }

    /// `POST /api/roster`: the authority's roster change, sent as the local API's `compose` of a roster
    /// entry exactly as `vigil roster add|revoke|rotate` sends it. The node refuses it unless it is the
    /// authority; a refusal names the field at fault (`node`, `name`, `key`, `addresses[1]`…).
    func rosterChange(_ body: [UInt8]) async throws(DeskRefusal) -> DeskPosted {
        guard let change = DeskJSON.decode(DeskRosterRequest.self, body) else {
            throw DeskRefusal(.badRequest, "the body must be {\"op\": \"add\"|\"revoke\"|\"rotate\", \"node\": \"…\", …}")
        }
        let posted = try await perform(ComposeRequest(kind: EntryKind.roster.name, fields: change.fields))
        return DeskPosted(id: posted.id.hex)
    }

    /// The event stream: the node's new entries and its peer sessions opening and closing, as one stream
    /// of desk events; when the client goes, both of the backend's streams stop.
    func events() async -> AsyncStream<DeskEvent> {
        let entries = await backend.follow()
        let peers = await backend.followPeers()
        let (stream, continuation) = AsyncStream.makeStream(of: DeskEvent.self, bufferingPolicy: .bufferingNewest(1024))
        let forwardEntries = Task {
            for await entry in entries { continuation.yield(.entry(DeskViews.summary(entry))) }
            continuation.finish()
        }
        let forwardPeers = Task {
            for await change in peers { continuation.yield(.peer(change)) }
        }
        continuation.onTermination = { _ in
            forwardEntries.cancel()
            forwardPeers.cancel()
        }
        return stream
    }
}
