/// What the client gets from a successful upstream response.
public enum ResponseBodyMode: Sendable {
    /// An SSE stream produced by the relay's translator.
    case stream
    /// One JSON body: the upstream body passed through unchanged once it proved to be the kind asked for.
    case passthroughBody(UpstreamBodyKind)
    /// One JSON body translated from an Agent API response; `functionCalls` says which calls become tool calls.
    case agentBody(clientModel: String, functionCalls: FunctionCallPolicy)
}

/// The kind of JSON document a non-streaming upstream request asked for.
public enum UpstreamBodyKind: Sendable {
    /// A chat-completions `chat.completion` object (chat mode).
    case chatCompletion
    /// An Agent API `response` object (agent mode, and the `/v1/responses` pass-through).
    case agentResponse
}
