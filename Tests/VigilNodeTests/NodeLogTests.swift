import Synchronization
import Testing
@testable import VigilNode

/// The node's log lines: `key=value`, a value quoted exactly when it holds a space, a quote, an equals
/// sign or a line break (or is empty), so a line always splits back into its fields.
@Suite("node log lines")
struct NodeLogTests {
    @Test("plain values are written as they are, ASCII or not", arguments: [
        "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90", "node-b", "42", "Zürich", "tab\there", "ümlaut-ß", "#/:.,;!?",
    ])
    func plain(value: String) {
        #expect(NodeLog.quote(value) == value)
    }

    @Test("values with a space, quote, equals sign or line break are quoted and escaped", arguments: [
        ("", "\"\""),
        ("two words", "\"two words\""),
        ("a=b", "\"a=b\""),
        ("say \"hi\"", "\"say \\\"hi\\\"\""),
        ("back\\slash and space", "\"back\\\\slash and space\""),
        ("line\nbreak", "\"line\\nbreak\""),
        ("carriage\rreturn", "\"carriage\rreturn\""),
        ("separator\u{2028}here", "\"separator\u{2028}here\""),
        ("ünïcode with space", "\"ünïcode with space\""),
    ])
    func quoted(value: String, expected: String) {
        #expect(NodeLog.quote(value) == expected)
    }

    @Test("an event is one line with its fields in order, and is counted")
    func event() {
        let lines = Mutex<[String]>([])
        let log = NodeLog(node: "n1", sink: { line in lines.withLock { $0.append(line) } })
        log.event(.info, "entry-posted", ["id": "ab12", "reason": "two words"])
        let line = lines.withLock { $0 }.first ?? ""
        #expect(line.hasPrefix("time="))
        #expect(line.hasSuffix(" level=info node=n1 event=entry-posted id=ab12 reason=\"two words\""))
        #expect(log.counts["entry-posted"] == 1)
    }
}
