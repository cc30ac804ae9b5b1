/// The endpoint a request addresses.
enum MockRoute: Equatable {
    /// `POST /chat/completions`, `POST /v1/chat/completions`.
    case chatCompletions
    /// `POST /v1/agent`, `POST /v1/responses`.
    case agentResponses
    /// `POST /v1/agent/{id}/cancel`, `POST /v1/responses/{id}/cancel`.
    case cancel(id: String)
    /// `GET /v1/models`.
    case models
    /// Anything else.
    case unknown

    init(_ request: MockRequest) {
        let parts = request.route.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch (request.method.uppercased(), parts.count) {
        case ("POST", _) where parts == ["chat", "completions"] || parts == ["v1", "chat", "completions"]:
            self = .chatCompletions
        case ("POST", 2) where parts[0] == "v1" && Self.agentCollections.contains(parts[1]):
            self = .agentResponses
        case ("POST", 4) where parts[0] == "v1" && Self.agentCollections.contains(parts[1]) && parts[3] == "cancel":
            self = .cancel(id: parts[2])
        case ("GET", _) where parts == ["v1", "models"]:
            self = .models
        default:
            self = .unknown
        }
    }

    /// The Agent API's two names for its response collection.
    private static let agentCollections: Set<String> = ["agent", "responses"]
}
