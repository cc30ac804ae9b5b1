/// Translates an Agent API event stream (`POST /v1/agent`, `stream: true`) into a chat-completions SSE stream.
///
/// - A role-only chunk goes out as soon as `response.created` arrives, so the client gets its first byte while
///   the run is still searching. `id` is the run's `resp_…` id and `created` its `created_at`; `model` is always
///   the id the client asked for (the upstream's changes from preset name to resolved model, §5.7).
/// - Each `response.output_text.delta` becomes one content chunk in the same `consume` call, its JSON string
///   literal copied verbatim (scanned with `JSONScanner`, no tree, no decoding).
/// - The full-text copies (`output_text.done`, `output_item.done`, the terminal `output`) add only text the
///   deltas missed (`AgentTextTracker`, §5.1–5.2). Sources from every event are merged by URL
///   (`AgentSourceCollector`, §5.3). The internal `search_web` function call is never surfaced (§5.6).
/// - A `function_call` item calling one of the client's functions (`FunctionCallPolicy`) becomes one chunk with a
///   whole `delta.tool_calls` entry the first time it appears whole (`output_item.added`, else `.done`, else the
///   terminal `output`), and the finish reason becomes `tool_calls`.
/// - The event type is read from the JSON `type`; `event:` lines, comments, blank data, `[DONE]`, non-JSON
///   keep-alives and unknown types are ignored; sequence-number gaps are normal, but a repeated or decreasing
///   number marks a replayed event, which is skipped (§5.8).
/// - A terminal event ends the client stream without waiting for EOF (§5.9): a completed run gets the finish
///   chunk with `citations`, `search_results` and `usage` (which moves to the `include_usage` chunk when the client
///   asked for one, as OpenAI places it), and `[DONE]`;
///   a failed or cancelled run, an `error` event, or EOF before any terminal gets an `event: error` frame.
public struct AgentStreamTranslator: StreamTranslator {
    private let clientModel: String
    private let includeUsage: Bool
    private let fallbackID: String
    private let fallbackCreated: Int
    private let functionCalls: FunctionCallPolicy
    /// Sonar's shape (`stream.metadata: sonar`): no role-only chunk ahead of the search, and the sources known so
    /// far on every content chunk.
    private let sonarShape: Bool

    private var parser = ServerSentEventParser()
    /// Created when the run starts (or, if `response.created` never came, at the first output).
    private var encoder: ChatChunkEncoder?
    private var text = AgentTextTracker()
    private var sources = AgentSourceCollector()
    /// Queries listed by the `search_results` items of `output_item.done` events, for `num_search_queries` when
    /// the terminal event carries no output.
    private var itemSearchQueries: Int?
    private var lastSequenceNumber: Int?
    private var finished = false
    /// The client function calls surfaced so far.
    private var toolCalls: [ClientToolCall] = []

    /// Final usage, once a terminal event reported it.
    public private(set) var usage: StreamUsage?
    /// The run's `resp_…` id, once an event carried it (for cancelling an abandoned run).
    public private(set) var upstreamResponseID: String?
    /// Content chunks sent so far.
    public var chunksEmitted: Int { encoder?.contentChunks ?? 0 }

    /// A translator for one client stream. `fallbackID` and `created` are used until (and unless)
    /// `response.created` supplies the run's own.
    public init(
        clientModel: String, includeUsage: Bool, fallbackID: String, created: Int,
        functionCalls: FunctionCallPolicy = FunctionCallPolicy(names: [], parallel: true), sonarShape: Bool = false
    ) {
        self.clientModel = clientModel
        self.includeUsage = includeUsage
        self.fallbackID = fallbackID
        self.fallbackCreated = created
        self.functionCalls = functionCalls
        self.sonarShape = sonarShape
    }

