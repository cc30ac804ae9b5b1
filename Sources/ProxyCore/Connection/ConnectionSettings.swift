/// Per-connection limits and timeouts, fixed when the connection is accepted.
public struct ConnectionSettings: Sendable {
    /// Header and body size limits.
    public var parserLimits: HTTPParserLimits
    /// How long a client may take to send a complete request head (408 after).
    public var headerTimeoutMs: Int
    /// How long an idle keep-alive connection (or a stalled body upload) is kept.
    public var idleTimeoutMs: Int
    /// Backlog above which streams pause their upstream (the relay's bounded buffer).
    public var highWaterMark: Int
    /// Backlog below which a paused stream resumes.
    public var lowWaterMark: Int

    public init(
        parserLimits: HTTPParserLimits = HTTPParserLimits(), headerTimeoutMs: Int = 10_000, idleTimeoutMs: Int = 75_000,
        highWaterMark: Int = StreamRelayLimits.highWaterMark, lowWaterMark: Int = 16 * 1024
    ) {
        self.parserLimits = parserLimits
        self.headerTimeoutMs = headerTimeoutMs
        self.idleTimeoutMs = idleTimeoutMs
        self.highWaterMark = highWaterMark
        self.lowWaterMark = lowWaterMark
    }
}
