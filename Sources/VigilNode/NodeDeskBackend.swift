import VigilAPI
import VigilDesk
import VigilModel

/// The desk's backend in a node: every desk request is a local API request line, decoded and answered by
/// the same `LocalAPIHandler` that serves `node.sock`, so the desk meets exactly the checks the CLI
/// meets (federation rules, audiences) — there is no second path to the core. Live entries come from
/// the node's admissions, as `follow` gets them; peer changes from its sessions opening and closing.
public struct NodeDeskBackend: DeskBackend {
    let node: Node
    let handler: LocalAPIHandler

    /// The backend of `node`.
    public init(node: Node) {
        self.node = node
        self.handler = LocalAPIHandler(node: node)
    }

    public func perform<Op: APIOperation>(_ request: Op) async throws(APIFailure) -> Op.Answer {
        var line: [UInt8]
        do { line = try APICodec.encodeRequest(request) } catch {
            throw APIFailure(.badRequest, "the desk could not encode its \(Op.op) request: \(error)")
        }
        line.removeLast()
        var answer = await handler.answer(try APICodec.decodeRequest(line))
        if answer.last == 0x0a { answer.removeLast() }
        return try APICodec.decodeAnswer(answer, for: Op.self)
    }

    public func follow() async -> AsyncStream<EntrySummary> {
        let (stream, continuation) = AsyncStream.makeStream(of: EntrySummary.self, bufferingPolicy: .bufferingNewest(1024))
        let token = await node.onLoop { node in
            node.addFollower { [weak node] entries in
                guard let node else { return }
                let roster = node.currentRoster
                for entry in entries { continuation.yield(Node.summary(entry, roster: roster, view: nil)) }
            }
        }
        let node = self.node
        continuation.onTermination = { _ in node.unfollow(token) }
        return stream
    }

    public func followPeers() async -> AsyncStream<PeerSessionChange> {
        let (stream, continuation) = AsyncStream.makeStream(of: PeerSessionChange.self, bufferingPolicy: .bufferingNewest(256))
        let token = await node.onLoop { node in node.addPeerWatcher { change in continuation.yield(change) } }
        let node = self.node
        continuation.onTermination = { _ in node.unwatchPeers(token) }
        return stream
    }
}