    /// Feeds upstream bytes; appends the client frames of every event they complete.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer, into output: inout [UInt8]) -> StreamStep {
        guard !finished else { return .finished }
        parser.append(bytes)
        while !finished, let event = parser.next() {
            handle(event, into: &output)
        }
        if !finished && parser.overflowed {
            fail(
                AgentRunOutcome.upstreamError(
                    "upstream_invalid_response", "The upstream sent a stream event larger than the proxy accepts."),
                usage: nil, into: &output)
        }
        return finished ? .finished : .more
    }

    /// EOF: an event left without its blank line still counts; with no terminal event the stream is an error.
    public mutating func upstreamEnded(into output: inout [UInt8]) {
        while !finished, let event = parser.finish() {
            handle(event, into: &output)
        }
        guard !finished else { return }
        fail(
            AgentRunOutcome.upstreamError(
                "upstream_stream_truncated", "The upstream stream ended before the run finished."),
            usage: nil, into: &output)
    }

    /// The transfer failed: appends `error`'s frame unless the client stream has already ended.
    public mutating func upstreamFailed(_ error: OpenAIError, into output: inout [UInt8]) {
        guard !finished else { return }
        fail(error, usage: nil, into: &output)
    }

    /// Acts on one upstream event. Text deltas, the run's start and text copies are handled on the scanned bytes;
    /// the rarer events are parsed.
    private mutating func handle(_ event: ServerSentEvent, into output: inout [UInt8]) {
        let kind: AgentEventKind? = event.data.withUnsafeBytes { raw in
            guard UTF8Validation.isValid(raw) else {
                fail(
                    AgentRunOutcome.upstreamError("upstream_invalid_response", "The upstream sent an event that is not valid UTF-8."),
                    usage: nil, into: &output)
                return nil
            }
            let json = JSONScanner(raw)
            guard let fields = AgentEventFields(json) else {
                // Keep-alive text (`data: ping`) and a stray `[DONE]` are not events; a payload that starts like
                // JSON but does not parse is a broken event whose text would be lost.
                if !event.isDoneSentinel, Self.looksLikeJSON(raw) {
                    fail(
                        AgentRunOutcome.upstreamError("upstream_invalid_response", "The upstream sent an event that is not valid JSON."),
                        usage: nil, into: &output)
                }
                return nil
            }
            guard let type = fields.type, let kind = AgentEventKind(type: type, in: json), isFresh(json.int(fields.sequenceNumber), kind)
            else { return nil }
            switch kind {
            case .textDelta:
                sendDelta(fields, of: json, into: &output)
            case .started:
                // Two per run, each with the whole response object: only its id and creation time are needed.
                let response = json.member("response", of: json.root())
                start(
                    id: json.string(json.member("id", of: response)),
                    created: json.int(json.member("created_at", of: response)), into: &output)
            case .textDone:
                recover(
                    itemID: json.string(fields.itemID), outputIndex: json.int(fields.outputIndex),
                    contentIndex: json.int(fields.contentIndex) ?? 0,
                    text: json.string(json.member("text", of: json.root())), into: &output)
            case .outputItemAdded:
                // Only a client that declared functions can receive a call; otherwise the item is Perplexity's own.
                return functionCalls.names.isEmpty ? nil : kind
            case .outputItemDone, .searchResults, .fetchResults, .completed, .incomplete, .failed, .cancelled, .error:
                return kind
            }
            return nil
        }
        guard let kind, let value = try? JSONValue.parse(event.data) else { return }
        handle(kind, value, into: &output)
    }

    /// Whether an event's data starts (after whitespace) as a JSON object or array would.
    private static func looksLikeJSON(_ raw: UnsafeRawBufferPointer) -> Bool {
        guard let first = raw.first(where: { !JSONSyntax.isWhitespace($0) }) else { return false }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }

    /// Whether an event is new: a sequence number at or below the last one marks a replay, skipped unless it is
    /// a terminal event (ending the stream beats a stream that never ends). Gaps are normal (§5.8).
    private mutating func isFresh(_ sequenceNumber: Int?, _ kind: AgentEventKind) -> Bool {
        guard let sequenceNumber else { return true }
        if let last = lastSequenceNumber, sequenceNumber <= last {
            return kind.isTerminal
        }
        lastSequenceNumber = sequenceNumber
        return true
    }

    /// Forwards a text delta as one content chunk, copying its JSON string literal verbatim.
    private mutating func sendDelta(_ fields: AgentEventFields, of json: JSONScanner, into output: inout [UInt8]) {
        guard let delta = fields.delta, delta.kind == .string, !json.isEmptyString(delta) else { return }
        start(id: nil, created: nil, into: &output)
        let literal = json.rawBytes(delta)
        text.recordDelta(
            itemIDLiteral: fields.itemID.flatMap { $0.kind == .string ? json.rawBytes($0) : nil },
            outputIndex: json.int(fields.outputIndex), contentIndex: json.int(fields.contentIndex) ?? 0,
            textLiteral: literal)
        encoder?.appendContent(jsonStringLiteral: literal, into: &output)
    }

    private mutating func handle(_ kind: AgentEventKind, _ event: JSONValue, into output: inout [UInt8]) {
        let response = nonNull(event["response"])
        switch kind {
        case .textDelta, .started, .textDone:
            break  // handled on the scanned bytes
        case .outputItemAdded:
            if let item = nonNull(event["item"]), !ClientToolCall.isUnfinished(item) { surfaceCall(item, into: &output) }
        case .outputItemDone:
            if let item = nonNull(event["item"]) {
                absorb(item, outputIndex: event["output_index"]?.intValue, into: &output)
                refreshSonarMetadata()
                if let queries = AgentUsageMapper.searchQueries(in: [item]) {
                    itemSearchQueries = (itemSearchQueries ?? 0) + queries
                }
            }
        case .searchResults:
            sources.add(results: event["results"])
            refreshSonarMetadata()
        case .fetchResults:
            sources.add(results: event["contents"])
            refreshSonarMetadata()
        case .completed:
            absorbFinal(response, into: &output)
            end(AgentRunOutcome.of(response: response), response: response, into: &output)
        case .incomplete:
            absorbFinal(response, into: &output)
            let reason = AgentRunOutcome.incompleteReason(response?["incomplete_details"])
            end(.finished(reason: reason), response: response, into: &output)
        case .failed:
            let error = nonNull(event["error"]) ?? response?["error"]
            end(.failed(AgentRunOutcome.failure(error)), response: response, into: &output)
        case .cancelled:
            let error = nonNull(event["error"]) ?? response?["error"]
            end(.failed(AgentRunOutcome.cancellation(error)), response: response, into: &output)
        case .error:
            // `{type:"error", error:{message}}` or `{type:"error", message}`; the event's own `type` is no code.
            var bare = event.objectValue ?? [:]
            bare["type"] = nil
            end(
                .failed(AgentRunOutcome.failure(nonNull(event["error"]) ?? .object(bare))), response: nil, into: &output
            )
        }
    }

    /// Opens the client stream once: fixes id and created and writes the role-only chunk.
    private mutating func start(id: String?, created: Int?, into output: inout [UInt8]) {
        if upstreamResponseID == nil { upstreamResponseID = id }
        guard encoder == nil else { return }
        var opened = ChatChunkEncoder(id: id ?? fallbackID, created: created ?? fallbackCreated, model: clientModel)
        // Sonar's first chunk is the first content, carrying the role (and, once searched, the sources).
        if !sonarShape { opened.appendRoleIfNeeded(into: &output) }
        encoder = opened
        refreshSonarMetadata()
    }

    /// In Sonar's shape, makes every following chunk carry the sources known now.
    private mutating func refreshSonarMetadata() {
        guard sonarShape else { return }
        encoder?.chunkMetadata = ChatChunkEncoder.sonarMetadata(
            citations: sources.citationsJSON, searchResults: sources.searchResultsJSON)
    }

    /// Takes what a whole output item carries: a message's text not yet sent, a client function call, or sources.
    private mutating func absorb(_ item: JSONValue, outputIndex: Int?, into output: inout [UInt8]) {
        if item["type"]?.stringValue == "function_call" { return surfaceCall(item, into: &output) }
        guard item["type"]?.stringValue == "message" else {
            sources.add(outputItem: item)
            return
        }
        for (contentIndex, part) in (item["content"]?.arrayValue ?? []).enumerated() {
            guard part["type"]?.stringValue ?? "output_text" == "output_text" else { continue }
            recover(
                itemID: item["id"]?.stringValue, outputIndex: outputIndex, contentIndex: contentIndex,
                text: part["text"]?.stringValue, into: &output)
        }
    }

    /// Takes what the terminal response's `output` carries, each item at its position as its output index.
    private mutating func absorbFinal(_ response: JSONValue?, into output: inout [UInt8]) {
        if upstreamResponseID == nil { upstreamResponseID = response?["id"]?.stringValue }
        for (outputIndex, item) in (response?["output"]?.arrayValue ?? []).enumerated() {
            absorb(item, outputIndex: outputIndex, into: &output)
        }
    }

    /// Sends a client function call as a `tool_calls` chunk, once, if the policy lets the client see it.
    private mutating func surfaceCall(_ item: JSONValue, into output: inout [UInt8]) {
        guard let call = ClientToolCall(item: item), !toolCalls.contains(where: { $0.id == call.id }),
            functionCalls.surfaces(call.name, after: toolCalls.count)
        else { return }
        start(id: nil, created: nil, into: &output)
        encoder?.appendToolCall(call, index: toolCalls.count, into: &output)
        toolCalls.append(call)
    }

    /// Sends the part of a content part's full text that no delta carried.
    private mutating func recover(
        itemID: String?, outputIndex: Int?, contentIndex: Int, text finalText: String?, into output: inout [UInt8]
    ) {
        guard let finalText,
            let missing = text.missingText(
                itemID: itemID, outputIndex: outputIndex, contentIndex: contentIndex, finalText: finalText)
        else { return }
        start(id: nil, created: nil, into: &output)
        encoder?.appendContent(missing, into: &output)
    }

    /// Ends the client stream for a terminal event.
    private mutating func end(_ outcome: AgentRunOutcome, response: JSONValue?, into output: inout [UInt8]) {
        let queries = AgentUsageMapper.searchQueries(in: response?["output"]?.arrayValue ?? []) ?? itemSearchQueries
        let mapped = AgentUsageMapper.map(response?["usage"], searchQueries: queries)
        switch outcome {
        case .finished(let reason):
            usage = mapped.ledger
            start(id: nil, created: nil, into: &output)
            encoder?.appendFinish(
                reason: reason == "stop" && !toolCalls.isEmpty ? "tool_calls" : reason, citations: sources.citationsJSON,
                searchResults: sources.searchResultsJSON,
                usage: includeUsage ? nil : mapped.json, extras: [], into: &output)
            if includeUsage { encoder?.appendUsageChunk(usage: mapped.json, into: &output) }
            ChatChunkEncoder.appendDone(into: &output)
            finished = true
        case .failed(let error):
            fail(error, usage: mapped.ledger, into: &output)
        }
    }

    /// Ends the client stream with an `event: error` frame; `usage` is what the failed run still reported.
    private mutating func fail(_ error: OpenAIError, usage: StreamUsage?, into output: inout [UInt8]) {
        var error = error
        // Upstream run-failure text (scrubbed of the key where it entered) reaches the client, never unbounded.
        error.message = UpstreamErrorMapper.clip(error.message)
        self.usage = usage
        failure = error
        output.append(contentsOf: error.sseFrame)
        finished = true
    }

    /// The error the stream ended with, if any.
    public private(set) var failure: OpenAIError?

    private func nonNull(_ value: JSONValue?) -> JSONValue? {
        value.flatMap { $0.isNull ? nil : $0 }
    }
}
