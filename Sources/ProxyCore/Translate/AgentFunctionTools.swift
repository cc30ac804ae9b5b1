/// Translates a client's chat-completions function tools into Agent API function tools.
///
/// Chat completions declare `{"type":"function","function":{name, description?, parameters?, strict?}}`; the Agent
/// API takes them Responses-style and flat: `{"type":"function", name, description, parameters, strict?}`, with
/// `description` and `parameters` required (perplexity-agent-api.md, "Additions, 2026-12" 7). Names the Agent API
/// reserves for its own tools are refused here with a 400 that says so, rather than upstream with a vaguer one,
/// and tool types the Agent API has no counterpart for (`custom`, OpenAI's built-ins) are refused, never dropped:
/// a client that declared a tool must not get an answer that silently ignored it.
///
/// `tool_choice`: `"none"`, `"auto"` and `"required"` pass as they are; a named function
/// (`{"type":"function","function":{"name"}}`) becomes the Agent API's `{"name": …}` (§2, `tool_choice`).
/// `parallel_tool_calls` has no Agent API field: `false` is honoured on the way back, by surfacing only the first
/// call (`FunctionCallPolicy`).
public enum AgentFunctionTools {
    /// Tool names the Agent API uses for its own tools; a function may not take them.
    static let reservedNames: Set<String> = [
        "web_search", "search_web", "fetch_url", "image_search", "finance_search", "people_search", "search_people",
        "sandbox", "mcp", "connector",
    ]

    /// The parameters schema sent when a function declares none: an object with no properties.
    private static let emptyParameters: JSONValue = .object(["type": .string("object"), "properties": .object([:])])

    /// What the client's tools turned into.
    struct Translation {
        /// Agent API function tools, in the client's order.
        var tools: [JSONValue] = []
        /// The Agent API `tool_choice`, when the client set one.
        var toolChoice: JSONValue?
        /// Which calls the client may receive.
        var policy = FunctionCallPolicy(names: [], parallel: true)
    }

    /// Translates `tools`, `tool_choice` and `parallel_tool_calls` of a chat-completions body.
    static func translate(_ body: [String: JSONValue]) throws(OpenAIError) -> Translation {
        var translation = Translation()
        var names: [String] = []
        switch body["tools"] {
        case nil, .null?:
            break
        case .array(let tools)?:
            for (index, tool) in tools.enumerated() {
                let (agentTool, name) = try functionTool(tool, path: "tools[\(index)]")
                guard !names.contains(name) else {
                    throw invalid("invalid_value", "tools[\(index)]: the function name '\(name)' is declared twice.", "tools")
                }
                names.append(name)
                translation.tools.append(agentTool)
            }
        case .bool?, .number?, .string?, .object?:
            throw invalid("invalid_type", "'tools' must be an array.", "tools")
        }
        translation.toolChoice = try toolChoice(body["tool_choice"], declared: names)
        let parallel: Bool
        switch body["parallel_tool_calls"] {
        case nil, .null?: parallel = true
        case .bool(let value)?: parallel = value
        case .number?, .string?, .array?, .object?:
            throw invalid("invalid_type", "'parallel_tool_calls' must be a boolean.", "parallel_tool_calls")
        }
        translation.policy = FunctionCallPolicy(names: Set(names), parallel: parallel)
        return translation
    }

    /// One Agent API function tool and its name.
    private static func functionTool(_ tool: JSONValue, path: String) throws(OpenAIError) -> (JSONValue, String) {
        guard case .object(let members) = tool else { throw invalid("invalid_type", "\(path) must be an object.", "tools") }
        guard let type = members["type"]?.stringValue else {
            throw invalid("invalid_value", "\(path).type must be a string.", "tools")
        }
        guard type == "function" else {
            throw invalid(
                "unsupported_value",
                "\(path): tools of type '\(type)' are not supported by the Perplexity Agent API; only 'function' tools are.",
                "tools")
        }
        guard case .object(let function)? = members["function"] else {
            throw invalid("invalid_value", "\(path).function must be an object.", "tools")
        }
        guard let name = function["name"]?.stringValue, !name.isEmpty else {
            throw invalid("invalid_value", "\(path).function.name must be a non-empty string.", "tools")
        }
        guard !reservedNames.contains(name) else {
            throw invalid(
                "invalid_value",
                "\(path).function.name '\(name)' is reserved by the Perplexity Agent API for its own tools; rename the function.",
                "tools")
        }
        var agentTool: [String: JSONValue] = [
            "type": .string("function"), "name": .string(name),
            "description": .string(function["description"]?.stringValue ?? ""),
        ]
        switch function["parameters"] {
        case nil, .null?: agentTool["parameters"] = emptyParameters
        case .object(let schema)?: agentTool["parameters"] = .object(schema)
        case .bool?, .number?, .string?, .array?:
            throw invalid("invalid_type", "\(path).function.parameters must be a JSON Schema object.", "tools")
        }
        switch function["strict"] {
        case nil, .null?: break
        case .bool(let strict)?: agentTool["strict"] = .bool(strict)
        case .number?, .string?, .array?, .object?:
            throw invalid("invalid_type", "\(path).function.strict must be a boolean.", "tools")
        }
        return (.object(agentTool), name)
    }

    /// The Agent API `tool_choice` for the client's, nil when the client set none.
    private static func toolChoice(_ value: JSONValue?, declared: [String]) throws(OpenAIError) -> JSONValue? {
        switch value {
        case nil, .null?:
            return nil
        case .string(let mode)?:
            guard ["none", "auto", "required"].contains(mode) else {
                throw invalid("invalid_value", "'tool_choice' must be 'none', 'auto', 'required' or a named function.", "tool_choice")
            }
            if mode == "required", declared.isEmpty {
                throw invalid("invalid_value", "'tool_choice' is 'required' but no tools are declared.", "tool_choice")
            }
            return .string(mode)
        case .object(let members)?:
            let name = members["function"]?["name"]?.stringValue ?? members["name"]?.stringValue
            guard members["type"]?.stringValue ?? "function" == "function", let name else {
                throw invalid(
                    "unsupported_value", "'tool_choice' must name a function: {\"type\":\"function\",\"function\":{\"name\":…}}.",
                    "tool_choice")
            }
            guard declared.contains(name) else {
                throw invalid("invalid_value", "'tool_choice' names '\(name)', which is not among the declared tools.", "tool_choice")
            }
            return .object(["name": .string(name)])
        case .bool?, .number?, .array?:
            throw invalid("invalid_type", "'tool_choice' must be a string or an object.", "tool_choice")
        }
    }

    private static func invalid(_ code: String, _ message: String, _ param: String) -> OpenAIError {
        AgentRequestTranslator.invalid(code, message, param)
    }
}

/// Which Agent API `function_call` items reach the client as tool calls: only calls of functions the client
/// declared (Perplexity's own `search_web` call never does, §5.6), and only the first when the client asked for
/// `parallel_tool_calls: false`.
public struct FunctionCallPolicy: Sendable, Equatable {
    /// The functions the client declared.
    public var names: Set<String>
    /// Whether several calls may be surfaced from one answer.
    public var parallel: Bool

    public init(names: Set<String>, parallel: Bool) {
        self.names = names
        self.parallel = parallel
    }

    /// Whether a call of `name` is surfaced when `surfaced` calls already were.
    func surfaces(_ name: String, after surfaced: Int) -> Bool {
        names.contains(name) && (parallel || surfaced == 0)
    }
}
