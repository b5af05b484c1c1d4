import Foundation
import Glibc
import Synchronization
import Testing
@testable import VigilNet

extension NetworkTests {
    /// `isOnLoopThread`: how the node checks that loop-confined state is touched on the loop thread only.
    @Suite("The loop-thread check")
    struct LoopThread {
        @Test("isOnLoopThread is false off the loop and before start, true in delegate methods, false after shutdown")
        func isOnLoopThread() throws {
            let ca = try PKI.ca()
            let configuration = NetworkConfiguration(tls: try PKI.context(try PKI.node(ca, "a"), trusting: ca))
            let loop = try NetworkLoop(configuration: configuration)
            #expect(!loop.isOnLoopThread)
            try loop.start(delegate: Recorder())
            #expect(!loop.isOnLoopThread)
            let directory = try SocketDirectory()
            defer { directory.remove() }
            let seen = Mutex<[Bool]>([])
            let server = StreamRecorder(loop: loop, onAccepted: { loop, _ in seen.withLock { $0.append(loop.isOnLoopThread) } })
            let path = directory.file("t.sock")
            _ = try loop.listenStream(unixPath: path, delegate: server)
            let client = try RawSocket(unixPath: path)
            _ = try server.waitAccepted(1, "the stream")
            #expect(seen.withLock { $0 } == [true])
            client.close()
            loop.shutdown()
            #expect(!loop.isOnLoopThread)
        }

        @Test("execute runs jobs on the loop thread in the order submitted, from any thread and from a job itself; after shutdown it refuses them")
        func execute() throws {
            let ca = try PKI.ca()
            let loop = try NetworkLoop(configuration: NetworkConfiguration(tls: try PKI.context(try PKI.node(ca, "a"), trusting: ca)))
            try loop.start(delegate: Recorder())
            let ran = Mutex<[(Int, Bool)]>([])
            let done = DispatchSemaphore(value: 0)
            for i in 0..<100 {
                #expect(loop.execute { ran.withLock { $0.append((i, loop.isOnLoopThread)) } })
            }
            // A job submitted from a job runs after the ones queued before it, still before the loop sleeps.
            loop.execute {
                loop.execute {
                    ran.withLock { $0.append((101, loop.isOnLoopThread)) }
                    done.signal()
                }
                ran.withLock { $0.append((100, loop.isOnLoopThread)) }
            }
            #expect(done.wait(timeout: .now() + 10) == .success, "the jobs did not run")
            let order = ran.withLock { $0 }
            #expect(order.map(\.0) == Array(0...101))
            let allOnLoop = order.allSatisfy { $0.1 }
            #expect(allOnLoop, "a job ran off the loop thread")
            loop.shutdown()
            #expect(!loop.execute { Issue.record("a job ran after shutdown") })
        }
    }
}

/// `assertOnLoop` traps off the loop thread; a trap would end the test runner, so it runs in a child process.
@Suite("The loop-thread assertion")
struct LoopThreadAssertionTests {
    @Test("assertOnLoop stops the process when called off the loop thread")
    func assertOffLoopTraps() async throws {
        let result = await #expect(processExitsWith: .failure) {
            let ca = try PKI.ca()
            let loop = try NetworkLoop(configuration: NetworkConfiguration(tls: PKI.context(try PKI.node(ca, "a"), trusting: ca)))
            loop.assertOnLoop()
            exit(0)   // reached only if the check let the call through
        }
        // A trap, not a thrown error (which would exit with status 1 and pass `.failure` by accident).
        switch result?.exitStatus {
        case .signal(let signal): #expect(signal == SIGILL || signal == SIGTRAP, "signal \(signal)")
        default: Issue.record("expected a trap, got \(String(describing: result?.exitStatus))")
        }
    }
}
