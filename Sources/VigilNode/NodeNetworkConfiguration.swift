import VigilCrypto
import VigilNet

extension Node {
    /// The network loop's settings for peer sessions: small buffers below each peer's `OutboundQueue`,
    /// so that on a slow or saturated link the frames wait there, where the priority lanes still order
    /// them, instead of in the loop or the kernel, where an urgent frame would queue behind the whole
    /// backlog (docs/sync-protocol.md, "Priority lanes"). An urgent frame that must wait waits for
    /// what already lies below the queue: at most the send queue's limit (16 KiB, or one larger frame),
    /// one encrypted chunk (≤ 16 KiB) beyond 4 KiB of ciphertext, and 4 KiB unsent in the kernel —
    /// about 1.3 s at 256 kbit/s. On a fast link the loop just refills more often (`writable` at 4 KiB).
    static func networkConfiguration(tls: TLSContext) -> NetworkConfiguration {
        var configuration = NetworkConfiguration(tls: tls)
        configuration.sendQueueLimit = 16 * 1024
        configuration.sendQueueLowWater = 4 * 1024
        configuration.ciphertextHighWater = 4 * 1024
        configuration.unsentLowWater = 4 * 1024
        return configuration
    }
}
