/// Turns chat-completions `messages` into Agent API `input` message items.
///
/// - `system` and `developer` messages become `system` items rather than `instructions`, because `instructions`
///   replaces a preset's own system prompt (perplexity-agent-api.md §2).
/// - An assistant turn's `tool_calls` become `function_call` items (`call_id`, `name`, `arguments`) after its text,
///   and a `tool` message becomes the matching `function_call_output` item (`call_id`, `output`), the Agent API's
///   own form for a function's result (perplexity-agent-api.md, "Additions, 2026-12" 7). A legacy `function`
///   message (no call id) is folded into a `user` item reading "Tool result: …", so its facts still reach the run.
/// - Content parts: `text` → `input_text`, `image_url` → `input_image` (URL as a string); other part types
///   (`file_url`, `pdf_url`, `video_url`, `input_audio`, …) have no equivalent and are dropped. An assistant turn
///   is sent as plain text, the form the Agent API is known to accept for replayed assistant items.
/// - A message left with no content and no calls is dropped.
enum AgentInputItems {
    /// Appends the `input` array for `messages` (the raw JSON array, which `ChatCompletionRequest.parse` has
    /// checked to be a non-empty array of objects with string roles). Messages are parsed and translated one at a
    /// time, so memory follows the largest message, not the whole conversation.
    static func appendItems(from messages: ArraySlice<UInt8>, to out: inout [UInt8], dropped: inout [String]) throws(OpenAIError) {
        var failure: OpenAIError?
        var index = 0
        var written = 0
        out.append(UInt8(ascii: "["))
        messages.withUnsafeBytes { raw in
            let json = JSONScanner(raw)
            _ = json.forEachElement(of: json.root() ?? JSONSpan(kind: .null, range: 0..<0)) { span in
                defer { index += 1 }
                do throws(OpenAIError) {
                    guard let entry = try? JSONValue.parse(json.rawBytes(span)) else {
                        throw AgentRequestTranslator.invalid(
                            "invalid_value", "messages[\(index)] must be an object with a string role.", "messages")
                    }
                    let items = try items(for: entry, path: "messages[\(index)]", dropped: &dropped)
                    if items.isEmpty { dropped.append("messages[\(index)]") }
                    for item in items {
                        if written > 0 { out.append(UInt8(ascii: ",")) }
                        item.append(to: &out)
                        written += 1
                    }
                    return true
                } catch {
                    failure = error
                    return false
                }
            }
        }
        if let failure { throw failure }
        guard written > 0 else {
            throw AgentRequestTranslator.invalid("invalid_value", "'messages' has no message with content.", "messages")
        }
        out.append(UInt8(ascii: "]"))
    }

    /// The input items for one message: none when it has no content left.
    private static func items(for entry: JSONValue, path: String, dropped: inout [String]) throws(OpenAIError) -> [JSONValue] {
        guard case .object(let members) = entry, let role = members["role"]?.stringValue else {
            throw AgentRequestTranslator.invalid("invalid_value", "\(path) must be an object with a string role.", "messages")
        }
        if members["function_call"].map({ !$0.isNull }) ?? false { dropped.append("\(path).function_call") }
        switch role {
        case "system", "developer", "user":
            let agentRole = role == "user" ? "user" : "system"
            return try content(members["content"], path: path, dropped: &dropped).map { [messageItem(agentRole, $0)] } ?? []
        case "assistant":
            let said = try text(members["content"], path: path, dropped: &dropped).map { messageItem("assistant", .string($0)) }
            return (said.map { [$0] } ?? []) + (try functionCalls(members["tool_calls"], path: "\(path).tool_calls"))
        case "tool":
            guard let callID = members["tool_call_id"]?.stringValue, !callID.isEmpty else {
                throw AgentRequestTranslator.invalid("invalid_value", "\(path).tool_call_id must be a non-empty string.", "messages")
            }
            let output = try text(members["content"], path: path, dropped: &dropped) ?? ""
            return [.object(["type": .string("function_call_output"), "call_id": .string(callID), "output": .string(output)])]
        case "function":
            return try text(members["content"], path: path, dropped: &dropped).map {
                [messageItem("user", .string("Tool result: " + $0))]
            } ?? []
        default:
            throw AgentRequestTranslator.invalid(
                "invalid_value", "\(path).role must be one of system, developer, user, assistant or tool, not '\(role)'.",
                "messages")
        }
    }

