import Foundation
import VigilAPI
import VigilModel
import VigilNode
import VigilSync

/// The checks run on one input by the libFuzzer entry point and by the replayer alike. The first byte
/// picks the decoder; the rest is its input. Any input may be refused; an accepted one must re-encode to
/// exactly itself (one valid encoding), and nothing may crash.
enum SyncFuzzCheck {
    static let targets = ["frames", "negentropy", "fieldmap", "genesis", "frames-bytewise", "api-request", "node-index"]

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
        case 5: return apiRequest(bytes)
        default: return nodeIndex(bytes)
        }
    }

    /// A local API request line: refused with a failure, or decoded to a request whose own line decodes
    /// to the same line again (the typed layer loses nothing it accepted). The byte-level reader of the
    /// post path (`JSONFastReader`, `APIHotLines`) agrees with `JSONDecoder` on every input: whatever it
    /// takes, JSONDecoder reads to the same value, and the answer or error of `decodeRequest` is
    /// exactly `JSONDecoder`'s. Its posted-answer and follow-line readers are checked the same way.
    static func apiRequest(_ bytes: [UInt8]) -> String? {
        let viaCodec = Result { () throws(APIFailure) in try APICodec.decodeRequest(bytes) }
        let viaFoundation = Result { () throws(APIFailure) in try APICodec.decodeRequestWithFoundation(bytes) }
        switch (viaCodec, viaFoundation) {
        case (.failure(let a), .failure(let b)) where a == b: break
        case (.success(.compose(let a)), .success(.compose(let b))) where a == b: break
        case (.success, .success) where JSONFastReader.parse(bytes).flatMap(APIHotLines.compose) == nil: break
        default: return "the byte-level reader and JSONDecoder disagree on \(hex(bytes))"
        }
        if let document = JSONFastReader.parse(bytes) {
            if let posted = APIHotLines.posted(document), (try? APICodec.decodeAnswerWithFoundation(bytes, for: ComposeRequest.self)) != posted {
                return "a posted answer read byte by byte differs from JSONDecoder's: \(hex(bytes))"
            }
            if let follow = APIHotLines.follow(document), (try? APICodec.decodeAnswerWithFoundation(bytes, for: FollowRequest.self)) != follow {
                return "a follow line read byte by byte differs from JSONDecoder's: \(hex(bytes))"
            }
        }
        guard let request = try? viaCodec.get() else { return nil }
        guard let line = try? encode(request) else { return "an accepted request cannot be encoded: \(hex(bytes))" }
        guard let again = try? APICodec.decodeRequest(Array(line.dropLast())) else {
            return "a request's own line is refused: \(String(decoding: line, as: UTF8.self).prefix(200))"
        }
        guard let second = try? encode(again), second == line else { return "a request's line changes on a second round: \(hex(bytes))" }
        return nil
    }

    static func encode(_ request: APIRequest) throws -> [UInt8] {
        switch request {
        case .status(let r): try APICodec.encodeRequest(r)
        case .compose(let r): try APICodec.encodeRequest(r)
        case .post(let r): try APICodec.encodeRequest(r)
        case .ack(let r): try APICodec.encodeRequest(r)
        case .get(let r): try APICodec.encodeRequest(r)
        case .show(let r): try APICodec.encodeRequest(r)
        case .entries(let r): try APICodec.encodeRequest(r)
        case .resolve(let r): try APICodec.encodeRequest(r)
        case .list(let r): try APICodec.encodeRequest(r)
        case .follow(let r): try APICodec.encodeRequest(r)
        case .commTestResults(let r): try APICodec.encodeRequest(r)
        case .incidents(let r): try APICodec.encodeRequest(r)
        case .roster(let r): try APICodec.encodeRequest(r)
        case .metrics(let r): try APICodec.encodeRequest(r)
        case .wait(let r): try APICodec.encodeRequest(r)
        case .bundleExport(let r): try APICodec.encodeRequest(r)
        case .bundleImport(let r): try APICodec.encodeRequest(r)
        case .bundleKey(let r): try APICodec.encodeRequest(r)
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
            .entries([[1, 2, 3]]), .ping(9), .pong(9), .goodbye(code: 1, reason: "revoked — étape"), .release("0.3.0"),
        ]
        let stream = messages.flatMap { $0.frame().encoded }
        let map: FieldMap = ["a": .text("x"), "b": .list([.integer(-5), .bool(true)]), "c": .map(["d": .id(id)])]
        let genesis = """
            {"formatVersion":1,"federation":"F","authority":"\(id.hex)","members":[{"name":"a","organisation":"Org","role":"authority",
            "nodeId":"\(id.hex)","host":"127.0.0.1","port":7401,"dials":[]}]}
            """
        let requests = [
            #"{"op":"status"}"#, #"{"op":"show","id":"\#(id.hex)"}"#, #"{"op":"entries","kinds":["sitrep"],"since_ms":5,"limit":3}"#,
            #"{"op":"compose","kind":"sitrep","fields":{"summary":"é","level":2,"lat":50.5,"areas":[{"x":null}]},"audience":{"tlp":"amber","roles":["government"]},"refs":["\#(id.hex)"]}"#,
            #"{"op":"wait","ids":["\#(id.hex)"],"timeout_ms":5}"#,
            #"{"fields":{"subject":"bench 1","text":"a\n\u00e9\ud83d\ude00"},"kind":"message","op":"compose","refs":[]}"#,
            #"{"op":"compose","kind":"message","fields":{"n":99999999999999999999,"m":-999999999999999999}}"#,
            #"{"id":"\#(id.hex)","ok":true}"#, #"{"following":true,"ok":true}"#,
            #"{"entry":{"amended":false,"audience":{"nodes":[],"organisations":[],"roles":[],"tlp":"TLP:GREEN"},"author":"a","fields":{"n":-3,"t":"x"},"hlc":"1.0","id":"\#(id.hex)","kind":"message","organisation":"O","refs":[],"retracted":false,"summary":"s","time":"t","time_ms":1},"ok":true}"#,
        ].map { [UInt8(5)] + Array($0.utf8) }
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
                [6] + body, [6] + file] + requests
    }
}
