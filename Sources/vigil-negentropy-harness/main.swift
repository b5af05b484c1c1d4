// The Negentropy conformance harness: the line protocol of the reference implementation's test
// harness (hoytech/negentropy, test/cpp/harness.cpp), so the reference test suite can drive Vigil.
//
// stdin, one command a line:
//   item,<timestamp>,<64 hex id>   add an item (before seal)
//   seal                          sort the items; the instance is now a responder
//   initiate                      become the initiator; prints the first message
//   msg,<hex>                     a message from the other side
// stdout:
//   msg,<hex>                     the first message, or the answer to a message
//   have,<hex id> … need,<hex id> … then msg,<hex> or done   (initiator, after each message)
// Environment: FRAMESIZELIMIT (0 or unset: none; else at least 4096) bounds every message sent.
// Errors go to stderr and exit with status 1. Output is unbuffered: each answer is written whole.
import Glibc
import VigilCrypto
import VigilModel
import VigilSync

struct HarnessFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Writes whole chunks straight to a file descriptor: nothing is buffered, so every line written is
/// already flushed when `write` returns (the other side waits for it).
struct Output {
    let descriptor: Int32

    func write(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    exit(1) // the reader went away
                }
                offset += n
            }
        }
    }
}

/// What the instance is: it collects items, then answers as a responder until told to initiate.
enum Role {
    case building
    case responder(NegentropyResponder)
    case initiator(NegentropyInitiator)
}

func run() throws {
    var frameSizeLimit = 0
    if let raw = getenv("FRAMESIZELIMIT") {
        let text = String(cString: raw)
        guard let value = Int(text), value >= 0 else {
            throw HarnessFailure("FRAMESIZELIMIT=\(text) is not a non-negative integer")
        }
        frameSizeLimit = value
    }

    let out = Output(descriptor: STDOUT_FILENO)
    var role = Role.building
    var items = [NegentropyItem]()
    var storage: NegentropyStorage?
    var lineNumber = 0

    func checkSize(_ message: [UInt8], _ what: String) throws {
        if frameSizeLimit != 0 && message.count > frameSizeLimit {
            throw HarnessFailure("\(what) is \(message.count) bytes, over FRAMESIZELIMIT \(frameSizeLimit)")
        }
    }

    while var line = readLine(strippingNewline: true) {
        lineNumber += 1
        if line.hasSuffix("\r") { line.removeLast() }
        if line.isEmpty { continue }
        let fields = line.split(separator: ",", omittingEmptySubsequences: false)
        do {
            switch fields[0] {
            case "item":
                guard fields.count == 3 else { throw HarnessFailure("expected item,<timestamp>,<64 hex id>") }
                guard case .building = role else { throw HarnessFailure("item after seal") }
                guard let timestamp = UInt64(fields[1]) else { throw HarnessFailure("timestamp '\(fields[1])' is not a decimal UInt64") }
                guard let id = Bytes32(hex: fields[2]) else { throw HarnessFailure("id '\(fields[2])' is not 64 hex digits") }
                items.append(NegentropyItem(timestamp: timestamp, id: id))
            case "seal":
                guard case .building = role else { throw HarnessFailure("seal twice") }
                let sealed = try NegentropyStorage(items)
                items = []
                storage = sealed
                role = .responder(try NegentropyResponder(storage: sealed, frameSizeLimit: frameSizeLimit))
            case "initiate":
                guard let sealed = storage else { throw HarnessFailure("initiate before seal") }
                if case .initiator = role { throw HarnessFailure("initiate twice") }
                var initiator = try NegentropyInitiator(storage: sealed, frameSizeLimit: frameSizeLimit)
                let message = try initiator.initiate()
                try checkSize(message, "the first message")
                role = .initiator(initiator)
                out.write("msg,\(hex(message))\n")
            case "msg":
                let text = fields.count >= 2 ? fields[1] : ""
                guard let message = bytes(fromHex: text) else { throw HarnessFailure("the message is not hex") }
                switch role {
                case .building:
                    throw HarnessFailure("msg before seal")
                case .responder(let responder):
                    let reply = try responder.reconcile(message)
                    try checkSize(reply, "the reply")
                    out.write("msg,\(hex(reply))\n")
                case .initiator(var initiator):
                    let round = try initiator.reconcile(message)
                    role = .initiator(initiator)
                    var text = ""
                    for id in round.have { text += "have,\(id.hex)\n" }
                    for id in round.need { text += "need,\(id.hex)\n" }
                    if let next = round.next {
                        try checkSize(next, "the next message")
                        text += "msg,\(hex(next))\n"
                    } else {
                        text += "done\n"
                    }
                    out.write(text)
                }
            default:
                throw HarnessFailure("unknown command '\(fields[0])'")
            }
        } catch {
            throw HarnessFailure("line \(lineNumber): \(error)")
        }
    }
}

do {
    try run()
} catch {
    Output(descriptor: STDERR_FILENO).write("vigil-negentropy-harness: \(error)\n")
    exit(1)
}
