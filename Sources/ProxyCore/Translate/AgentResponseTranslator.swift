/// Translates a non-streaming Agent API response into one `chat.completion` object.
///
/// The answer is the concatenated `output_text` of the `message` items (the raw JSON has no `output_text`
/// field; that is an SDK convenience, perplexity-agent-api.md §4). Sources and usage are mapped as in the
/// stream (`AgentSourceCollector`, `AgentUsageMapper`). Failures arrive with HTTP 200: `failed` and `cancelled`
/// become a 502, `incomplete` a normal answer with `finish_reason` `length` (its content may be empty).
/// Calls of the client's functions become `message.tool_calls` (content `null` when the answer has no text) and
/// the finish reason `tool_calls`; Perplexity's own `search_web` call never does (`FunctionCallPolicy`).
public enum AgentResponseTranslator {
    /// The `chat.completion` JSON for an Agent API response body, or the 502 the client receives.
    public static func translate(
        _ body: [UInt8], clientModel: String, functionCalls: FunctionCallPolicy = FunctionCallPolicy(names: [], parallel: true)
    ) -> Result<[UInt8], OpenAIError> {
        guard let response = try? JSONValue.parse(body), case .object = response else {
            return .failure(
                AgentRunOutcome.upstreamError(
                    "upstream_invalid_response", "The upstream answered with a body that is not a JSON object."))
        }
        var reason: String
        switch AgentRunOutcome.of(response: response) {
        case .finished(let finishReason): reason = finishReason
        case .failed(var error):
            error.message = UpstreamErrorMapper.clip(error.message)
            return .failure(error)
        }

        let items = response["output"]?.arrayValue ?? []
        var content = ""
        var sources = AgentSourceCollector()
        var toolCalls: [ClientToolCall] = []
        for item in items {
            if let call = ClientToolCall(item: item) {
                if !toolCalls.contains(where: { $0.id == call.id }), functionCalls.surfaces(call.name, after: toolCalls.count) {
                    toolCalls.append(call)
                }
                continue
            }
            guard item["type"]?.stringValue == "message" else {
                sources.add(outputItem: item)
                continue
            }
            for part in item["content"]?.arrayValue ?? []
            where part["type"]?.stringValue ?? "output_text" == "output_text" {
                content += part["text"]?.stringValue ?? ""
            }
        }
        let usage = AgentUsageMapper.map(response["usage"], searchQueries: AgentUsageMapper.searchQueries(in: items))

        var out: [UInt8] = []
        out.append(contentsOf: #"{"id":"#.utf8)
        JSONEscaping.appendQuoted(response["id"]?.stringValue ?? "", to: &out)
        out.append(contentsOf: #","object":"chat.completion","created":"#.utf8)
        let created = response["created_at"]?.intValue ?? response["completed_at"]?.intValue ?? 0
        out.append(contentsOf: String(created).utf8)
        out.append(contentsOf: #","model":"#.utf8)
        JSONEscaping.appendQuoted(clientModel, to: &out)
        out.append(contentsOf: #","choices":[{"index":0,"message":{"role":"assistant","content":"#.utf8)
        if content.isEmpty && !toolCalls.isEmpty {
            out.append(contentsOf: "null".utf8)
        } else {
            JSONEscaping.appendQuoted(content, to: &out)
        }
        if !toolCalls.isEmpty {
            if reason == "stop" { reason = "tool_calls" }
            out.append(contentsOf: #","tool_calls":["#.utf8)
            for (index, call) in toolCalls.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                call.appendJSON(index: nil, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(contentsOf: #"},"finish_reason":"#.utf8)
        JSONEscaping.appendQuoted(reason, to: &out)
        out.append(contentsOf: #"}],"citations":"#.utf8)
        out.append(contentsOf: sources.citationsJSON)
        out.append(contentsOf: #","search_results":"#.utf8)
        out.append(contentsOf: sources.searchResultsJSON)
        out.append(contentsOf: #","usage":"#.utf8)
        out.append(contentsOf: usage.json)
        out.append(UInt8(ascii: "}"))
        return .success(out)
    }
}
