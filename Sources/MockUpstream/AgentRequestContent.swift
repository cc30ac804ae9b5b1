import ProxyCore

/// What the emulator reads from a request to choose its answer: the client functions it may call, the structure
/// an answer must have, and what the conversation's last turn is.
struct AgentRequestContent {
    /// A function tool the request declares.
    struct Function {
        var name: String
        var parameters: JSONValue
    }

    /// The conversation's last input item.
    enum LastTurn: Equatable {
        /// A user (or system) message, as text.
        case text(String)
        /// The result of a function call: the run answers from it.
        case functionOutput(String)
    }

    var functions: [Function] = []
    /// `tool_choice` as sent.
    var toolChoice: JSONValue?
    /// `response_format.json_schema.schema`, when the answer must be JSON.
    var responseSchema: JSONValue?
    var lastTurn = LastTurn.text("")
    /// The text of every input message, for a schema a prompt embeds.
    var allText = ""

    /// Names the Agent API keeps for its own tools.
    static let reservedNames: Set<String> = ["web_search", "search_web", "fetch_url", "image_search", "finance_search"]

    /// Reads `body`; a function tool the Agent API would refuse is a refusal here too.
    static func read(_ body: [String: JSONValue]) -> Result<AgentRequestContent, AgentRequestValidation.Refusal> {
        var content = AgentRequestContent()
        for tool in body["tools"]?.arrayValue ?? [] where tool["type"]?.stringValue == "function" {
            guard let name = tool["name"]?.stringValue, !name.isEmpty else {
                return .failure(.init(message: "validation failed: function tool name is required", param: "tools"))
            }
            if reservedNames.contains(name) {
                return .failure(.init(message: "validation failed: tool name \"\(name)\" is reserved", param: "tools"))
            }
            guard tool["description"]?.stringValue != nil, case .object? = tool["parameters"] else {
                return .failure(
                    .init(message: "validation failed: function tool \"\(name)\" needs a description and parameters", param: "tools"))
            }
            content.functions.append(Function(name: name, parameters: tool["parameters"] ?? .null))
        }
        content.toolChoice = body["tool_choice"]
        content.responseSchema = body["response_format"]?["json_schema"]?["schema"]
        switch body["input"] {
        case .string(let text)?:
            content.lastTurn = .text(text)
            content.allText = text
        case .array(let items)?:
            var texts: [String] = []
            for item in items {
                if item["type"]?.stringValue == "function_call_output" {
                    content.lastTurn = .functionOutput(item["output"]?.stringValue ?? "")
                } else if item["type"]?.stringValue == "function_call" {
                    continue
                } else {
                    let text = Self.text(of: item["content"])
                    texts.append(text)
                    content.lastTurn = .text(text)
                }
            }
            content.allText = texts.joined(separator: "\n")
        default:
            break
        }
        return .success(content)
    }

    /// The function the run calls, if any: one the client forces (`{"name":…}` or `required`), else one the last
    /// user turn names, unless `tool_choice` is `none` or the turn is a function's result.
    var functionToCall: Function? {
        guard !functions.isEmpty, case .text(let prompt) = lastTurn else { return nil }
        switch toolChoice {
        case .string("none")?: return nil
        case .string("required")?: return functions[0]
        case .object(let choice)?:
            if let name = choice["name"]?.stringValue { return functions.first { $0.name == name } }
        default: break
        }
        let lowered = prompt.lowercased()
        return functions.first { lowered.contains($0.name.lowercased()) }
    }

    /// A message's text: a string, or its text parts joined.
    private static func text(of content: JSONValue?) -> String {
        switch content {
        case .string(let text)?: return text
        case .array(let parts)?: return parts.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
        default: return ""
        }
    }
}
