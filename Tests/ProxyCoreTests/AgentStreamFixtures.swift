@testable import ProxyCore

/// Upstream Agent API events and the client bytes they must produce, modelled on the live order in
/// perplexity-agent-api.md §3 and carrying the canonical mock answer (HELPER-CONTEXT.md).
enum AgentStreamFixtures {
    static let wikipedia =
        #"{"id":1,"url":"https://en.wikipedia.org/wiki/Paris","title":"Paris - Wikipedia","snippet":"Paris is the capital and largest city of France.","date":"2026-03-01","last_updated":"2026-03-02","source":"web"}"#
    static let britannica =
        #"{"id":2,"url":"https://www.britannica.com/place/Paris","title":"Paris | Britannica","snippet":"","source":"web"}"#
    static let deltas = ["The capital", " of France", " is Paris", "[1]", ".", " It lies on", " the Seine", "[2]", "."]
    static let fullText = "The capital of France is Paris[1]. It lies on the Seine[2]."
    static let agentUsage =
        #"{"input_tokens":9,"output_tokens":14,"total_tokens":23,"input_tokens_details":{"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cached_tokens":0},"output_tokens_details":{"reasoning_tokens":0},"tool_calls_details":{"search_web":{"cost_usd":0.005,"invocation":1}},"cost":{"currency":"USD","input_cost":0.000009,"output_cost":0.000014,"tool_calls_cost":0.005,"tool_calls_cost_details":{"search_web":0.005},"total_cost":0.005023}}"#

    static let searchResultsItem =
        #"{"type":"search_results","queries":["capital of France"],"results":["# + wikipedia + "," + britannica + "]}"
    static func messageItem(_ text: String, id: String = "msg_1") -> String {
        #"{"type":"message","id":""# + id
            + #"","role":"assistant","status":"completed","content":[{"type":"output_text","text":"# + quoted(text)
            + #","annotations":[]}]}"#
    }

    /// One upstream SSE event in the live framing: `event:` line, one-line `data:`, blank line.
    static func event(_ type: String, _ members: String = "") -> String {
        let body = members.isEmpty ? "" : "," + members
        return "event: \(type)\ndata: {\"type\":\"\(type)\"\(body)}\n\n"
    }

