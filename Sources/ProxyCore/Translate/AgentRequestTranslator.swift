/// Builds the Agent API request (`POST /v1/agent`) for a chat-completions request.
///
/// The Agent API answers 400 to any field it does not know, top-level or nested (perplexity-agent-api.md §5.10),
/// so the body is built from an allowlist: each client parameter with an Agent API equivalent is mapped, every
/// other one is left out and named in `droppedParameters`. Model, preset, tools, tool choice, instructions and
/// step limit come from the route (the proxy's configuration), never from the client.
///
/// Mapped: `messages` → `input` (see `AgentInputItems`), `stream`, `max_tokens`/`max_completion_tokens` →
/// `max_output_tokens`, `temperature`, `top_p`, `response_format` (json_schema; json_object as a schema that
/// accepts any object), `reasoning_effort` → `reasoning.effort`, `language_preference`, function `tools`,
/// `tool_choice` and `parallel_tool_calls` (see `AgentFunctionTools`), and the Sonar search filters and
/// `web_search_options` → the `web_search` tool (see `AgentWebSearchTool`). Dropped, among others:
/// `stream_options` (the proxy writes the usage chunk itself), `n`, `stop`, penalties, `seed`, `user`,
/// `return_images`, `return_related_questions`, `search_mode`, and `disable_search`: its only Agent API
/// counterpart, `max_tool_calls: 0`, is missing from Perplexity's SDK request model, and an unknown field fails
/// the request.
public enum AgentRequestTranslator {
    /// The smallest `max_output_tokens` sent. Below 16 the Agent API either refuses the request or raises the cap
    /// itself (sources disagree), and reasoning routes spend a tiny cap on reasoning alone and end with empty
    /// output (§5.12), so smaller client caps are raised to it.
    public static let minimumOutputTokens = 16

    /// Client parameters that are mapped, directly or into the `web_search` tool; all others are dropped.
    static let mappedParameters: Set<String> = Set(
        [
            "messages", "model", "stream", "max_tokens", "max_completion_tokens", "temperature", "top_p",
            "response_format", "reasoning_effort", "language_preference", "web_search_options", "tools", "tool_choice",
            "parallel_tool_calls", "num_search_results",
        ] + AgentWebSearchTool.filterParameters)

    /// The schema `response_format: {"type": "json_object"}` is sent as: any JSON object.
    static let anyObjectSchema: JSONValue = .object([
        "type": .string("json_schema"),
        "json_schema": .object([
            "name": .string("json_object"),
            "schema": .object(["type": .string("object"), "additionalProperties": .bool(true)]),
        ]),
    ])

    /// Members of `response_format.json_schema` the Agent API knows.
    private static let jsonSchemaFields: Set<String> = ["name", "schema", "description", "strict"]

    /// The Agent API request for `request` served by `route`, or the 400 the client receives.
    public static func translate(_ request: ChatCompletionRequest, route: ModelRoute) -> Result<
        AgentRequest, OpenAIError
    > {
        Result { () throws(OpenAIError) in try build(request, route: route) }
    }

    /// A 400 `invalid_request_error` naming the parameter at fault.
    static func invalid(_ code: String, _ message: String, _ param: String) -> OpenAIError {
        OpenAIError(status: 400, type: "invalid_request_error", code: code, message: message, param: param)
    }

