/// The Agent API request built from one chat-completions request, and what had to be left out of it.
public struct AgentRequest: Sendable, Equatable {
    /// The JSON body for `POST /v1/agent`.
    public var body: [UInt8]
    /// Client parameters with no Agent API equivalent that were not sent (sorted), for a debug log line.
    public var droppedParameters: [String]

    /// A request with this body and these dropped parameter names.
    public init(body: [UInt8], droppedParameters: [String]) {
        self.body = body
        self.droppedParameters = droppedParameters
    }
}
