import ProxyCore

/// What one Agent API run does — its searches, fetches, messages and how it ends — from which both the
/// event stream and the non-streamed body are rendered.
struct AgentRun {
    /// One web search.
    struct Search {
        var queries: [String]
        var results: [SearchSource]
    }

    /// One page fetch.
    struct Fetch {
        var pages: [SearchSource]
    }

    /// One assistant message.
    struct Message {
        /// The text deltas actually streamed.
        var deltas: [String]
        /// The text `output_text.done` and `output_item.done` report; `nil` when the run ends before them.
        var doneText: String?
        /// Whether `url_citation` annotations accompany the final text.
        var annotated = false

        /// The text the response object carries for this message.
        var finalText: String { doneText ?? deltas.joined() }
    }

    /// A call of one of the client's functions, which ends the run's turn.
    struct FunctionCall {
        var name: String
        /// JSON text.
        var arguments: String
    }

    /// How the stream ends.
    enum Terminal {
        /// `response.completed` whose `response.status` is `completed`.
        case completed
        /// `response.completed` whose `response.status` is `incomplete` (max_output_tokens).
        case completedButIncomplete
        /// `response.incomplete` (max_output_tokens).
        case incomplete
        /// `response.failed` with `error` at the top level (Perplexity's SDK shape).
        case failed
        /// `response.failed` with the error at `response.error` (OpenAI's shape).
        case failedNested
        /// `response.cancelled`.
        case cancelled
        /// A bare `error` event.
        case errorEvent
        /// Nothing: the body just ends.
        case none
    }

    var requestedModel: String
    var maxOutputTokens: WireJSON = .null
    var searches: [Search] = [Search(queries: [CanonicalAnswer.query], results: CanonicalAnswer.sources)]
    var fetches: [Fetch] = []
    var messages: [Message] = [Message(deltas: CanonicalAnswer.deltas, doneText: CanonicalAnswer.text)]
    /// Client function calls, after the messages.
    var functionCalls: [FunctionCall] = []
    var outputTokens = CanonicalAnswer.completionTokens
    var terminal = Terminal.completed
    /// Null-valued optional fields, unknown events, comments and a stray `[DONE]`, as tolerant clients must accept.
    var withNullFields = false

    /// The error a failed run reports.
    static let failure: WireJSON = [
        "code": "server_error", "message": "The model failed to generate a response.", "type": "server_error",
    ]
}

extension AgentRun {
    /// The stream's frames, in order.
    func events(ids: MockIdentifiers, writer: inout AgentEventWriter) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        let running = AgentResponseObject(
            id: ids.responseID, model: requestedModel, status: "in_progress", maxOutputTokens: maxOutputTokens)
        frames.append(writer.event("response.created", ["response": running.json]))
        frames.append(writer.event("response.in_progress", ["response": running.json]))
        if withNullFields { frames.append(writer.comment("ping")) }
        writer.skip()