    /// The `function_call` items for an assistant turn's `tool_calls`.
    private static func functionCalls(_ value: JSONValue?, path: String) throws(OpenAIError) -> [JSONValue] {
        switch value {
        case nil, .null?:
            return []
        case .array(let calls)?:
            var items: [JSONValue] = []
            for (index, call) in calls.enumerated() {
                let callPath = "\(path)[\(index)]"
                guard let id = call["id"]?.stringValue, !id.isEmpty else {
                    throw AgentRequestTranslator.invalid("invalid_value", "\(callPath).id must be a non-empty string.", "messages")
                }
                guard call["type"]?.stringValue ?? "function" == "function", let function = call["function"],
                    let name = function["name"]?.stringValue, !name.isEmpty
                else {
                    throw AgentRequestTranslator.invalid(
                        "invalid_value", "\(callPath) must be a function call with a name.", "messages")
                }
                items.append(
                    .object([
                        "type": .string("function_call"), "call_id": .string(id), "name": .string(name),
                        "arguments": .string(function["arguments"]?.stringValue ?? "{}"),
                    ]))
            }
            return items
        case .bool?, .number?, .string?, .object?:
            throw AgentRequestTranslator.invalid("invalid_type", "\(path) must be an array.", "messages")
        }
    }

    private static func messageItem(_ role: String, _ content: JSONValue) -> JSONValue {
        .object(["type": .string("message"), "role": .string(role), "content": content])
    }

    /// The item content: a string as it is, parts mapped; nil when nothing usable is left.
    private static func content(
        _ value: JSONValue?, path: String, dropped: inout [String]
    ) throws(OpenAIError) -> JSONValue? {
        switch value {
        case nil, .null?:
            return nil
        case .string(let text)?:
            return .string(text)
        case .array(let parts)?:
            var mapped: [JSONValue] = []
            for (index, part) in parts.enumerated() {
                let partPath = "\(path).content[\(index)]"
                switch part["type"]?.stringValue {
                case "text"?:
                    mapped.append(
                        .object(["type": .string("input_text"), "text": .string(try partText(part, partPath))]))
                case "image_url"?:
                    mapped.append(
                        .object(["type": .string("input_image"), "image_url": .string(try imageURL(part, partPath))]))
                case let other?:
                    dropped.append("\(partPath).\(other)")
                case nil:
                    throw untypedPart(partPath)
                }
            }
            return mapped.isEmpty ? nil : .array(mapped)
        case .bool?, .number?, .object?:
            throw contentType(path)
        }
    }

    /// The content as plain text: a string as it is, the text parts joined; nil when there is none.
    private static func text(
        _ value: JSONValue?, path: String, dropped: inout [String]
    ) throws(OpenAIError) -> String? {
        switch value {
        case nil, .null?:
            return nil
        case .string(let text)?:
            return text
        case .array(let parts)?:
            var joined = ""
            for (index, part) in parts.enumerated() {
                let partPath = "\(path).content[\(index)]"
                switch part["type"]?.stringValue {
                case "text"?:
                    joined += try partText(part, partPath)
                case let other?:
                    dropped.append("\(partPath).\(other)")
                case nil:
                    throw untypedPart(partPath)
                }
            }
            return joined.isEmpty ? nil : joined
        case .bool?, .number?, .object?:
            throw contentType(path)
        }
    }

    private static func untypedPart(_ path: String) -> OpenAIError {
        AgentRequestTranslator.invalid("invalid_value", "\(path) must have a string type.", "messages")
    }

    private static func contentType(_ path: String) -> OpenAIError {
        AgentRequestTranslator.invalid(
            "invalid_type", "\(path).content must be a string or an array of parts.", "messages")
    }

    private static func partText(_ part: JSONValue, _ path: String) throws(OpenAIError) -> String {
        guard let text = part["text"]?.stringValue else {
            throw AgentRequestTranslator.invalid("invalid_type", "\(path).text must be a string.", "messages")
        }
        return text
    }

    /// The image URL of an `image_url` part, given as `{"url": …}` (OpenAI) or as a bare string (Perplexity's docs).
    private static func imageURL(_ part: JSONValue, _ path: String) throws(OpenAIError) -> String {
        if let url = part["image_url"]?.stringValue ?? part["image_url"]?["url"]?.stringValue {
            return url
        }
        throw AgentRequestTranslator.invalid("invalid_type", "\(path).image_url must carry a URL string.", "messages")
    }
}
