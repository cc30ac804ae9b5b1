/// What the proxy does with the trailing metadata (citations, search results, usage) of a stream.
public enum MetadataMode: String, Sendable, Equatable, CaseIterable {
    /// Emit the metadata once, on the finish chunk, in the shape CONTRACT.md fixes.
    case final
    /// Relay the upstream's bytes unchanged; only meaningful when the upstream already speaks chat completions.
    case passthrough
    /// Sonar's own stream shape, for clients that read metadata from the first chunk (langchain-perplexity's
    /// `ChatPerplexity`): `citations` and `search_results` on every chunk once known, the role on the first
    /// content chunk (no role-only chunk ahead of the search), `usage` on the last chunk.
    case sonar
}

/// How the `/v1/responses` pass-through streams the Agent API's events.
public enum ResponsesEvents: String, Sendable, Equatable, CaseIterable {
    /// Perplexity's events as they come.
    case raw
    /// Rewritten where the OpenAI SDKs' `responses.stream()` accumulators need it (`ResponsesEventNormalizer`).
    case openai
}

/// How streams to clients are shaped.
public struct StreamConfig: Sendable, Equatable {
    /// Where trailing metadata goes.
    public var metadata: MetadataMode
    /// The event stream of the Responses pass-through.
    public var responsesEvents: ResponsesEvents = .raw
    /// Interval of `: ping` comments while no event is due, so idle proxies and clients keep the stream open
    /// during long search phases; 0 turns pings off.
    public var keepaliveMs: Int

    public init(metadata: MetadataMode = .final, keepaliveMs: Int = 15_000) {
        self.metadata = metadata
        self.keepaliveMs = keepaliveMs
    }
}