    static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        JSONEscaping.appendQuoted(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func created(id: String = "resp_123", model: String = "fast") -> String {
        event(
            "response.created",
            #""sequence_number":0,"response":{"id":""# + id
                + #"","object":"response","created_at":1790000000,"status":"in_progress","model":""# + model
                + #"","output":[],"usage":null}"#)
    }

    static func delta(_ text: String, sequence: Int, itemID: String = "msg_1", outputIndex: Int = 1) -> String {
        event(
            "response.output_text.delta",
            #""sequence_number":\#(sequence),"item_id":""# + itemID
                + #"","output_index":\#(outputIndex),"content_index":0,"delta":"# + quoted(text))
    }

    static func textDone(_ text: String, sequence: Int, itemID: String = "msg_1", outputIndex: Int = 1) -> String {
        event(
            "response.output_text.done",
            #""sequence_number":\#(sequence),"item_id":""# + itemID
                + #"","output_index":\#(outputIndex),"content_index":0,"text":"# + quoted(text))
    }

    static func itemDone(_ item: String, outputIndex: Int, sequence: Int) -> String {
        event(
            "response.output_item.done",
            #""sequence_number":\#(sequence),"output_index":\#(outputIndex),"item":"# + item)
    }

    static func response(status: String, output: [String], usage: String = agentUsage, extra: String = "") -> String {
        #"{"id":"resp_123","object":"response","created_at":1790000000,"completed_at":1790000003,"status":""# + status
            + #"","model":"openai/gpt-6-luna","error":null,"incomplete_details":null,"output":["#
            + output.joined(separator: ",") + #"],"usage":"# + usage + extra + "}"
    }

    static func completed(
        status: String = "completed", output: [String] = [searchResultsItem, messageItem(fullText)],
        usage: String = agentUsage, sequence: Int = 20
    ) -> String {
        event(
            "response.completed",
            #""sequence_number":\#(sequence),"response":"# + response(status: status, output: output, usage: usage))
    }

    /// Everything up to the first text delta: created, in_progress, the internal search call, its results.
    static let preamble =
        created()
        + event(
            "response.in_progress",
            #""sequence_number":1,"response":{"id":"resp_123","object":"response","created_at":1790000000,"status":"in_progress","model":"fast","output":[],"usage":null}"#
        )
        + event(
            "response.output_item.added",
            #""sequence_number":3,"output_index":0,"item":{"type":"function_call","name":"search_web","call_id":"call_1","id":"fc_1","arguments":"{\"queries\":[\"capital of France\"]}","status":"completed"}"#
        )
        + event(
            "response.reasoning.search_queries",
            #""sequence_number":4,"queries":["capital of France"],"call_id":"call_1","thought":"Searching the web...""#)
        + event(
            "response.reasoning.search_results",
            #""sequence_number":5,"results":["# + wikipedia + "," + britannica
                + #"],"call_id":"call_1","thought":"Found 2 results""#)
        + itemDone(searchResultsItem, outputIndex: 0, sequence: 6)
        + event(
            "response.output_item.added",
            #""sequence_number":7,"output_index":1,"item":{"type":"message","id":"msg_1","role":"assistant","status":"completed","content":null}"#
        )

    /// The canonical run as the Agent API streams it.
    static let canonical =
        preamble
        + deltas.enumerated().map { delta($1, sequence: 8 + $0) }.joined()
        + textDone(fullText, sequence: 18)
        + itemDone(messageItem(fullText), outputIndex: 1, sequence: 19)
        + completed()

    // MARK: Client side

    static let head =
        #"data: {"id":"resp_123","object":"chat.completion.chunk","created":1790000000,"model":"sonar","choices":["#
    static let roleChunk =
        head + #"{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"# + "\n\n"

    static func contentChunk(_ text: String) -> String {
        head + #"{"index":0,"delta":{"content":"# + quoted(text) + #"},"finish_reason":null}]}"# + "\n\n"
    }

    static let citations = #"["https://en.wikipedia.org/wiki/Paris","https://www.britannica.com/place/Paris"]"#
    static let searchResults =
        #"[{"title":"Paris - Wikipedia","url":"https://en.wikipedia.org/wiki/Paris","date":"2026-03-01","last_updated":"2026-03-02","snippet":"Paris is the capital and largest city of France.","source":"web","id":1},"#
        + #"{"title":"Paris | Britannica","url":"https://www.britannica.com/place/Paris","date":null,"last_updated":null,"snippet":"","source":"web","id":2}]"#
    static let chatUsage =
        #"{"prompt_tokens":9,"completion_tokens":14,"total_tokens":23,"reasoning_tokens":0,"num_search_queries":1,"cost":{"input_tokens_cost":0.000009,"output_tokens_cost":0.000014,"search_queries_cost":0.005,"total_cost":0.005023}}"#

    /// Chat usage for a run whose upstream reported none.
    static let zeroUsage =
        #"{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0,"reasoning_tokens":0,"num_search_queries":0}"#

    static func finishChunk(
        _ reason: String = "stop", citations: String = citations, searchResults: String = searchResults,
        usage: String? = chatUsage
    ) -> String {
        head + #"{"index":0,"delta":{},"finish_reason":""# + reason + #""}],"citations":"# + citations
            + #","search_results":"# + searchResults + (usage.map { #","usage":"# + $0 } ?? "") + "}\n\n"
    }

    static let done = "data: [DONE]\n\n"

    /// What a client receives for `canonical`.
    static let canonicalClient =
        roleChunk + deltas.map(contentChunk).joined() + finishChunk() + done
}