    private static func build(_ request: ChatCompletionRequest, route: ModelRoute) throws(OpenAIError) -> AgentRequest {
        let body = request.body
        var dropped: [String] = []
        var agent: [String: JSONValue] = [:]
        agent["stream"] = .bool(request.stream)
        if let model = route.model { agent["model"] = .string(model) }
        if let preset = route.preset { agent["preset"] = .string(preset) }
        if let instructions = route.instructions { agent["instructions"] = .string(instructions) }
        if let maxSteps = route.maxSteps { agent["max_steps"] = .number(maxSteps) }
        let functions = try AgentFunctionTools.translate(body)
        let tools = try AgentWebSearchTool.tools(route.tools ?? [], applying: body, dropped: &dropped) + functions.tools
        if !tools.isEmpty { agent["tools"] = .array(tools) }
        // The client's own choice wins over the route's (which may force a search).
        if let toolChoice = functions.toolChoice ?? route.toolChoice { agent["tool_choice"] = toolChoice }

        let asked = try outputTokenCap(body)
        let limit = route.maxOutputTokens.map { cap in min(asked ?? cap, cap) } ?? asked
        if let limit { agent["max_output_tokens"] = .number(max(limit, minimumOutputTokens)) }
        for name in ["temperature", "top_p"] {
            if let value = try number(body, name) { agent[name] = value }
        }
        if let effort = try string(body, "reasoning_effort") {
            agent["reasoning"] = .object(["effort": .string(effort)])
        }
        if let language = try string(body, "language_preference") {
            agent["language_preference"] = .string(language)
        }
        if let format = try responseFormat(body["response_format"], dropped: &dropped) {
            agent["response_format"] = format
        }
        for (key, value) in body where !mappedParameters.contains(key) && !value.isNull {
            dropped.append(key)
        }
        let agentBody = try JSONValue.object(agent).serialized(appendingMember: "input", reserving: request.messages.count) {
            (out: inout [UInt8]) throws(OpenAIError) in
            try AgentInputItems.appendItems(from: request.messages, to: &out, dropped: &dropped)
        }
        return AgentRequest(body: agentBody, droppedParameters: dropped.sorted(), functionCalls: functions.policy)
    }

    /// `max_completion_tokens` (OpenAI's current name) or else `max_tokens`, as a positive integer.
    private static func outputTokenCap(_ body: [String: JSONValue]) throws(OpenAIError) -> Int? {
        for name in ["max_completion_tokens", "max_tokens"] {
            guard let value = body[name], !value.isNull else { continue }
            guard let cap = value.intValue, cap >= 1 else {
                throw invalid("invalid_value", "'\(name)' must be a positive integer.", name)
            }
            return cap
        }
        return nil
    }

    private static func number(_ body: [String: JSONValue], _ name: String) throws(OpenAIError) -> JSONValue? {
        switch body[name] {
        case nil, .null?: return nil
        case .number(let lexeme)?: return .number(lexeme)
        case .bool?, .string?, .array?, .object?: throw invalid("invalid_type", "'\(name)' must be a number.", name)
        }
    }

    private static func string(_ body: [String: JSONValue], _ name: String) throws(OpenAIError) -> String? {
        switch body[name] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case .bool?, .number?, .array?, .object?: throw invalid("invalid_type", "'\(name)' must be a string.", name)
        }
    }

    /// The top-level Agent API `response_format` for a json_schema request, and for `json_object` a schema that
    /// accepts any object; nil for `text` (the default anyway). Other types (`regex`) have no Agent API
    /// equivalent: refusing them beats silently returning prose to a client that parses the answer.
    private static func responseFormat(_ value: JSONValue?, dropped: inout [String]) throws(OpenAIError) -> JSONValue? {
        let param = "response_format"
        switch value {
        case nil, .null?:
            return nil
        case .object(let members)?:
            switch members["type"]?.stringValue {
            case "text"?:
                return nil
            case "json_object"?:
                return anyObjectSchema
            case "json_schema"?:
                guard case .object(let schema)? = members["json_schema"] else {
                    throw invalid(
                        "invalid_value", "'response_format.json_schema' must be an object.",
                        "response_format.json_schema")
                }
                var kept: [String: JSONValue] = [:]
                for (key, field) in schema where !field.isNull {
                    if jsonSchemaFields.contains(key) {
                        kept[key] = field
                    } else {
                        dropped.append("response_format.json_schema.\(key)")
                    }
                }
                return .object(["type": .string("json_schema"), "json_schema": .object(kept)])
            case let other?:
                throw invalid(
                    "unsupported_value",
                    "response_format type '\(other)' is not supported by the Perplexity Agent API; use json_schema or json_object.",
                    param)
            case nil:
                throw invalid("invalid_value", "'response_format.type' must be a string.", param)
            }
        case .bool?, .number?, .string?, .array?:
            throw invalid("invalid_type", "'response_format' must be an object.", param)
        }
    }
}
