/// Per-connection limits and timeouts, fixed when the connection is accepted.
public struct ConnectionSettings: Sendable {
    /// Header and body size limits.
    public var parserLimits: HTTPParserLimits
    /// How long a client may take to send a complete request head (408 after).
    public var headerTimeoutMs: Int
    /// How long an idle keep-alive connection (or a stalled body upload, or a backlog the client does not read) is
    /// kept.
    public var idleTimeoutMs: Int

    public init(parserLimits: HTTPParserLimits = HTTPParserLimits(), headerTimeoutMs: Int = 10_000, idleTimeoutMs: Int = 75_000) {
        self.parserLimits = parserLimits
        self.headerTimeoutMs = headerTimeoutMs
        self.idleTimeoutMs = idleTimeoutMs
    }
}