        var index = 0
        for search in searches {
            frames += searchEvents(search, index: index, ids: ids, writer: &writer)
            index += 1
        }
        for fetch in fetches {
            frames += fetchEvents(fetch, index: index, ids: ids, writer: &writer)
            index += 1
        }
        for (position, message) in messages.enumerated() {
            frames += messageEvents(message, id: ids.messageID(position), index: index, writer: &writer)
            index += 1
        }
        for item in functionCallItems(ids: ids, firstIndex: index) {
            // A client function call arrives whole: added with its arguments, then done (§ "Additions" 7).
            frames.append(writer.event("response.output_item.added", ["item": item, "output_index": .int(index)]))
            frames.append(writer.event("response.output_item.done", ["item": item, "output_index": .int(index)]))
            index += 1
        }
        if let terminalFrame = terminalEvent(ids: ids, writer: &writer) { frames.append(terminalFrame) }
        if withNullFields { frames.append(writer.rawData("[DONE]")) }
        return frames
    }

    /// The non-streamed body: the response object as the terminal event would carry it.
    func body(ids: MockIdentifiers) -> WireJSON {
        finalResponse(ids: ids).json
    }

    private func searchEvents(_ search: Search, index: Int, ids: MockIdentifiers, writer: inout AgentEventWriter) -> [[UInt8]] {
        let callID = WireJSON.string(ids.callID(index))
        let thinking: WireJSON = withNullFields ? nil : "Searching the web..."
        var frames = [
            writer.event(
                "response.output_item.added",
                [
                    "item": AgentOutput.searchCall(id: ids.functionCallID(index), callID: ids.callID(index), queries: search.queries),
                    "output_index": .int(index),
                ]),
            writer.event(
                "response.reasoning.search_queries",
                ["call_id": callID, "queries": .array(search.queries.map(WireJSON.string)), "thought": thinking]),
        ]
        if withNullFields {
            frames.append(writer.event("response.reasoning.search_results", ["call_id": callID, "results": nil, "thought": nil]))
            frames.append(writer.event("response.reasoning.fetch_url_results", ["call_id": callID, "contents": nil, "thought": nil]))
        }
        frames.append(
            writer.event(
                "response.reasoning.search_results",
                [
                    "call_id": callID, "results": .array(search.results.map(AgentOutput.result)),
                    "thought": .string("Found \(search.results.count) results"),
                ]))
        frames.append(
            writer.event(
                "response.output_item.done",
                ["item": AgentOutput.searchResults(queries: search.queries, sources: search.results), "output_index": .int(index)]))
        return frames
    }

    private func fetchEvents(_ fetch: Fetch, index: Int, ids: MockIdentifiers, writer: inout AgentEventWriter) -> [[UInt8]] {
        let callID = WireJSON.string(ids.callID(index))
        let urls = fetch.pages.map(\.url)
        return [
            writer.event(
                "response.output_item.added",
                [
                    "item": AgentOutput.fetchCall(id: ids.functionCallID(index), callID: ids.callID(index), urls: urls),
                    "output_index": .int(index),
                ]),
            writer.event(
                "response.reasoning.fetch_url_queries",
                ["call_id": callID, "thought": "Reading pages...", "urls": .array(urls.map(WireJSON.string))]),
            writer.event(
                "response.reasoning.fetch_url_results",
                [
                    "call_id": callID, "contents": .array(fetch.pages.map(AgentOutput.fetchedPage)),
                    "thought": .string("Read \(fetch.pages.count) pages"),
                ]),
            writer.event("response.output_item.done", ["item": AgentOutput.fetchResults(fetch.pages), "output_index": .int(index)]),
        ]
    }

    private func messageEvents(_ message: Message, id: String, index: Int, writer: inout AgentEventWriter) -> [[UInt8]] {
        var frames = [
            writer.event("response.output_item.added", ["item": AgentOutput.message(id: id, content: nil), "output_index": .int(index)])
        ]
        let contentIndex: WireJSON = withNullFields ? nil : 0
        for (position, delta) in message.deltas.enumerated() {
            frames.append(
                writer.event(
                    "response.output_text.delta",
                    ["content_index": contentIndex, "delta": .string(delta), "item_id": .string(id), "output_index": .int(index)]))
            if withNullFields && position == 1 { frames.append(writer.event("response.keepalive", [:])) }
            if withNullFields && position == 3 { frames.append(writer.comment("ping")) }
        }
        guard let doneText = message.doneText else { return frames }
        writer.skip()
        let reportedText: WireJSON = withNullFields ? nil : .string(doneText)
        frames.append(
            writer.event(
                "response.output_text.done",
                ["content_index": contentIndex, "item_id": .string(id), "output_index": .int(index), "text": reportedText]))
        frames.append(
            writer.event("response.output_item.done", ["item": messageItem(message, id: id), "output_index": .int(index)]))
        return frames
    }

    /// The function-call items, ids numbered after the search and fetch calls.
    private func functionCallItems(ids: MockIdentifiers, firstIndex: Int) -> [WireJSON] {
        functionCalls.enumerated().map { offset, call in
            AgentOutput.functionCall(
                id: ids.functionCallID(firstIndex + offset), callID: ids.callID(firstIndex + offset), name: call.name,
                arguments: call.arguments)
        }
    }

    private func messageItem(_ message: Message, id: String) -> WireJSON {
        let text = message.finalText
        let annotations =
            message.annotated
            ? zip(CanonicalAnswer.sources, ["[1]", "[2]"]).compactMap { AgentOutput.citation(of: $0, marker: $1, in: text) }
            : []
        return AgentOutput.message(id: id, content: AgentOutput.textContent(text, annotations: annotations))
    }

    private func terminalEvent(ids: MockIdentifiers, writer: inout AgentEventWriter) -> [UInt8]? {
        let response: WireJSON = ["response": finalResponse(ids: ids).json]
        switch terminal {
        case .completed, .completedButIncomplete: return writer.event("response.completed", response)
        case .incomplete: return writer.event("response.incomplete", response)
        case .failed: return writer.event("response.failed", ["error": Self.failure])
        case .failedNested: return writer.event("response.failed", response)
        case .cancelled: return writer.event("response.cancelled", response)
        case .errorEvent: return writer.unsequencedEvent("error", ["error": ["message": "The model failed to generate a response."]])
        case .none: return nil
        }
    }

    /// The response object at the end of the run.
    private func finalResponse(ids: MockIdentifiers) -> AgentResponseObject {
        var output: [WireJSON] = searches.map { AgentOutput.searchResults(queries: $0.queries, sources: $0.results) }
        output += fetches.map { AgentOutput.fetchResults($0.pages) }
        output += messages.enumerated().map { messageItem($1, id: ids.messageID($0)) }
        output += functionCallItems(ids: ids, firstIndex: searches.count + fetches.count + messages.count)
        var response = AgentResponseObject(
            id: ids.responseID, model: AgentOutput.resolvedModel, status: "completed", output: output,
            usage: AgentOutput.usage(outputTokens: outputTokens, searches: searches.count),
            completedAt: CanonicalAnswer.createdEpoch + 2, serviceTier: "priority", maxOutputTokens: maxOutputTokens)
        let truncated: WireJSON = ["reason": "max_output_tokens"]
        switch terminal {
        case .completed, .none: break
        case .completedButIncomplete, .incomplete:
            response.status = "incomplete"
            response.incompleteDetails = truncated
        case .failed, .failedNested, .errorEvent:
            response.status = "failed"
            response.completedAt = nil
            response.error = Self.failure
        case .cancelled:
            // A cancelled run never resolves its preset (live: "model":"medium").
            response.model = requestedModel
            response.status = "cancelled"
            response.completedAt = nil
            response.error = ["code": "cancelled", "message": "cancelled", "type": "cancelled"]
            response.incompleteDetails = ["reason": "cancelled"]
        }
        return response
    }
}

