/// How one relayed request ended, for metrics and the usage ledger.
public struct RelayOutcome: Sendable {
    /// How the request ended, in the ledger's words.
    public enum Kind: String, Sendable {
        case ok
        case clientAborted = "client_aborted"
        case upstreamError = "upstream_error"
        case rejected
        /// Cut short by a drain (SIGTERM) whose grace period ran out.
        case shutdown
    }

    /// The ledger outcome.
    public var kind: Kind
    /// HTTP status sent to the client (200 for streams that started, even if they later failed).
    public var status: Int
    /// Token usage, when the upstream reported it.
    public var usage: StreamUsage?
    /// Content chunks sent to the client.
    public var chunks: Int
    /// Nanoseconds from request start to the first byte sent to the client (nil if none was sent).
    public var timeToFirstByteNs: UInt64?
    /// Nanoseconds from request start to the end.
    public var durationNs: UInt64
    /// The upstream failure kind, when there was one (metrics label).
    public var upstreamErrorKind: String?
    /// Whether the upstream answered with a success head (so it may have done billable work).
    public var upstreamAnswered: Bool
}
