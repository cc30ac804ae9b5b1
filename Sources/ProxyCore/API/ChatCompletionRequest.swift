/// A client's `POST /chat/completions` body, validated just enough to route it: the fields the proxy itself
/// reads are checked, everything else is kept for the upstream untouched.
public struct ChatCompletionRequest: Sendable {
    /// The whole request object as received.
    public var body: [String: JSONValue]
    /// The client-facing model id the client asked for (echoed in every chunk).
    public var model: String
    /// Whether the client asked for an SSE stream.
    public var stream: Bool
    /// Whether a streaming client asked for the trailing usage chunk (`stream_options.include_usage: true`).
    public var includeUsage: Bool

    /// The output limit the client set (`max_completion_tokens`, else `max_tokens`), if it is a positive integer.
    public var requestedOutputTokens: Int? {
        for name in ["max_completion_tokens", "max_tokens"] {
            if let value = body[name]?.intValue, value >= 1 { return value }
        }
        return nil
    }

    /// The output limit a request to a model with `cap` runs under: the client's, at most the cap.
    public func outputTokenLimit(cap: Int?) -> Int? {
        switch (requestedOutputTokens, cap) {
        case (let asked?, let cap?): min(asked, cap)
        case (let asked?, nil): asked
        case (nil, let cap?): cap
        case (nil, nil): nil
        }
    }

    public init(body: [String: JSONValue], model: String, stream: Bool, includeUsage: Bool) {
        self.body = body
        self.model = model
        self.stream = stream
        self.includeUsage = includeUsage
    }

    /// Parses and validates a request body; failures are the 400 the client receives.
    public static func parse(_ bytes: [UInt8]) -> Result<ChatCompletionRequest, OpenAIError> {
        let root: JSONValue
        do {
            root = try JSONValue.parse(bytes)
        } catch {
            return .failure(invalid("invalid_json", "The request body is not valid JSON: \(error.description).", nil))
        }
        guard case .object(let body) = root else {
            return .failure(
                invalid("invalid_request", "The request body must be a JSON object, not \(root.kindName).", nil))
        }
        guard let modelValue = body["model"] else {
            return .failure(invalid("missing_required_parameter", "The 'model' parameter is required.", "model"))
        }
        guard case .string(let model) = modelValue, !model.isEmpty else {
            return .failure(invalid("invalid_value", "'model' must be a non-empty string.", "model"))
        }
        if let problem = messagesProblem(body["messages"]) {
            return .failure(problem)
        }
        let stream: Bool
        switch body["stream"] {
        case nil, .null?: stream = false
        case .bool(let value)?: stream = value
        case .number?, .string?, .array?, .object?:
            return .failure(invalid("invalid_type", "'stream' must be a boolean.", "stream"))
        }
        let includeUsage: Bool
        switch body["stream_options"] {
        case nil, .null?: includeUsage = false
        case .object(let options)?:
            switch options["include_usage"] {
            case nil, .null?: includeUsage = false
            case .bool(let value)?: includeUsage = value
            case .number?, .string?, .array?, .object?:
                return .failure(
                    invalid(
                        "invalid_type", "'stream_options.include_usage' must be a boolean.",
                        "stream_options.include_usage"))
            }
        case .bool?, .number?, .string?, .array?:
            return .failure(invalid("invalid_type", "'stream_options' must be an object.", "stream_options"))
        }
        return .success(
            ChatCompletionRequest(body: body, model: model, stream: stream, includeUsage: stream && includeUsage))
    }

    /// The body for a chat-completions upstream: `model` replaced, `stream_options` removed (the proxy produces
    /// the usage chunk itself), everything else kept.
    public func chatUpstreamBody(model upstreamModel: String, outputCap: Int? = nil) -> [UInt8] {
        var upstream = body
        upstream["stream_options"] = nil
        upstream["model"] = .string(upstreamModel)
        if let outputCap, let limit = outputTokenLimit(cap: outputCap) {
            upstream["max_completion_tokens"] = nil
            upstream["max_tokens"] = .number(limit)
        }
        return JSONValue.object(upstream).serialized
    }

    /// Why `messages` is unusable, if it is: it must be a non-empty array of objects that each have a string role.
    private static func messagesProblem(_ messages: JSONValue?) -> OpenAIError? {
        guard let messages else {
            return invalid("missing_required_parameter", "The 'messages' parameter is required.", "messages")
        }
        guard case .array(let items) = messages, !items.isEmpty else {
            return invalid("invalid_value", "'messages' must be a non-empty array.", "messages")
        }
        for (index, item) in items.enumerated() {
            guard case .object(let message) = item else {
                return invalid(
                    "invalid_value", "messages[\(index)] must be an object, not \(item.kindName).", "messages")
            }
            guard case .string? = message["role"] else {
                return invalid("invalid_value", "messages[\(index)].role must be a string.", "messages")
            }
        }
        return nil
    }

    private static func invalid(_ code: String, _ message: String, _ param: String?) -> OpenAIError {
        OpenAIError(status: 400, type: "invalid_request_error", code: code, message: message, param: param)
    }
}
