import Foundation
import VigilModel

/// A request line decoded by the server: one case per operation.
public enum APIRequest: Sendable {
    case status(StatusRequest)
    case compose(ComposeRequest)
    case post(PostRequest)
    case ack(AckRequest)
    case get(GetRequest)
    case show(ShowRequest)
    case entries(EntriesRequest)
    case resolve(ResolveRequest)
    case list(ListRequest)
    case follow(FollowRequest)
    case commTestResults(CommTestResultsRequest)
    case incidents(IncidentsRequest)
    case roster(RosterRequest)
    case metrics(MetricsRequest)
    case wait(WaitRequest)
    case bundleExport(BundleExportRequest)
    case bundleImport(BundleImportRequest)
    case bundleKey(BundleKeyRequest)

    /// Every op name, in the order the docs list them.
    public static let operations: [String] = [
        StatusRequest.op, ComposeRequest.op, PostRequest.op, AckRequest.op, GetRequest.op, ShowRequest.op, EntriesRequest.op,
        ResolveRequest.op, ListRequest.op, FollowRequest.op, CommTestResultsRequest.op, IncidentsRequest.op, RosterRequest.op,
        MetricsRequest.op, WaitRequest.op, BundleExportRequest.op, BundleImportRequest.op, BundleKeyRequest.op,
    ]
}

/// Reading and writing the local API's lines: one JSON object per line, keys sorted.
public enum APICodec {
    /// Longest request line accepted (bytes, without the newline).
    public static let maxRequestLine = 512 * 1024

    private struct OpOnly: Decodable { let op: String }
    private struct OKOnly: Decodable { let ok: Bool }

    /// Decodes a request line, or says exactly what is wrong with it (the field, the expected type).
    /// A `compose` line is read byte by byte (`APIHotLines`) when it can be; every other line, and every
    /// error, goes through `JSONDecoder` (`decodeRequestWithFoundation`).
    public static func decodeRequest(_ line: [UInt8]) throws(APIFailure) -> APIRequest {
        guard line.count <= maxRequestLine else {
            throw APIFailure(.badRequest, "request longer than \(maxRequestLine) bytes")
        }
        if let document = JSONFastReader.parse(line), let compose = APIHotLines.compose(document) { return .compose(compose) }
        return try decodeRequestWithFoundation(line)
    }

    /// `decodeRequest` through `JSONDecoder` only (the reference the byte-level reader is tested against).
    public static func decodeRequestWithFoundation(_ line: [UInt8]) throws(APIFailure) -> APIRequest {
        guard line.count <= maxRequestLine else {
            throw APIFailure(.badRequest, "request longer than \(maxRequestLine) bytes")
        }
        let data = Data(line)
        let op: String
        do {
            op = try JSONDecoder().decode(OpOnly.self, from: data).op
        } catch let error as Swift.DecodingError {
            if case .keyNotFound = error { throw APIFailure(.badRequest, "a request needs \"op\": one of \(APIRequest.operations.joined(separator: ", "))") }
            if case .typeMismatch(_, let context) = error, context.codingPath.first?.stringValue == "op" {
                throw APIFailure(.badRequest, "\"op\" must be a string: one of \(APIRequest.operations.joined(separator: ", "))")
            }
            throw APIFailure(.badRequest, "a request is one JSON object with an \"op\" on one line (\(explain(error, op: nil)))")
        } catch {
            throw APIFailure(.badRequest, "a request is one JSON object with an \"op\" on one line")
        }
        func decode<T: APIOperation>(_ type: T.Type) throws(APIFailure) -> T {
            do {
                return try JSONDecoder().decode(T.self, from: data)
            } catch let error as Swift.DecodingError {
                throw APIFailure(.badRequest, explain(error, op: op))
            } catch {
                throw APIFailure(.badRequest, "\(op): \(error)")
            }
        }
        switch op {
        case StatusRequest.op: return .status(try decode(StatusRequest.self))
        case ComposeRequest.op: return .compose(try decode(ComposeRequest.self))
        case PostRequest.op: return .post(try decode(PostRequest.self))
        case AckRequest.op: return .ack(try decode(AckRequest.self))
        case GetRequest.op: return .get(try decode(GetRequest.self))
        case ShowRequest.op: return .show(try decode(ShowRequest.self))
        case EntriesRequest.op: return .entries(try decode(EntriesRequest.self))
        case ResolveRequest.op: return .resolve(try decode(ResolveRequest.self))
        case ListRequest.op: return .list(try decode(ListRequest.self))
        case FollowRequest.op: return .follow(try decode(FollowRequest.self))
        case CommTestResultsRequest.op: return .commTestResults(try decode(CommTestResultsRequest.self))
        case IncidentsRequest.op: return .incidents(try decode(IncidentsRequest.self))
        case RosterRequest.op: return .roster(try decode(RosterRequest.self))
        case MetricsRequest.op: return .metrics(try decode(MetricsRequest.self))
        case WaitRequest.op: return .wait(try decode(WaitRequest.self))
        case BundleExportRequest.op: return .bundleExport(try decode(BundleExportRequest.self))
        case BundleImportRequest.op: return .bundleImport(try decode(BundleImportRequest.self))
        case BundleKeyRequest.op: return .bundleKey(try decode(BundleKeyRequest.self))
        default:
            throw APIFailure(.badRequest, "unknown op \"\(op.prefix(64))\"; known: \(APIRequest.operations.joined(separator: ", "))")
        }
    }

