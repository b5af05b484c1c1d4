import Testing
import VigilDesk

/// The per-connection state machine, driven with a manual clock: slow clients, keep-alive, pipelining.
@Suite("Desk connection machine")
struct DeskConnectionMachineTests {
    static let request = Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
    static let timeouts = DeskConnectionTimeouts(request: .seconds(10), idle: .seconds(60), write: .seconds(30))

    @Test("a slowloris client trickling one byte a second is refused with 408 when the request deadline passes")
    func slowloris() {
        var machine = DeskConnectionMachine(now: .zero, timeouts: Self.timeouts)
        var now = Duration.zero
        for byte in Self.request.prefix(9) {
            now += .seconds(1)
            #expect(machine.received([byte], now: now) == .none)
            #expect(machine.tick(now: now) == .none)
        }
        // The first byte came at 1 s: the request had to be complete by 11 s.
        #expect(machine.nextDeadline == .seconds(11))
        guard case .refuse(let response) = machine.tick(now: .seconds(11)) else {
            Issue.record("no 408")
            return
        }
        #expect(response.status == .requestTimeout)
        #expect(!machine.wantsInput)
        #expect(machine.writeDrained(now: .seconds(11)) == .close)
        #expect(machine.isClosed)
    }

    @Test("HTTPS: a client that stalls in the TLS handshake gives its slot back when the handshake deadline passes")
    func stalledHandshake() {
        let timeouts = DeskConnectionTimeouts(request: .seconds(10), idle: .seconds(60), write: .seconds(30), handshake: .seconds(5))
        var machine = DeskConnectionMachine(now: .seconds(2), timeouts: timeouts, handshake: true)
        #expect(machine.isHandshaking && machine.wantsInput)
        #expect(machine.nextDeadline == .seconds(7))
        #expect(machine.tick(now: .seconds(6)) == .none)
        #expect(machine.tick(now: .seconds(7)) == .close)
        #expect(machine.isClosed && !machine.isHandshaking)
    }

    @Test("HTTPS: after the handshake the idle deadline counts from its end, and requests flow")
    func handshakeThenRequest() {
        let timeouts = DeskConnectionTimeouts(request: .seconds(10), idle: .seconds(60), write: .seconds(30), handshake: .seconds(5))
        var machine = DeskConnectionMachine(now: .zero, timeouts: timeouts, handshake: true)
        machine.handshakeCompleted(now: .seconds(4))
        #expect(!machine.isHandshaking)
        #expect(machine.nextDeadline == .seconds(64))
        #expect(machine.tick(now: .seconds(10)) == .none)
        guard case .handle(let request) = machine.received(Self.request, now: .seconds(11)) else {
            Issue.record("no request after the handshake")
            return
        }
        #expect(request.target == "/")
        // The default: ten seconds for a handshake.
        #expect(DeskConnectionTimeouts.desk.handshake == .seconds(10))
        #expect(DeskConnectionMachine(now: .zero).nextDeadline == .seconds(60))
        #expect(DeskConnectionMachine(now: .zero, handshake: true).nextDeadline == .seconds(10))
    }

    @Test("an idle kept-alive connection is closed quietly after the idle timeout")
    func idle() {
        var machine = DeskConnectionMachine(now: .seconds(5), timeouts: Self.timeouts)
        #expect(machine.tick(now: .seconds(64)) == .none)
        #expect(machine.tick(now: .seconds(65)) == .close)
    }

    @Test("keep-alive: request, response, next request; the host reads only while waiting for a request")
    func keepAlive() {
        var machine = DeskConnectionMachine(now: .zero, timeouts: Self.timeouts)
        guard case .handle(let request) = machine.received(Self.request, now: .seconds(1)) else {
            Issue.record("no request")
            return
        }
        #expect(request.target == "/")
        #expect(!machine.wantsInput && machine.responseKeepsAlive && machine.nextDeadline == nil)
        machine.respond(keepAlive: true, now: .seconds(1))
        #expect(machine.writeDrained(now: .seconds(2)) == .none)
        #expect(machine.wantsInput && machine.nextDeadline == .seconds(62))
        guard case .handle = machine.received(Self.request, now: .seconds(3)) else {
            Issue.record("no second request")
            return
        }
    }

    @Test("pipelined requests come out one at a time after each response drains; close after Connection: close")
    func pipelined() {
        var machine = DeskConnectionMachine(now: .zero, timeouts: Self.timeouts)
        let closing = Array("GET /last HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".utf8)
        guard case .handle = machine.received(Self.request + closing, now: .zero) else {
            Issue.record("no first request")
            return
        }
        machine.respond(keepAlive: true, now: .zero)
        guard case .handle(let second) = machine.writeDrained(now: .seconds(1)) else {
            Issue.record("the pipelined request did not come out")
            return
        }
        #expect(second.target == "/last" && !machine.responseKeepsAlive)
        machine.respond(keepAlive: true, now: .seconds(1))
        #expect(machine.writeDrained(now: .seconds(1)) == .close)
    }

    @Test("a malformed request is refused, then the connection closes")
    func malformed() {
        var machine = DeskConnectionMachine(now: .zero, timeouts: Self.timeouts)
        guard case .refuse(let response) = machine.received(Array("GET / HTTP/1.1\r\n\r\n".utf8), now: .zero) else {
            Issue.record("no refusal")
            return
        }
        #expect(response.status == .badRequest)
        #expect(machine.writeDrained(now: .zero) == .close)
    }

    @Test("a client that stops reading is cut off after the write timeout, for responses and event streams")
    func stalledReader() {
        var machine = DeskConnectionMachine(now: .zero, timeouts: Self.timeouts)
        _ = machine.received(Self.request, now: .zero)
        machine.respond(keepAlive: true, now: .zero)
        #expect(machine.tick(now: .seconds(29)) == .none)
        #expect(machine.tick(now: .seconds(30)) == .close)

        var stream = DeskConnectionMachine(now: .zero, timeouts: Self.timeouts)
        _ = stream.received(Self.request, now: .zero)
        stream.startStream(now: .zero)
        #expect(stream.writeDrained(now: .seconds(1)) == .none)
        #expect(stream.nextDeadline == nil)
        // An open stream with nothing queued never times out.
        #expect(stream.tick(now: .seconds(3600)) == .none)
        stream.streamQueued(now: .seconds(3600))
        stream.streamQueued(now: .seconds(3610))
        #expect(stream.tick(now: .seconds(3629)) == .none)
        #expect(stream.tick(now: .seconds(3630)) == .close)
    }

    @Test("the client closing ends the connection; later events do nothing")
    func peerClosed() {
        var machine = DeskConnectionMachine(now: .zero, timeouts: Self.timeouts)
        machine.peerClosed()
        #expect(machine.isClosed && machine.received(Self.request, now: .zero) == .none && machine.tick(now: .seconds(999)) == .none)
    }
}
