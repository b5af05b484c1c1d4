// vigil-store-crash-child: the process that the crash-safety test and Scripts/soak-store kill with
// SIGKILL at random moments.
//
//   vigil-store-crash-child run DIR [THREADS]   append signed entries to the store in DIR from THREADS
//                                               threads (default 2) in small batches, forever; after
//                                               each append returns, print the ids it acknowledged,
//                                               one hex id per line, straight to fd 1 (no buffering)
//   vigil-store-crash-child verify DIR FILE     open the store and check that every id listed in FILE
//                                               is present, readable, decodes and verifies; exit 1 if not
import Dispatch
import Glibc
import VigilCrypto
import VigilModel
import VigilStore

func fail(_ message: String, code: Int32 = 2) -> Never {
    let line = Array("vigil-store-crash-child: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(code)
}

/// Writes `text` to stdout with one write(2): whole lines reach the pipe together or not at all.
func emit(_ text: String) {
    let bytes = Array(text.utf8)
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeBytes { write(1, $0.baseAddress! + done, $0.count - done) }
        if n < 0 {
            if errno == EINTR { continue }
            exit(0) // the reader went away
        }
        done += n
    }
}

func run(directory: String, threads: Int) {
    let store: EntryStore
    do {
        store = try EntryStore.open(directory: directory)
    } catch {
        fail("cannot open the store: \(error)")
    }
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
        let key: SigningKey
        do { key = try SigningKey.generate() } catch { fail("cannot make a key: \(error)") }
        let author = NodeID(key.publicKey)
        var sequence: UInt64 = 0
        while sequence < 1_000_000 {
            let batchSize = Int(sequence % 4) + 1
            var entries: [Entry] = []
            for _ in 0..<batchSize {
                sequence += 1
                let draft = EntryDraft(author: author, timestamp: HybridTimestamp(milliseconds: 1_700_000_000_000 + sequence, counter: UInt32(thread)),
                                       kind: .message, audience: Audience(tlp: .green), refs: [],
                                       body: Array("crash child \(getpid()) thread \(thread) entry \(sequence)".utf8))
                do { entries.append(try draft.signed(by: key)) } catch { fail("cannot sign: \(error)") }
            }
            do {
                _ = try store.append(entries)
            } catch {
                fail("append failed: \(error)")
            }
            emit(entries.map { $0.id.hex + "\n" }.joined())
        }
    }
    store.close()
}

func verify(directory: String, idsFile: String) {
    guard let file = fopen(idsFile, "r") else { fail("cannot read \(idsFile)") }
    var ids: [EntryID] = []
    var line: UnsafeMutablePointer<CChar>?
    var capacity = 0
    while getline(&line, &capacity, file) > 0 {
        let text = String(cString: line!).filter { !$0.isWhitespace }
        if text.isEmpty { continue }
        guard let id = EntryID(hex: text) else { fail("not an entry id in \(idsFile): \(text)") }
        ids.append(id)
    }
    free(line)
    fclose(file)
    let store: EntryStore
    do {
        store = try EntryStore.open(directory: directory)
    } catch {
        fail("cannot open the store: \(error)", code: 1)
    }
    var missing = 0
    for id in ids {
        do {
            guard let entry = try store.read(id), entry.id == id else {
                missing += 1
                emit("MISSING \(id.hex)\n")
                continue
            }
            try EntryValidator.validateSignature(entry)
        } catch {
            missing += 1
            emit("BAD \(id.hex): \(error)\n")
        }
    }
    emit("verified \(ids.count - missing) of \(ids.count) acknowledged ids; the store holds \(store.count) entries\(store.recovery.truncatedTail.map { "; recovery cut a torn tail of \($0.length) bytes" } ?? "")\n")
    store.close()
    if missing > 0 { exit(1) }
}

let arguments = CommandLine.arguments
switch arguments.count > 1 ? arguments[1] : "" {
case "run" where arguments.count >= 3:
    let threads = arguments.count > 3 ? Int(arguments[3]) ?? 2 : 2
    run(directory: arguments[2], threads: max(1, threads))
case "verify" where arguments.count == 4:
    verify(directory: arguments[2], idsFile: arguments[3])
default:
    fail("usage: vigil-store-crash-child run DIR [THREADS] | verify DIR IDS-FILE", code: 64)
}
