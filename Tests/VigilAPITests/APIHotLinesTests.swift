import Foundation
import Testing
import VigilAPI
import VigilModel

/// The post path's lines read and written byte by byte (`JSONFastReader`, `JSONFastWriter`,
/// `APIHotLines`) against the `Codable` path they replace: the same bytes out, the same values in, and
/// every line the fast reader does not take (malformed ones included) left to `JSONDecoder`.
@Suite("local API hot lines")
struct APIHotLinesTests {
    static let id = EntryID(hex: String(repeating: "ab", count: 32))!
    static let other = EntryID(hex: String(repeating: "0f", count: 32))!

    /// Every ASCII control character, quotes, backslash, slash, DEL, line separators, accents, emoji.
    static let awkward: String = {
        var s = ""
        for c in 0..<0x20 { s.unicodeScalars.append(Unicode.Scalar(UInt8(c))) }
        return s + "\"\\/\u{7f}\u{2028}\u{2029}é e\u{301} 😀 <b>&amp;</b>"
    }()

    static let bodies: [JSONValue] = [
        .object(["subject": .string("bench 1"), "text": .string("Post path 1: " + String(repeating: "x", count: 150))]),
        .object(["text": .string(awkward), "a_b": .integer(-12), "ab": .integer(0), "aB": .bool(true), "A": .null,
                 "list": .array([.integer(Int64(999_999_999_999_999_999)), .string(""), .array([]), .object([:])]),
                 "nested": .object(["z": .object(["y": .array([.bool(false)])])])]),
        .object([:]),
        .array([.string("top-level array")]),
        .string("just text"),
    ]

    static func summary(fields: JSONValue, refs: [EntryID] = []) -> EntrySummary {
        EntrySummary(id: id, kind: "message", time: "2026-12-02T15:00:00.123Z", timeMs: 1_796_223_600_123, hlc: "1796223600123.4",
                     author: "Centre \"A\"", organisation: "Ops\\Room", refs: refs,
                     audience: AudienceView(tlp: "TLP:AMBER", roles: ["government", "authority"], organisations: [], nodes: ["node-b", awkward]),
                     fields: fields, summary: "bench — " + awkward, amended: true, retracted: false)
    }

    @Test("compose request lines: the same bytes as JSONEncoder, read back to the same value by both readers")
    func composeLines() throws {
        for body in Self.bodies {
            for request in [ComposeRequest(kind: "message", fields: body),
                            ComposeRequest(kind: "sitrep", fields: body, refs: [Self.id, Self.other], officer: "jan \"duty\"")] {
                let fast = try #require(APIHotLines.line(request))
                let reference = try APICodec.encodeRequestWithFoundation(request)
                #expect(fast == reference, "\(String(decoding: fast, as: UTF8.self))\n\(String(decoding: reference, as: UTF8.self))")
                let line = Array(fast.dropLast())
                let document = try #require(JSONFastReader.parse(line))
                #expect(APIHotLines.compose(document) == request)
                guard case .compose(let viaFoundation) = try APICodec.decodeRequestWithFoundation(line) else {
                    Issue.record("not a compose request")
                    continue
                }
                #expect(viaFoundation == request)
            }
        }
    }

    @Test("answer and follow lines: the same bytes as JSONEncoder, read back to the same value by both readers")
    func answerLines() throws {
        let posted = PostedAnswer(id: Self.id)
        #expect(APICodec.encodeAnswer(posted) == APICodec.encodeAnswerWithFoundation(posted))
        let postedLine = Array(APIHotLines.line(posted).dropLast())
        #expect(APIHotLines.posted(try #require(JSONFastReader.parse(postedLine))) == posted)
        #expect(try APICodec.decodeAnswerWithFoundation(postedLine, for: ComposeRequest.self) == posted)

        var follows = [FollowLine.marker]
        for body in Self.bodies { follows.append(FollowLine(entry: Self.summary(fields: body, refs: [Self.other]))) }
        follows.append(FollowLine(entry: Self.summary(fields: Self.bodies[0])))
        for follow in follows {
            let fast = try #require(APIHotLines.line(follow))
            let reference = APICodec.encodeAnswerWithFoundation(follow)
            #expect(fast == reference, "\(String(decoding: fast, as: UTF8.self))\n\(String(decoding: reference, as: UTF8.self))")
            let line = Array(fast.dropLast())
            #expect(APIHotLines.follow(try #require(JSONFastReader.parse(line))) == follow)
            #expect(try APICodec.decodeAnswerWithFoundation(line, for: FollowRequest.self) == follow)
            #expect(try APICodec.decodeAnswer(line, for: FollowRequest.self) == follow)
        }
    }

    @Test("a body with a decimal number is left to JSONEncoder and JSONDecoder, with the same result")
    func decimals() throws {
        let body = JSONValue.object(["lat": .degrees(52_370_216), "share": .number(0.25), "text": .string("x")])
        let request = ComposeRequest(kind: "incident", fields: body)
        #expect(APIHotLines.line(request) == nil)
        let line = try APICodec.encodeRequest(request)
        #expect(line == (try APICodec.encodeRequestWithFoundation(request)))
        #expect(JSONFastReader.parse(Array(line.dropLast())) == nil)
        let follow = FollowLine(entry: Self.summary(fields: body))
        #expect(APIHotLines.line(follow) == nil)
        #expect(APICodec.encodeAnswer(follow) == APICodec.encodeAnswerWithFoundation(follow))
    }

