/// Builders for the Agent API's response object and output items (perplexity-agent-api.md §3–§4; field sets
/// as in the live captures). Keys are sorted when encoded, so the order written here does not matter.
enum AgentOutput {
    /// The model presets resolve to when the run finishes (live, 2026-09-25).
    static let resolvedModel = "openai/gpt-6-luna"

    /// Perplexity's internal search call, announced at the search's output index.
    static func searchCall(id: String, callID: String, queries: [String]) -> WireJSON {
        let arguments: WireJSON = ["queries": .array(queries.map(WireJSON.string))]
        return toolCall(id: id, callID: callID, name: "search_web", arguments: arguments)
    }

    /// Perplexity's internal page-fetch call.
    static func fetchCall(id: String, callID: String, urls: [String]) -> WireJSON {
        let arguments: WireJSON = ["urls": .array(urls.map(WireJSON.string))]
        return toolCall(id: id, callID: callID, name: "fetch_url", arguments: arguments)
    }

    /// A call of one of the client's functions, arguments already JSON text.
    static func functionCall(id: String, callID: String, name: String, arguments: String) -> WireJSON {
        [
            "arguments": .string(arguments), "call_id": .string(callID), "id": .string(id), "name": .string(name),
            "status": "completed", "type": "function_call",
        ]
    }

    private static func toolCall(id: String, callID: String, name: String, arguments: WireJSON) -> WireJSON {
        [
            "arguments": .string(String(decoding: arguments.encoded(.goMap), as: UTF8.self)),
            "call_id": .string(callID), "id": .string(id), "name": .string(name), "status": "completed",
            "type": "function_call",
        ]
    }

    /// One search result; `date` and `last_updated` are left out when unknown, as live results do.
    static func result(_ source: SearchSource) -> WireJSON {
        var result: WireJSON = [
            "id": .int(source.id), "snippet": .string(source.snippet), "source": "web", "title": .string(source.title),
            "url": .string(source.url),
        ]
        if let date = source.date { result = result.setting("date", to: .string(date)) }
        if let lastUpdated = source.lastUpdated { result = result.setting("last_updated", to: .string(lastUpdated)) }
        return result
    }

    /// The item a search call turns into when done (same output index, different type).
    static func searchResults(queries: [String], sources: [SearchSource]) -> WireJSON {
        ["queries": .array(queries.map(WireJSON.string)), "results": .array(sources.map(result)), "type": "search_results"]
    }

    /// A fetched page, which carries no result id.
    static func fetchedPage(_ source: SearchSource) -> WireJSON {
        ["snippet": .string(source.snippet), "title": .string(source.title), "url": .string(source.url)]
    }

    /// The item a fetch call turns into when done.
    static func fetchResults(_ pages: [SearchSource]) -> WireJSON {
        ["contents": .array(pages.map(fetchedPage)), "type": "fetch_url_results"]
    }

    /// An assistant message item; `content` is `null` when announced, a list of parts when done.
    static func message(id: String, content: WireJSON) -> WireJSON {
        ["content": content, "id": .string(id), "role": "assistant", "status": "completed", "type": "message"]
    }

    /// A message's content list with one `output_text` part.
    static func textContent(_ text: String, annotations: [WireJSON] = []) -> WireJSON {
        [["annotations": .array(annotations), "text": .string(text), "type": "output_text"]]
    }

    /// A `url_citation` annotation covering the first occurrence of `marker` in `text` (UTF-8 offsets).
    static func citation(of source: SearchSource, marker: String, in text: String) -> WireJSON? {
        guard let range = Array(text.utf8).firstRange(of: Array(marker.utf8)) else { return nil }
        return [
            "end_index": .int(range.upperBound), "start_index": .int(range.lowerBound), "title": .string(source.title),
            "type": "url_citation", "url": .string(source.url),
        ]
    }

    /// The terminal `usage`: one micro-dollar per token, plus `search_web` billing per search (left out
    /// entirely when the run searched nothing, as in live tool-less runs).
    static func usage(outputTokens: Int, searches: Int) -> WireJSON {
        let input = CanonicalAnswer.promptTokens
        let toolMicros = searches * MockPricing.searchMicros
        let totalMicros = (input + outputTokens) * MockPricing.microsPerToken + toolMicros
        var cost: WireJSON = [
            "currency": "USD", "input_cost": .usd(micros: input * MockPricing.microsPerToken, zero: "0"),
            "output_cost": .usd(micros: outputTokens * MockPricing.microsPerToken, zero: "0"),
            "total_cost": .usd(micros: totalMicros, zero: "0"),
        ]
        var usage: WireJSON = [
            "input_tokens": .int(input), "output_tokens": .int(outputTokens), "total_tokens": .int(input + outputTokens),
            "input_tokens_details": ["cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "cached_tokens": 0],
            "output_tokens_details": ["reasoning_tokens": 0],
        ]
        if searches > 0 {
            let toolCost = WireJSON.usd(micros: toolMicros, zero: "0")
            cost = cost.setting("tool_calls_cost", to: toolCost).setting("tool_calls_cost_details", to: ["search_web": toolCost])
            usage = usage.setting("tool_calls_details", to: ["search_web": ["cost_usd": toolCost, "invocation": .int(searches)]])
        }
        return usage.setting("cost", to: cost)
    }
}

/// The response object: the snapshot in lifecycle events, the body of a non-streamed run.
struct AgentResponseObject {
    var id: String
    var model: String
    var status: String
    var output: [WireJSON] = []
    var usage: WireJSON = .null
    var completedAt: Int?
    var error: WireJSON = .null
    var incompleteDetails: WireJSON = .null
    /// `default` while running; the live completion reported `priority`.
    var serviceTier = "default"
    /// Echoed from the request.
    var maxOutputTokens: WireJSON = .null

    /// The full field set of the live captures.
    var json: WireJSON {
        [
            "background": false, "completed_at": completedAt.map(WireJSON.int) ?? .null,
            "created_at": .int(CanonicalAnswer.createdEpoch), "error": error, "frequency_penalty": 0, "id": .string(id),
            "incomplete_details": incompleteDetails, "instructions": nil, "max_output_tokens": maxOutputTokens,
            "max_tool_calls": nil, "metadata": [:], "model": .string(model), "object": "response",
            "output": .array(output), "parallel_tool_calls": true, "presence_penalty": 0, "previous_response_id": nil,
            "prompt_cache_key": nil, "reasoning": nil, "safety_identifier": nil, "service_tier": .string(serviceTier),
            "status": .string(status), "store": true, "temperature": 1, "text": ["format": ["type": "text"]],
            "tool_choice": "auto", "tools": [], "top_logprobs": 0, "top_p": 1, "truncation": "", "usage": usage,
            "user": nil,
        ]
    }
}
