/// Which upstream the mock impersonates.
public enum MockAPI: String, Sendable, CaseIterable {
    /// Sonar chat completions, still served.
    case chat
    /// The Agent API; the chat-completions paths answer with the retirement 403.
    case agent
}

/// How a `MockResponder` behaves.
public struct MockOptions: Sendable {
    /// The upstream impersonated.
    public var api: MockAPI
    /// When set, requests must carry `Authorization: Bearer <expectedKey>` or get a 401.
    public var expectedKey: String?
    /// Pause between stream events in milliseconds (0 = none). Scenarios with their own pacing ignore it.
    public var eventDelayMs: Int

    /// Options with no key check and no pacing unless given.
    public init(api: MockAPI, expectedKey: String? = nil, eventDelayMs: Int = 0) {
        self.api = api
        self.expectedKey = expectedKey
        self.eventDelayMs = eventDelayMs
    }
}
