import Foundation
import VigilModel
import VigilNode
import VigilSync

/// The checks run on one input by the libFuzzer entry point and by the replayer alike. The first byte
/// picks the decoder; the rest is its input. Any input may be refused; an accepted one must re-encode to
/// exactly itself (one valid encoding), and nothing may crash.
enum SyncFuzzCheck {
    static let targets = ["frames", "negentropy", "fieldmap", "genesis", "frames-bytewise", "node-index"]

    /// A broken invariant, or nil.
    static func run(_ input: [UInt8]) -> String? {
        guard let selector = input.first else { return nil }
        let bytes = Array(input.dropFirst())
        switch Int(selector) % targets.count {
        case 0: return frames(bytes, bytewise: false)
        case 1:
            guard let message = try? NegentropyMessage.decode(bytes) else { return nil }
            let again = message.encoded()
            return again == bytes ? nil : "a Negentropy message re-encodes differently: \(hex(bytes)) → \(hex(again))"
        case 2:
            guard let map = try? FieldMap(canonicalBytes: bytes) else { return nil }
            guard let again = try? map.encoded() else { return "an accepted field map cannot be encoded again: \(hex(bytes))" }
            return again == bytes ? nil : "a field map re-encodes differently: \(hex(bytes)) → \(hex(again))"
        case 3:
            _ = try? Genesis(json: Data(bytes))
            return nil
        case 4: return frames(bytes, bytewise: true)
        default: return nodeIndex(bytes)
        }
    }

    /// A start-up index chunk body must re-encode to itself; a whole file must parse without crashing
    /// and keep only chunks that re-encode to themselves.
    static func nodeIndex(_ bytes: [UInt8]) -> String? {
        if let chunk = try? NodeIndexFormat.decode(bytes) {
            let again = NodeIndexFormat.encode(chunk)
            if again != bytes { return "a start-up index chunk re-encodes differently: \(hex(bytes)) → \(hex(again))" }
        }
        let contents = NodeIndexFormat.parse(bytes)
        var rebuilt = contents.chunks.isEmpty && contents.intactBytes == 0 ? [] : NodeIndexFormat.header()
        for chunk in contents.chunks { rebuilt += NodeIndexFormat.framed(chunk) }
        return rebuilt == Array(bytes.prefix(contents.intactBytes)) ? nil : "a start-up index file's intact part re-frames differently: \(hex(bytes))"
    }

    /// Frames fed at once and byte by byte must agree; every decoded message re-frames to its frame.
    static func frames(_ bytes: [UInt8], bytewise: Bool) -> String? {
        var whole = FrameDecoder()
        let all: Result<[Frame], DecodingError> = Result { () throws(DecodingError) -> [Frame] in try whole.feed(bytes) }
        if bytewise {
            var single = FrameDecoder()
            var frames: [Frame] = []
            var failed = false
            for b in bytes {
                do { frames += try single.feed([b]) } catch { failed = true; break }
            }
            switch all {
            case .success(let f):
                if failed { return "bytewise feeding failed where whole feeding succeeded: \(hex(bytes))" }
                if f != frames { return "bytewise feeding gave other frames: \(hex(bytes))" }
            case .failure:
                if !failed { return "bytewise feeding succeeded where whole feeding failed: \(hex(bytes))" }
            }
        }
        guard case .success(let frames) = all else { return nil }
        for frame in frames {
            guard let message = try? SyncMessage(frame: frame) else { continue }
            if message.frame() != frame { return "a \(frame.type) message re-frames differently: \(hex(frame.payload))" }
        }
        return nil
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.prefix(64).map { String(format: "%02x", $0) }.joined() }
}

/// The libFuzzer callback (also exported under the name libFuzzer's runtime expects).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSync(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if let violation = SyncFuzzCheck.run(bytes) { fatalError("vigil-fuzz-sync: invariant violated: \(violation)") }
    return 0
}

/// Valid inputs for each target, as corpus seeds.
enum SyncSeeds {
    static func all() -> [[UInt8]] {
        let id = Bytes32([UInt8](repeating: 7, count: 32))!
        let messages: [SyncMessage] = [
            .hello(Hello(clock: HybridTimestamp(milliseconds: 1_795_000_000_000, counter: 3))),
            .reconcileBegin([0x61, 0x00, 0x00, 0x02, 0x00]), .reconcile([0x61]), .want([id]),
            .entries([[1, 2, 3]]), .ping(9), .pong(9), .goodbye(code: 1, reason: "revoked — étape"),
        ]
        let stream = messages.flatMap { $0.frame().encoded }
        let map: FieldMap = ["a": .text("x"), "b": .list([.integer(-5), .bool(true)]), "c": .map(["d": .id(id)])]
        let genesis = """
            {"federation":"F","authority":"\(id.hex)","members":[{"name":"a","organisation":"Org","role":"authority",
            "nodeId":"\(id.hex)","host":"127.0.0.1","port":7401,"dials":[]}]}
            """
        var chunk = NodeIndexChunk(firstPosition: 2)
        chunk.audiences = [.federation, Audience(tlp: .amber, roles: ["police"], organisations: ["Org"], nodes: [id])]
        chunk.records = [HeldRecord(id: id, timestamp: HybridTimestamp(milliseconds: 1_795_000_000_000, counter: 1), author: id, audience: 0),
                         HeldRecord(id: Bytes32([UInt8](repeating: 8, count: 32))!, timestamp: HybridTimestamp(milliseconds: 1_795_000_000_001, counter: 0), author: id, audience: 1)]
        chunk.kinds = [.commTest, .acknowledgement]
        chunk.references = [NodeIndexChunk.Reference(from: 1, to: id)]
        chunk.receipts = [1]
        let body = NodeIndexFormat.encode(chunk)
        let file = NodeIndexFormat.header() + NodeIndexFormat.framed(NodeIndexChunk(firstPosition: 0)) + NodeIndexFormat.framed(chunk)
        return [[0] + stream, [1, 0x61, 0x00, 0x00, 0x02, 0x00], [2] + (try! map.encoded()), [3] + Array(genesis.utf8), [4] + stream,
                [5] + body, [5] + file]
    }
}
