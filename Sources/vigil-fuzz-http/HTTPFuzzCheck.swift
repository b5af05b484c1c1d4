import VigilDesk

/// The checks run on one input, by the libFuzzer entry point and by the corpus replayer alike.
///
/// The input is a byte stream from a client. It is parsed whole and in chunks (the chunk sizes come
/// from the input's first byte), which must agree; every request that comes out must be within the
/// limits and parse back to itself from a canonical rewrite; every refusal must carry a 4xx/5xx status
/// and a reason; the connection machine fed the same stream must not trap.
enum HTTPFuzzCheck {
    /// What happened to one input.
    enum Outcome: Equatable {
        /// The stream was refused after `requests` good requests.
        case refused(requests: Int)
        /// Every byte made complete requests, or the stream ended mid-request.
        case accepted(requests: Int)
        /// A broken invariant: a bug in VigilDesk.
        case violation(String)
    }

    /// Small limits so that the fuzzer reaches them often.
    static let limits = HTTPLimits(maxRequestLineBytes: 256, maxHeaderCount: 8, maxHeaderBytes: 512, maxBodyBytes: 256)

    /// For re-parsing a canonical rewrite, which may be a few bytes longer than what was received
    /// (`name:value` becomes `name: value`): the same counts, room for the longer lines.
    static let rewriteLimits = HTTPLimits(maxRequestLineBytes: 1 << 16, maxHeaderCount: limits.maxHeaderCount,
                                          maxHeaderBytes: 1 << 16, maxBodyBytes: limits.maxBodyBytes)

    static func parse(_ bytes: [UInt8], chunk: Int, limits: HTTPLimits = limits) -> (requests: [HTTPRequest], error: HTTPParseError?) {
        var parser = HTTPRequestParser(limits: limits)
        var requests: [HTTPRequest] = []
        var index = 0
        repeat {
            let end = min(index + chunk, bytes.count)
            parser.append(bytes[index..<end])
            index = end
            do {
                while let request = try parser.next() { requests.append(request) }
            } catch {
                return (requests, error)
            }
        } while index < bytes.count
        return (requests, nil)
    }

    /// The request written back canonically (the form a browser sends).
    static func rewrite(_ request: HTTPRequest) -> [UInt8] {
        var text = "\(request.method.rawValue) \(request.target) HTTP/1.\(request.minorVersion)\r\n"
        for field in request.headers { text += "\(field.name): \(field.value)\r\n" }
        text += "\r\n"
        // Header values were read as Latin-1: write them back the same way.
        return text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) } + request.body
    }

    static func run(_ bytes: [UInt8]) -> Outcome {
        #if FUZZ_SELFTEST
        if bytes.starts(with: Array("VIGIL-SELFTEST".utf8)) { return .violation("planted self-test failure") }
        #endif
        let whole = parse(bytes, chunk: max(bytes.count, 1))
        let chunk = Int(bytes.first ?? 0) % 17 + 1
        let pieces = parse(bytes, chunk: chunk)
        guard whole.requests == pieces.requests, whole.error == pieces.error else {
            return .violation("parsing whole and in \(chunk)-byte chunks disagree: \(whole.requests.count)/\(String(describing: whole.error)) against \(pieces.requests.count)/\(String(describing: pieces.error))")
        }
        for request in whole.requests {
            guard request.target.hasPrefix("/") else { return .violation("a target not starting with /: \(request.target)") }
            guard request.body.count <= limits.maxBodyBytes else { return .violation("a \(request.body.count)-byte body passed the limit") }
            guard request.headers.count <= limits.maxHeaderCount else { return .violation("\(request.headers.count) headers passed the limit") }
            let again = parse(rewrite(request), chunk: 1 << 20, limits: rewriteLimits)
            guard again.error == nil, again.requests.count == 1, var back = again.requests.first else {
                return .violation("the rewrite of an accepted request is refused: \(String(describing: again.error))")
            }
            // keep-alive is derived from the headers and version, so it comes back equal too.
            back.body = request.body
            guard back == request else { return .violation("the rewrite of an accepted request parses differently") }
            _ = request.path
            _ = request.query
        }
        if let error = whole.error {
            guard (400...599).contains(error.status.code), !error.reason.isEmpty else {
                return .violation("a refusal with status \(error.status) and reason \"\(error.reason)\"")
            }
            guard HTTPResponse.refusal(error).serialized(keepAlive: false).count < 4096 else { return .violation("an oversized refusal") }
        }
        // The connection machine on the same stream, with time moving a second per chunk.
        var machine = DeskConnectionMachine(now: .zero, limits: limits)
        var index = 0, second = 0
        while index < bytes.count, !machine.isClosed {
            let end = min(index + chunk, bytes.count)
            second += 1
            switch machine.received(bytes[index..<end], now: .seconds(second)) {
            case .handle:
                machine.respond(keepAlive: true, now: .seconds(second))
                _ = machine.writeDrained(now: .seconds(second))
            case .refuse:
                _ = machine.writeDrained(now: .seconds(second))
            case .none, .close:
                break
            }
            _ = machine.tick(now: .seconds(second))
            index = end
        }
        return whole.error == nil ? .accepted(requests: whole.requests.count) : .refused(requests: whole.requests.count)
    }
}

/// libFuzzer's entry point. A broken invariant is a crash, which libFuzzer reports with the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if case .violation(let message) = HTTPFuzzCheck.run(bytes) {
        fatalError("vigil-fuzz-http: invariant violated: \(message)")
    }
    return 0
}
