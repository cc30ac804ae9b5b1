/// Bounds on what a client connection may send and how long it may idle.
public struct LimitsConfig: Sendable, Equatable {
    /// Largest request head (request line plus headers) a client may send.
    public var maxHeaderBytes: Int
    /// Largest request body a client may send; larger gets 413.
    public var maxBodyBytes: Int
    /// Time a client has to send a complete request head once it starts one.
    public var headerTimeoutMs: Int
    /// Time a keep-alive connection may sit between requests before the proxy closes it.
    public var idleTimeoutMs: Int
    /// Time a client has to send a whole request, head and body, from its first byte.
    public var requestTimeoutMs: Int
    /// Open client connections at which new ones are answered 503 and closed; nil derives it from the descriptor
    /// limit (`maxClientConnections(descriptorLimit:)`).
    public var maxClientConnections: Int?

    /// The connection cap in force: the configured one, else what the descriptor limit leaves room for. Each
    /// stream needs two descriptors (its client and its upstream connection) and the process keeps some for
    /// itself (epoll sets, timers, the listener, the ledger, libcurl's resolver).
    public func maxClientConnections(descriptorLimit: Int) -> Int {
        maxClientConnections ?? max(8, (descriptorLimit - 64) / 2)
    }

    public init(
        maxHeaderBytes: Int = 16_384, maxBodyBytes: Int = 32 * 1024 * 1024, headerTimeoutMs: Int = 10_000,
        idleTimeoutMs: Int = 75_000, requestTimeoutMs: Int = 30_000
    ) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.headerTimeoutMs = headerTimeoutMs
        self.idleTimeoutMs = idleTimeoutMs
        self.requestTimeoutMs = requestTimeoutMs
    }
}
