/// The error responses each upstream sends, in its own shape (perplexity-wire.md §5,
/// perplexity-agent-api.md §1–§3).
enum UpstreamErrors {
    // MARK: Sonar chat completions

    /// 400 for an unknown model: the envelope with a string `type` and an integer `code`.
    static func sonarInvalidModel(_ model: String) -> ScriptedStream {
        sonarEnvelope(
            status: 400, type: "invalid_model",
            message: "Invalid model '\(model)'. Permitted models can be found in the documentation at "
                + "https://docs.perplexity.ai/getting-started/models.")
    }

    /// 401 from the openresty front end: an HTML page, not JSON.
    static let sonarUnauthorized = MockHTTP.body(
        status: 401, contentType: "text/html",
        Array(
            ("<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n"
                + "<center><h1>401 Authorization Required</h1></center>\r\n"
                + "<hr><center>openresty/1.25.3.1</center>\r\n</body>\r\n</html>\r\n").utf8))

    /// 422 from FastAPI's request validation: `{"detail":[{loc, msg, type}]}`.
    static func sonarValidation(location: [WireJSON], message: String, type: String) -> ScriptedStream {
        let body: WireJSON = ["detail": [["loc": .array(location), "msg": .string(message), "type": .string(type)]]]
        return MockHTTP.json(status: 422, body.encoded(.sonar))
    }

    /// 429; Sonar documents no rate-limit headers, but a `Retry-After` lets the proxy's passing-on be tested.
    static let sonarRateLimited = sonarEnvelope(
        status: 429, type: "request_rate_limit_exceeded",
        message: "Request rate limit exceeded, please try again later.",
        extraHeaders: [MockHeader("Retry-After", "7")])

    /// 500.
    static let sonarInternal = sonarEnvelope(status: 500, type: "internal_server_error", message: "Internal server error")

    /// 503.
    static let sonarUnavailable = sonarEnvelope(
        status: 503, type: "service_unavailable", message: "Service temporarily unavailable")

    /// The retirement 403, variant 1 (live fixture, 2026-10-09): string `type`, integer `code`.
    static let retiredChatCompletions = sonarEnvelope(
        status: 403, type: "chat_completions_not_available",
        message: "Sonar is now the Agent API. Use /v1/responses instead of /v1/sonar. Migrate here: "
            + "https://docs.perplexity.ai/docs/agent-api/migrate-from-sonar/overview")

    /// The retirement 403, variant 2 (2026-09-19 record): no `type`, and `code` is a string.
    static let retiredMigrationRequired: ScriptedStream = {
        let body: WireJSON = [
            "error": [
                "message": "Sonar is now the Agent API. Use /v1/responses instead of /chat/completions.",
                "code": "agent_api_migration_required",
            ]
        ]
        return MockHTTP.json(status: 403, body.encoded(.sonar))
    }()

    /// FastAPI's 404 for a path it does not serve.
    static let sonarNotFound = MockHTTP.json(status: 404, Array(#"{"detail":"Not Found"}"#.utf8))

    /// Sonar's JSON error envelope `{"error":{message, type, code:int}}`.
    static func sonarEnvelope(
        status: Int, type: String, message: String, extraHeaders: [MockHeader] = []
    ) -> ScriptedStream {
        let body: WireJSON = ["error": ["message": .string(message), "type": .string(type), "code": .int(status)]]
        return MockHTTP.json(status: status, body.encoded(.sonar), extraHeaders: extraHeaders)
    }

    // MARK: Agent API

    /// The Agent API's envelope `{"error":{message, type, code:int, param?}}`, written by Go's encoder
    /// (struct field order, trailing newline).
    static func agent(
        status: Int, type: String, message: String, param: String? = nil, extraHeaders: [MockHeader] = []
    ) -> ScriptedStream {
        var error: WireJSON = ["message": .string(message), "type": .string(type), "code": .int(status)]
        if let param { error = error.setting("param", to: .string(param)) }
        let body: WireJSON = ["error": error]
        return MockHTTP.json(status: status, body.encoded(.goStruct) + [UInt8(ascii: "\n")], extraHeaders: extraHeaders)
    }

    /// 401 with the message of the live capture (hex/llm-perplexity cassette, 2026-09-21).
    static let agentUnauthorized = agent(
        status: 401, type: "invalid_api_key",
        message: "Invalid API key provided. Ensure your API key is correct and active.")

    /// A 400 seen live for a bad filter value.
    static let agentBadRequest = agent(
        status: 400, type: "invalid_request",
        message: "search recency filter must be one of: hour day week month year")

    /// 429 with `Retry-After` and exhausted `x-ratelimit-*` headers.
    static let agentRateLimited = agent(
        status: 429, type: "request_rate_limit_exceeded", message: "Request rate limit exceeded, please try again later.",
        extraHeaders: [MockHeader("Retry-After", "7")] + AgentHeaders.rateLimit(remaining: 0))

    /// 500.
    static let agentInternal = agent(status: 500, type: "internal_error", message: "internal server error")

    /// 404 for a path the Agent API does not serve.
    static let agentNotFound = agent(status: 404, type: "not_found", message: "not found")
}
