/// A client's `POST /chat/completions` body, validated just enough to route it: the fields the proxy itself
/// reads are checked, everything else is kept for the upstream untouched.
///
/// `messages` is kept as the bytes it arrived as (a slice of the request body, not a copy): a body of a million
/// tiny messages is validated with `JSONScanner` and translated one message at a time, never turned into a
/// million dictionaries (30 MB of them once took 670 MB).
public struct ChatCompletionRequest: Sendable {
    /// Every top-level member except `messages`, parsed.
    public var body: [String: JSONValue]
    /// The `messages` array exactly as received: checked to be a non-empty array of objects with string roles.
    public var messages: ArraySlice<UInt8>
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

    public init(body: [String: JSONValue], messages: ArraySlice<UInt8>, model: String, stream: Bool, includeUsage: Bool) {
        self.body = body
        self.messages = messages
        self.model = model
        self.stream = stream
        self.includeUsage = includeUsage
    }

    /// Bodies up to this size are parsed a second time on a syntax error, to say where it is.
    private static let locatedErrorLimit = 1 << 20

    /// Parses and validates a request body; failures are the 400 the client receives.
    public static func parse(_ bytes: [UInt8]) -> Result<ChatCompletionRequest, OpenAIError> {
        var body: [String: JSONValue] = [:]
        var messagesRange: Range<Int>?
        let shape: OpenAIError? = bytes.withUnsafeBytes { raw in
            let json = JSONScanner(raw)
            guard let root = json.root() else { return syntaxError(bytes) }
            guard root.kind == .object else {
                return invalid("invalid_request", "The request body must be a JSON object, not \(root.kind.name).", nil)
            }
            _ = json.forEachMember(of: root) { key, value in
                guard let name = json.string(key) else { return true }
                if name == "messages" {
                    messagesRange = value.range
                } else {
                    body[name] = try? JSONValue.parse(json.rawBytes(value))
                }
                return true
            }
            return messagesProblem(json, messagesRange.flatMap { range in json.span(at: range.lowerBound) })
        }
        if let shape { return .failure(shape) }
        let messages = bytes[messagesRange ?? 0..<0]
        guard let modelValue = body["model"] else {
            return .failure(invalid("missing_required_parameter", "The 'model' parameter is required.", "model"))
        }
        guard case .string(let model) = modelValue, !model.isEmpty else {
            return .failure(invalid("invalid_value", "'model' must be a non-empty string.", "model"))
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
            ChatCompletionRequest(body: body, messages: messages, model: model, stream: stream, includeUsage: stream && includeUsage))
    }

    /// The body for a chat-completions upstream: `model` replaced, everything else kept, `messages` copied as it
    /// came. A stream always asks for `stream_options.include_usage`: a generic OpenAI-compatible upstream reports
    /// usage only then, and token and dollar budgets need it (the proxy shows the usage chunk only to a client
    /// that asked for it).
    public func chatUpstreamBody(model upstreamModel: String, outputCap: Int? = nil) -> [UInt8] {
        var upstream = body
        upstream["stream_options"] = stream ? .object(["include_usage": .bool(true)]) : nil
        upstream["model"] = .string(upstreamModel)
        if let outputCap, let limit = outputTokenLimit(cap: outputCap) {
            upstream["max_completion_tokens"] = nil
            upstream["max_tokens"] = .number(limit)
        }
        return JSONValue.object(upstream).serialized(appendingMember: "messages", reserving: messages.count) {
            $0.append(contentsOf: messages)
        }
    }

    /// The 400 for a body that is not JSON, saying where when the body is small enough to parse twice.
    private static func syntaxError(_ bytes: [UInt8]) -> OpenAIError {
        var detail = ""
        if bytes.count <= locatedErrorLimit {
            do {
                _ = try JSONValue.parse(bytes)
            } catch {
                detail = ": \(error.description)"
            }
        }
        return invalid("invalid_json", "The request body is not valid JSON\(detail).", nil)
    }

    /// Why `messages` is unusable, if it is: it must be a non-empty array of objects that each have a string role.
    private static func messagesProblem(_ json: JSONScanner, _ messages: JSONSpan?) -> OpenAIError? {
        guard let messages else {
            return invalid("missing_required_parameter", "The 'messages' parameter is required.", "messages")
        }
        var count = 0
        var problem: OpenAIError?
        let wellFormed = json.forEachElement(of: messages) { item in
            defer { count += 1 }
            guard item.kind == .object else {
                problem = invalid("invalid_value", "messages[\(count)] must be an object, not \(item.kind.name).", "messages")
                return false
            }
            guard json.member("role", of: item)?.kind == .string else {
                problem = invalid("invalid_value", "messages[\(count)].role must be a string.", "messages")
                return false
            }
            return true
        }
        if let problem { return problem }
        guard wellFormed, count > 0 else {
            return invalid("invalid_value", "'messages' must be a non-empty array.", "messages")
        }
        return nil
    }

    private static func invalid(_ code: String, _ message: String, _ param: String?) -> OpenAIError {
        OpenAIError(status: 400, type: "invalid_request_error", code: code, message: message, param: param)
    }
}
