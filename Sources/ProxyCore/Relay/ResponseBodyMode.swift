/// What the client gets from a successful upstream response.
public enum ResponseBodyMode: Sendable {
    /// An SSE stream produced by the relay's translator.
    case stream
    /// One JSON body: the upstream body passed through unchanged (chat mode).
    case passthroughBody
    /// One JSON body translated from an Agent API response.
    case agentBody(clientModel: String)
}
