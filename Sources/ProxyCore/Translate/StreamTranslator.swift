/// Whether an upstream stream has more to give after a call to `StreamTranslator.consume`.
public enum StreamStep: Equatable, Sendable {
    /// Keep relaying.
    case more
    /// The terminal event was seen and the client stream is complete (its `[DONE]` or error frame has been
    /// appended). The caller ends the client response and aborts the upstream transfer, which may still be open.
    case finished
}

/// Figures a stream reports for metrics and the usage ledger once it ends.
public struct StreamUsage: Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int
    public var costUSD: Double?

    public init(promptTokens: Int, completionTokens: Int, totalTokens: Int, costUSD: Double?) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
        self.costUSD = costUSD
    }
}

/// Turns an upstream response body (bytes as they arrive) into the SSE bytes the client receives.
///
/// Implementations are pure state machines: no sockets, no clocks. Each `consume` appends to `output` every client
/// event that the given bytes complete, so the caller can write them in the same turn of the event loop.
public protocol StreamTranslator {
    /// Feeds upstream body bytes; appends client-bound SSE bytes (`data: …\n\n` frames) to `output`.
    mutating func consume(_ bytes: UnsafeRawBufferPointer, into output: inout [UInt8]) -> StreamStep
    /// The upstream body ended cleanly (EOF) before a terminal event: appends what closes the client stream
    /// (a synthesised finish chunk and `[DONE]`, or an error frame where the wire format makes EOF an error).
    mutating func upstreamEnded(into output: inout [UInt8])
    /// The upstream transfer failed mid-stream: appends the `event: error` frame.
    mutating func upstreamFailed(_ error: OpenAIError, into output: inout [UInt8])
    /// Number of content chunks emitted so far (for `pplx_chunks_relayed_total`).
    var chunksEmitted: Int { get }
    /// Final usage, once known.
    var usage: StreamUsage? { get }
    /// The upstream's run id (Agent API `resp_…`), once known, for cancelling an abandoned run.
    var upstreamResponseID: String? { get }
    /// The error the client stream ended with (its `event: error` frame), if it did: the request counts as failed.
    var failure: OpenAIError? { get }
}
