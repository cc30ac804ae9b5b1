/// The Agent API request built from one chat-completions request, and what had to be left out of it.
public struct AgentRequest: Sendable, Equatable {
    /// The JSON body for `POST /v1/agent`.
    public var body: [UInt8]
    /// Client parameters with no Agent API equivalent that were not sent (sorted), for a debug log line.
    public var droppedParameters: [String]
    /// Which function calls of the answer reach the client as tool calls.
    public var functionCalls: FunctionCallPolicy

    /// A request with this body, these dropped parameter names and this function-call policy.
    public init(
        body: [UInt8], droppedParameters: [String], functionCalls: FunctionCallPolicy = FunctionCallPolicy(names: [], parallel: true)
    ) {
        self.body = body
        self.droppedParameters = droppedParameters
        self.functionCalls = functionCalls
    }
}
