/// Upstream deadlines and the client keep-alive interval for one relayed request.
public struct RelayTimeouts: Sendable {
    /// From the start of the transfer until the upstream's first response byte.
    public var firstByteNs: UInt64
    /// Longest silence from the upstream once it answered (not counted while we paused it).
    public var idleNs: UInt64
    /// SSE comment ping interval towards the client; 0 disables pings.
    public var keepaliveNs: UInt64
    /// Longest a whole upstream response may last (`upstream.max_stream_ms`); 0 is unbounded.
    public var maxResponseNs: UInt64

    public init(firstByteMs: Int, idleMs: Int, keepaliveMs: Int, maxResponseMs: Int = 0) {
        self.firstByteNs = MonotonicClock.nanoseconds(milliseconds: firstByteMs)
        self.idleNs = MonotonicClock.nanoseconds(milliseconds: idleMs)
        self.keepaliveNs = MonotonicClock.nanoseconds(milliseconds: keepaliveMs)
        self.maxResponseNs = MonotonicClock.nanoseconds(milliseconds: maxResponseMs)
    }
}
