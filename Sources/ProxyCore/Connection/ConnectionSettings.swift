/// Per-connection limits and timeouts, fixed when the connection is accepted.
public struct ConnectionSettings: Sendable {
    /// Header and body size limits.
    public var parserLimits: HTTPParserLimits
    /// How long a client may take to send a complete request head (or finish a TLS handshake); 408 after.
    public var headerTimeoutMs: Int
    /// How long a client may take to send a whole request, head and body, from its first byte; 408 after.
    public var requestTimeoutMs: Int
    /// How long an idle keep-alive connection, or a response the client does not read, is kept.
    public var idleTimeoutMs: Int
    /// Bytes waiting for the client at which a streaming response is told to wait (`HTTPResponseWriter.isCongested`).
    public var highWaterMark: Int
    /// Where the largest backlog any connection reached is recorded (`pplx_client_backlog_peak_bytes`).
    public var peakBacklog: AtomicMaximum?

    public init(
        parserLimits: HTTPParserLimits = HTTPParserLimits(), headerTimeoutMs: Int = 10_000, requestTimeoutMs: Int = 30_000,
        idleTimeoutMs: Int = 75_000, highWaterMark: Int = StreamRelayLimits.highWaterMark, peakBacklog: AtomicMaximum? = nil
    ) {
        self.parserLimits = parserLimits
        self.headerTimeoutMs = headerTimeoutMs
        self.requestTimeoutMs = requestTimeoutMs
        self.idleTimeoutMs = idleTimeoutMs
        self.highWaterMark = highWaterMark
        self.peakBacklog = peakBacklog
    }

    var timeouts: HTTPConnectionStateMachine.Timeouts {
        HTTPConnectionStateMachine.Timeouts(headerMs: headerTimeoutMs, requestMs: requestTimeoutMs, idleMs: idleTimeoutMs)
    }
}