    /// A sentence naming the field and what was expected.
    static func explain(_ error: Swift.DecodingError, op: String?) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            var out = ""
            for key in keys {
                if let index = key.intValue { out += "[\(index)]" } else { out += out.isEmpty ? key.stringValue : ".\(key.stringValue)" }
            }
            return out
        }
        let prefix = op.map { "\($0): " } ?? ""
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return "\(prefix)missing field \"\(field)\""
        case .typeMismatch(let type, let context):
            return "\(prefix)field \"\(path(context.codingPath))\" must be \(describe(type))"
        case .valueNotFound(let type, let context):
            return "\(prefix)field \"\(path(context.codingPath))\" must be \(describe(type)), not null"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "\(prefix)not valid JSON" }
            return "\(prefix)field \"\(path(context.codingPath))\": \(context.debugDescription)"
        @unknown default:
            return "\(prefix)\(error)"
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is UInt64.Type, is Int64.Type, is Double.Type: "a number"
        case is [String].Type, is [Bytes32].Type: "an array of strings"
        default: "\(type)"
        }
    }

    private struct Success<A: Encodable>: Encodable {
        let answer: A
        enum Key: String, CodingKey { case ok }
        func encode(to encoder: any Encoder) throws {
            try answer.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(true, forKey: .ok)
        }
    }

    private struct Failure: Encodable {
        let failure: APIFailure
        enum Key: String, CodingKey { case ok }
        func encode(to encoder: any Encoder) throws {
            try failure.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(false, forKey: .ok)
        }
    }

    private static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    /// The answer line to a write (with its newline), written byte by byte.
    public static func encodeAnswer(_ answer: PostedAnswer) -> [UInt8] { APIHotLines.line(answer) }

    /// A `follow` line (with its newline), written byte by byte unless its fields hold a decimal number.
    public static func encodeAnswer(_ answer: FollowLine) -> [UInt8] {
        APIHotLines.line(answer) ?? encodeAnswerWithFoundation(answer)
    }

    /// An answer line (with its newline).
    public static func encodeAnswer(_ answer: some Encodable) -> [UInt8] { encodeAnswerWithFoundation(answer) }

    /// An answer line through `JSONEncoder` (the reference the byte-level writer is tested against).
    public static func encodeAnswerWithFoundation(_ answer: some Encodable) -> [UInt8] {
        do {
            var out = [UInt8](try encoder().encode(Success(answer: answer)))
            out.append(0x0a)
            return out
        } catch {
            return encodeFailure(APIFailure(.unavailable, "the answer could not be encoded: \(error)"))
        }
    }

    /// A failure line (with its newline).
    public static func encodeFailure(_ failure: APIFailure) -> [UInt8] {
        var out = (try? [UInt8](encoder().encode(Failure(failure: failure)))) ?? Array("{\"ok\":false,\"code\":\"unavailable\",\"error\":\"?\"}".utf8)
        out.append(0x0a)
        return out
    }

    private struct RequestLine<Op: APIOperation>: Encodable {
        let request: Op
        enum Key: String, CodingKey { case op }
        func encode(to encoder: any Encoder) throws {
            try request.encode(to: encoder)
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(Op.op, forKey: .op)
        }
    }

    /// A request line (with its newline): the operation's fields and its `op`.
    public static func encodeRequest<Op: APIOperation>(_ request: Op) throws -> [UInt8] {
        if let compose = request as? ComposeRequest, let line = APIHotLines.line(compose) { return line }
        return try encodeRequestWithFoundation(request)
    }

    /// A request line through `JSONEncoder` (the reference the byte-level writer is tested against).
    public static func encodeRequestWithFoundation<Op: APIOperation>(_ request: Op) throws -> [UInt8] {
        var out = [UInt8](try encoder().encode(RequestLine(request: request)))
        out.append(0x0a)
        return out
    }

    /// Decodes an answer line to `Op`'s answer, or throws the node's `APIFailure`.
    /// A posted answer or a `follow` line is read byte by byte when it can be.
    public static func decodeAnswer<Op: APIOperation>(_ line: [UInt8], for op: Op.Type) throws(APIFailure) -> Op.Answer {
        if Op.Answer.self == PostedAnswer.self {
            if let document = JSONFastReader.parse(line), let answer = APIHotLines.posted(document) { return answer as! Op.Answer }
        } else if Op.Answer.self == FollowLine.self {
            if let document = JSONFastReader.parse(line), let answer = APIHotLines.follow(document) { return answer as! Op.Answer }
        }
        return try decodeAnswerWithFoundation(line, for: op)
    }

    /// `decodeAnswer` through `JSONDecoder` only (the reference the byte-level reader is tested against).
    public static func decodeAnswerWithFoundation<Op: APIOperation>(_ line: [UInt8], for: Op.Type) throws(APIFailure) -> Op.Answer {
        let data = Data(line)
        let ok: Bool
        do { ok = try JSONDecoder().decode(OKOnly.self, from: data).ok } catch {
            throw APIFailure(.unavailable, "the node's answer is not an answer line: \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
        if !ok {
            do { throw try JSONDecoder().decode(APIFailure.self, from: data) } catch let failure as APIFailure { throw failure } catch {
                throw APIFailure(.unavailable, "the node refused the request with an answer this client cannot read (\(error))")
            }
        }
        do { return try JSONDecoder().decode(Op.Answer.self, from: data) } catch let error as Swift.DecodingError {
            throw APIFailure(.unavailable, "the node's answer to \(Op.op) does not match this client (\(explain(error, op: nil))); are the CLI and the node the same release?")
        } catch {
            throw APIFailure(.unavailable, "the node's answer to \(Op.op) could not be read: \(error)")
        }
    }
}