    @Test("the fast reader takes only what JSONDecoder reads the same way", arguments: [
        // Valid JSON outside its subset: left to JSONDecoder.
        #"{"op":"compose","kind":"message","fields":{"n":1.0}}"#,
        #"{"op":"compose","kind":"message","fields":{"n":1e2}}"#,
        #"{"op":"compose","kind":"message","fields":{"n":-0}}"#,
        #"{"op":"compose","kind":"message","fields":{"n":12345678901234567890}}"#,
        #"{"op":"compose","kind":"message","fields":{"n":9999999999999999999}}"#,
        #"{"op":"compose","kind":"message","fields":{"n":-99999999999999999999}}"#,
        #"99999999999999999999{"op":"compose","kind":"message","fields":{}}"#,
        #"{"op":"compose","kind":"message","fields":{"t":"a"},"kind":"alert"}"#,
        #"{"op":"compose","kind":"message","fields":null}"#,
        #"{"op":"compose","kind":"message","fields":{},"audience":{"tlp":"green"}}"#,
        // Malformed: JSONDecoder refuses, so must the fast reader.
        #"{"op":"compose","kind":"message","fields":{"t":"a\ud800"}}"#,
        #"{"op":"compose","kind":"message","fields":{"t":"a\udc00b"}}"#,
        #"{"op":"compose","kind":"message","fields":{"t":"a\x"}}"#,
        #"{"op":"compose","kind":"message","fields":{"t":"a\u12"}}"#,
        "{\"op\":\"compose\",\"kind\":\"message\",\"fields\":{\"t\":\"a\u{1}\"}}",
        #"{"op":"compose","kind":"message","fields":{"n":01}}"#,
        #"{"op":"compose","kind":"message","fields":{"n":-}}"#,
        #"{"op":"compose","kind":"message","fields":{"a":[1,]}}"#,
        #"{"op":"compose","kind":"message","fields":{"a":1,}}"#,
        #"{"op":"compose","kind":"message","fields":{"a":tru}}"#,
        #"{"op":"compose","kind":"message","fields":{}} x"#,
        #"{"op":"compose","kind":"message","fields":{}"#,
        #"{"op":"compose","kind":"message","fields":{"t":"open}}"#,
        #"{"op":"compose","kind":7,"fields":{}}"#,
        #"{"op":"compose","fields":{}}"#,
        #"{"op":"compose","kind":"message","fields":{},"refs":["abc"]}"#,
        #"{"op":"compose","kind":"message","fields":{},"refs":"x"}"#,
        #"{"op":"compose","kind":"message","fields":{},"officer":3}"#,
    ])
    func leftToFoundation(_ text: String) throws {
        let line = Array(text.utf8)
        let fast = JSONFastReader.parse(line).flatMap(APIHotLines.compose)
        #expect(fast == nil, "the fast reader took \(text)")
        // decodeRequest gives exactly JSONDecoder's answer or error.
        let viaCodec = Result { () throws(APIFailure) in try APICodec.decodeRequest(line) }
        let viaFoundation = Result { () throws(APIFailure) in try APICodec.decodeRequestWithFoundation(line) }
        switch (viaCodec, viaFoundation) {
        case (.success(.compose(let a)), .success(.compose(let b))): #expect(a == b)
        case (.failure(let a), .failure(let b)): #expect(a == b)
        default: Issue.record("the two paths disagree on \(text)")
        }
    }

    @Test("strings with every escape and non-ASCII text read as JSONDecoder reads them")
    func escapes() throws {
        let texts = [#""\"\\\/\b\f\n\r\t\u0000\u001f\u00e9\u20ac\ud83d\ude00 e\u0301""#, #""plain""#, "\"é 😀\"", #""""#]
        for text in texts {
            let line = Array("{\"op\":\"compose\",\"kind\":\"message\",\"fields\":{\"t\":\(text)}}".utf8)
            let fast = try #require(JSONFastReader.parse(line).flatMap(APIHotLines.compose), "\(text)")
            guard case .compose(let reference) = try APICodec.decodeRequestWithFoundation(line) else {
                Issue.record("not a compose request")
                continue
            }
            #expect(fast == reference)
            #expect(Array((fast.fields["t"]?.stringValue ?? "").utf8) == Array((reference.fields["t"]?.stringValue ?? "").utf8))
        }
        // Invalid UTF-8 inside a string is refused by both.
        let bad: [UInt8] = Array(#"{"op":"compose","kind":"message","fields":{"t":""#.utf8) + [0xff, 0xfe] + Array(#""}}"#.utf8)
        #expect(JSONFastReader.parse(bad) == nil)
        #expect(throws: APIFailure.self) { try APICodec.decodeRequest(bad) }
    }

    @Test("integers at the edges of the fast reader", arguments: ["0", "-1", "7", "999999999999999999", "-999999999999999999"])
    func integers(_ text: String) throws {
        let line = Array("{\"op\":\"compose\",\"kind\":\"message\",\"fields\":{\"n\":\(text)}}".utf8)
        let fast = try #require(JSONFastReader.parse(line).flatMap(APIHotLines.compose))
        guard case .compose(let reference) = try APICodec.decodeRequestWithFoundation(line) else {
            Issue.record("not a compose request")
            return
        }
        #expect(fast == reference)
        #expect(fast.fields["n"] == .integer(Int64(text)!))
    }

    @Test("other answers and failures still decode through JSONDecoder")
    func otherLines() throws {
        let failure = APIFailure(.notFound, "no entry")
        let line = Array(APICodec.encodeFailure(failure).dropLast())
        #expect(throws: failure) { try APICodec.decodeAnswer(line, for: ComposeRequest.self) }
        #expect(throws: failure) { try APICodec.decodeAnswer(line, for: FollowRequest.self) }
        let wrong = Array(#"{"ok":true,"id":"zz"}"#.utf8)
        #expect(throws: APIFailure.self) { try APICodec.decodeAnswer(wrong, for: ComposeRequest.self) }
    }
}
