/// The per-stream buffering bound.
///
/// The relay stops taking upstream bytes once the client backlog reaches `highWaterMark`; one libcurl delivery is
/// at most `CURLOPT_BUFFERSIZE` (16 KiB), so a stream never holds more than 64 KiB for its client.
public enum StreamRelayLimits {
    /// Backlog at which the upstream transfer is paused.
    public static let highWaterMark = 44 * 1024
    /// libcurl's receive buffer per transfer (`CURLOPT_BUFFERSIZE`).
    public static let upstreamReadSize = 16 * 1024
}
