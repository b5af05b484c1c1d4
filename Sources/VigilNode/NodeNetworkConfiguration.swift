import VigilCrypto
import VigilNet

extension Node {
    /// The network loop's settings for peer sessions: small buffers below each peer's `OutboundQueue`,
    /// so that on a slow or saturated link the frames wait there, where the priority lanes still order
    /// them, instead of in the loop or the kernel, where an urgent frame would queue behind the whole
    /// backlog (docs/sync-protocol.md, "Priority lanes"). An urgent frame that must wait waits for
    /// what already lies below the queue: at most the send queue's limit (8 KiB, or one larger frame),
    /// one encrypted chunk (8 KiB, one ENTRIES frame) beyond 4 KiB of ciphertext, and 4 KiB unsent in
    /// the kernel — about 0.8 s at 256 kbit/s. On a fast link the loop just refills more often.
    static func networkConfiguration(tls: TLSContext) -> NetworkConfiguration {
        var configuration = NetworkConfiguration(tls: tls)
        configuration.sendQueueLimit = 8 * 1024
        configuration.sendQueueLowWater = 2 * 1024
        configuration.encryptChunk = 8 * 1024
        configuration.ciphertextHighWater = 4 * 1024
        configuration.unsentLowWater = 4 * 1024
        return configuration
    }
}
