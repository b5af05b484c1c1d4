import Foundation
import Glibc
import Testing
@testable import VigilNet

/// A stream listener out of descriptors. The open-file limit is process-wide, so this runs in a child
/// process (an exit test), where lowering it cannot disturb other tests.
@Suite("Stream listener out of descriptors")
struct StreamDescriptorExhaustionTests {
    @Test("accept failing with EMFILE is reported, and the listener takes the waiting client once descriptors are free again")
    func outOfDescriptors() async {
        await #expect(processExitsWith: .success) {
            let (loop, _) = try makeStreamLoop()
            let directory = try SocketDirectory()
            let server = StreamRecorder(loop: loop, echo: true)
            let path = directory.file("api.sock")
            let listener = try loop.listenStream(unixPath: path, delegate: server)
            // The client's socket exists before the limit drops; connecting needs no new descriptor.
            var address = try UnixSocket.address(path)
            let client = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            guard client >= 0 else { throw TestFailure("socket: \(errnoDescription())") }
            // The limit becomes the lowest free descriptor: every descriptor below it is in use.
            let lowestFree = dup(0)
            close(lowestFree)
            var saved = rlimit()
            getrlimit(Int32(RLIMIT_NOFILE.rawValue), &saved)
            var tight = saved
            tight.rlim_cur = rlim_t(lowestFree)
            guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &tight) == 0 else { throw TestFailure("setrlimit: \(errnoDescription())") }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard connected == 0 else { throw TestFailure("connect: \(errnoDescription())") }
            let refusal = try server.wait("the refusal") { events in
                for case .refused(let on, _, let reason) in events { return (on, reason) }
                return nil
            }
            guard refusal.0 == listener, case .outOfResources(let error) = refusal.1, error.contains("errno \(EMFILE)") else {
                throw TestFailure("unexpected refusal \(refusal)")
            }
            guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &saved) == 0 else { throw TestFailure("setrlimit: \(errnoDescription())") }
            // The pending client is accepted once the listener's rest is over.
            let id = try #require(try server.waitAccepted(1, "the client, after the rest").first)
            _ = send(client, [42], 1, Int32(MSG_NOSIGNAL))
            _ = try server.waitReceived(on: id, count: 1, "its byte")
            loop.shutdown()
            directory.remove()
            exit(0)
        }
    }
}
