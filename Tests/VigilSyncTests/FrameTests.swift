import Testing
import VigilModel
@testable import VigilSync

@Suite("Frames and sync messages")
struct FrameTests {
    static let id1 = Bytes32([UInt8](repeating: 1, count: 32))!
    static let id2 = Bytes32([UInt8](repeating: 2, count: 32))!

    static let messages: [SyncMessage] = [
        .hello(Hello(clock: HybridTimestamp(milliseconds: 1_795_490_545_293, counter: 7))),
        .reconcileBegin([0x61, 0x00, 0x00, 0x02, 0x00]),
        .reconcile([0x61]),
        .want([id1, id2]),
        .want([]),
        .entries([[1, 2, 3], [], Array(repeating: 9, count: 300)]),
        .ping(0), .pong(UInt64.max),
        .goodbye(code: 3, reason: "certificate revoked"),
        .release("0.3.0"), .release("10.20.30-rc.1+deb12~1"),
    ]

    @Test("frame layout: big-endian length counting the type byte, type, payload")
    func layout() {
        #expect(Frame(type: .ping, payload: [7]).encoded == [0, 0, 0, 2, 0x05, 7])
        #expect(SyncMessage.want([Self.id1]).frame().encoded.prefix(6) == [0, 0, 0, 34, 0x03, 1])
    }

    @Test("every message round-trips through frame bytes", arguments: messages)
    func roundTrip(message: SyncMessage) throws {
        var decoder = FrameDecoder()
        let frames = try decoder.feed(message.frame().encoded)
        #expect(frames.count == 1)
        #expect(try SyncMessage(frame: frames[0]) == message)
        #expect(decoder.bufferedBytes == 0)
    }

    @Test("the decoder gives the same frames whether fed byte by byte, frame by frame, or all at once")
    func chunking() throws {
        let stream = Self.messages.flatMap { $0.frame().encoded }
        var all = FrameDecoder()
        let whole = try all.feed(stream)
        #expect(whole.count == Self.messages.count)
        var single = FrameDecoder()
        var bytewise: [Frame] = []
        for b in stream { bytewise += try single.feed([b]) }
        #expect(bytewise == whole)
        var split = FrameDecoder()
        var chunked: [Frame] = []
        var i = 0, step = 1
        while i < stream.count {
            let end = min(stream.count, i + step)
            chunked += try split.feed(stream[i..<end])
            i = end
            step = step * 3 % 97 + 1
        }
        #expect(chunked == whole)
        #expect(try whole.map { try SyncMessage(frame: $0) } == Self.messages)
    }

    @Test("oversized, empty and unknown frames are refused with the reason")
    func badFrames() {
        var d1 = FrameDecoder()
        let big = UInt32(Frame.maxLength + 1)
        #expect(throws: DecodingError.self) {
            _ = try d1.feed([UInt8(big >> 24), UInt8(big >> 16 & 0xff), UInt8(big >> 8 & 0xff), UInt8(big & 0xff)])
        }
        var d2 = FrameDecoder()
        #expect(throws: DecodingError.self) { _ = try d2.feed([0, 0, 0, 0]) }
        var d3 = FrameDecoder()
        do {
            _ = try d3.feed([0, 0, 0, 1, 0x7f])
            Issue.record("unknown type accepted")
        } catch {
            #expect(error.reason.contains("unknown frame type 0x7f"))
        }
        var small = FrameDecoder(maxLength: 16)
        #expect(throws: DecodingError.self) { _ = try small.feed([0, 0, 0, 17]) }
    }

    @Test("payload decoders refuse truncation, trailing bytes and lying counts")
    func badPayloads() throws {
        for message in Self.messages {
            let frame = message.frame()
            for n in 0..<frame.payload.count where !((frame.type == .reconcile || frame.type == .reconcileBegin) && n > 0) {
                let cut = Frame(type: frame.type, payload: Array(frame.payload.prefix(n)))
                if n == 0 && frame.type == .want { continue }
                #expect(throws: DecodingError.self, "\(message) cut at \(n)") { _ = try SyncMessage(frame: cut) }
            }
            if frame.type != .reconcile && frame.type != .reconcileBegin {
                let error = #expect(throws: DecodingError.self) { _ = try SyncMessage(frame: Frame(type: frame.type, payload: frame.payload + [0])) }
                // The message names the frame's type (made only when the decoder throws).
                #expect(error?.field == "\(frame.type) message")
                #expect(error?.offset == frame.payload.count)
            }
        }
        let lying = Frame(type: .want, payload: [0x80, 0x20])   // 4096 ids announced, none present
        #expect(throws: DecodingError.self) { _ = try SyncMessage(frame: lying) }
        let tooMany = Frame(type: .want, payload: [0x81, 0x20])
        #expect(throws: DecodingError.self) { _ = try SyncMessage(frame: tooMany) }
        #expect(throws: DecodingError.self) { _ = try SyncMessage(frame: Frame(type: .reconcile, payload: [])) }
        #expect(throws: DecodingError.self) { _ = try SyncMessage(frame: Frame(type: .ping, payload: [0x80, 0x00])) }
    }

    @Test("single-byte mutations of every message never crash")
    func mutations() {
        for message in Self.messages {
            let bytes = message.frame().encoded
            for i in bytes.indices {
                var m = bytes
                m[i] ^= 0x5a
                var d = FrameDecoder()
                if let frames = try? d.feed(m) {
                    for f in frames { _ = try? SyncMessage(frame: f) }
                }
            }
        }
    }
}