extension AgentRun {
    /// Shapes the answer by what the request asks for: a call of a client function when one is forced or named,
    /// an answer from a function's result when that is the last turn, and JSON that fits the `response_format`
    /// schema (for `json_object`, a schema the prompt embeds) when the answer must be JSON.
    mutating func answer(_ content: AgentRequestContent) {
        if let function = content.functionToCall {
            searches = []
            messages = []
            functionCalls = [FunctionCall(name: function.name, arguments: SchemaSample.text(for: function.parameters))]
            outputTokens = 12
            return
        }
        var text: String?
        if case .functionOutput(let output) = content.lastTurn {
            text = "The tool returned: \(output)."
        }
        if let schema = content.responseSchema {
            let wanted = schema["properties"] == nil ? SchemaSample.embeddedSchema(in: content.allText) : schema
            let anyObject = JSONValue.object(["answer": .string(text ?? CanonicalAnswer.text)])
            text = wanted.map(SchemaSample.text) ?? String(decoding: anyObject.serialized, as: UTF8.self)
        }
        guard let text else { return }
        let deltas = Self.pieces(of: text)
        messages = [Message(deltas: deltas, doneText: text)]
        outputTokens = deltas.count
    }

    /// `text` in about eight pieces, cut on character boundaries, as a model streams it.
    static func pieces(of text: String) -> [String] {
        let characters = Array(text)
        let size = max(1, (characters.count + 7) / 8)
        return stride(from: 0, to: characters.count, by: size).map { String(characters[$0..<min($0 + size, characters.count)]) }
    }
}
