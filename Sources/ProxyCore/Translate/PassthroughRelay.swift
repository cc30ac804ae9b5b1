/// Relays an upstream stream unchanged, released event by event: bytes are held only while the event they belong
/// to is incomplete, so the client never sees half an event and every event reaches it in the same turn its last
/// byte arrived. Used for chat mode's `stream.metadata = "passthrough"` and for the Agent API pass-through
/// (`/v1/responses`, `/v1/agent`).
///
/// The one event a relay may hold back is a chat upstream's `include_usage` chunk (`"choices": []`): the proxy
/// always asks for it, so that budgets see usage, and hides it from a client that did not.
///
/// The events are also scanned (not altered) for the usage ledger, the chunk counter, the end of the stream
/// (`[DONE]`, or an Agent API terminal event: the upstream may keep its socket open after it) and the Agent run id.
/// A body that ends before its terminal (chat: a `finish_reason` or `[DONE]`; Agent API: a terminal event) was cut
/// short: the client gets the proxy's error frame after the events that did arrive.
public struct PassthroughRelay: StreamTranslator {
    /// The wire format being relayed.
    public enum Wire: Sendable {
        /// Chat completions: ends at `data: [DONE]`.
        case chatCompletions
        /// The Agent API: ends at its terminal event.
        case agent
    }

    private let wire: Wire
    /// Whether a chat `choices: []` usage chunk is dropped instead of relayed.
    private let hidesUsageChunk: Bool
    private var parser = ServerSentEventParser()
    /// Received bytes not yet released: everything after the end of the last complete event.
    private var held: [UInt8] = []
    /// Stream offset of `held[0]`.
    private var heldOffset = 0
    /// The data of the last chat event carrying a `usage` object, parsed only when `usage` is read: relaying must
    /// not pay a JSON scan per event for a figure needed once, at the end.
    private var lastUsageEvent: [UInt8] = []
    private var agentUsage: StreamUsage?
    /// A chat event carried a non-empty `finish_reason`: EOF after it ends the stream cleanly (legacy streams
    /// send no `[DONE]`).
    private var sawFinishReason = false
    private var finished = false

    /// Events carrying non-empty `delta.content` relayed so far.
    public private(set) var chunksEmitted = 0

    /// A relay for one upstream response body; `hidesUsageChunk` drops a chat `choices: []` usage chunk the
    /// client did not ask for (its usage still counts).
    public init(wire: Wire = .chatCompletions, hidesUsageChunk: Bool = false) {
        self.wire = wire
        self.hidesUsageChunk = hidesUsageChunk
    }

    /// The last cumulative usage the upstream reported.
    public var usage: StreamUsage? {
        if let agentUsage { return agentUsage }
        guard !lastUsageEvent.isEmpty else { return nil }
        return lastUsageEvent.withUnsafeBytes { StreamUsage(usageMemberOf: $0) }
    }

    /// The Agent run's id (`resp_…`) once `response.created` passed; nil for chat completions.
    public private(set) var upstreamResponseID: String?

    /// Feeds upstream bytes; appends the bytes of every event they complete. Finishes after `data: [DONE]`.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer, into output: inout [UInt8]) -> StreamStep {
        guard !finished else { return .finished }
        held.append(contentsOf: bytes)
        parser.append(bytes)
        while !finished, let event = parser.next() {
            if hidesUsageChunk, event.data.withUnsafeBytes(RawJSONProbe.choicesAreEmpty) {
                discard(upTo: event.endOffset)
            } else {
                release(upTo: event.endOffset, into: &output)
            }
            inspect(event)
        }
        if !finished, parser.overflowed {
            upstreamFailed(
                ClientErrors.streamError(
                    code: "upstream_invalid_response", message: "The upstream sent an event larger than \(parser.maxEventBytes) bytes."),
                into: &output)
        }
        return finished ? .finished : .more
    }

    /// EOF: a terminated stream releases whatever is still held, even an event left without its blank line;
    /// one that never reached its terminal ends with an error frame instead of the partial event.
    public mutating func upstreamEnded(into output: inout [UInt8]) {
        guard !finished else { return }
        while !finished, let event = parser.finish() {
            inspect(event)
        }
        guard finished || sawFinishReason else {
            upstreamFailed(
                ClientErrors.streamError(
                    code: "upstream_stream_truncated",
                    message: "The upstream stream ended before its terminal event: the answer is incomplete."),
                into: &output)
            return
        }
        finished = true
        output.append(contentsOf: held)
        held = []
    }

    /// Drops the held partial event (it would corrupt the frame that follows) and appends `error`'s frame.
    public mutating func upstreamFailed(_ error: OpenAIError, into output: inout [UInt8]) {
        guard !finished else { return }
        finished = true
        failure = error
        held = []
        output.append(contentsOf: wire == .agent ? error.agentSSEFrame : error.sseFrame)
    }

    /// Why the stream failed, if it did: the proxy's own error frame, or an upstream error event (relayed as it
    /// came, scrubbed) that makes the request count as failed.
    public private(set) var failure: OpenAIError?

    private mutating func release(upTo endOffset: Int, into output: inout [UInt8]) {
        output.append(contentsOf: held[0..<(endOffset - heldOffset)])
        discard(upTo: endOffset)
    }

    /// Forgets the held bytes up to `endOffset` without relaying them.
    private mutating func discard(upTo endOffset: Int) {
        held.removeFirst(endOffset - heldOffset)
        heldOffset = endOffset
    }

    private mutating func inspect(_ event: ServerSentEvent) {
        if event.isDoneSentinel {
            finished = true
            return
        }
        if event.name == "error", failure == nil {
            failure = ClientErrors.streamError(code: "upstream_stream_error", message: "The upstream reported an error mid-stream.")
        }
        if wire == .agent {
            inspectAgentEvent(event)
            return
        }
        event.data.withUnsafeBytes { raw in
            if RawJSONProbe.memberStartsObject("\"usage\"", in: raw) {
                lastUsageEvent.removeAll(keepingCapacity: true)
                lastUsageEvent.append(contentsOf: raw)
            }
            if RawJSONProbe.deltaHasContent(raw) {
                chunksEmitted += 1
            }
            if !sawFinishReason, RawJSONProbe.finishReasonIsSet(raw) {
                sawFinishReason = true
            }
            if failure == nil, RawJSONProbe.memberStartsObject("\"error\"", in: raw) {
                failure = ClientErrors.streamError(code: "upstream_stream_error", message: "The upstream reported an error mid-stream.")
            }
        }
    }

    private mutating func inspectAgentEvent(_ event: ServerSentEvent) {
        event.data.withUnsafeBytes { raw in
            let json = JSONScanner(raw)
            guard let root = json.root(), let type = json.member("type", of: root),
                let kind = AgentEventKind(type: type, in: json)
            else { return }
            switch kind {
            case .started:
                if upstreamResponseID == nil {
                    upstreamResponseID = json.string(json.member("id", of: json.member("response", of: root)))
                }
            case .textDelta:
                chunksEmitted += 1
            case .textDone, .outputItemAdded, .outputItemDone, .searchResults, .fetchResults:
                break
            case .completed, .incomplete, .failed, .cancelled, .error:
                let event = try? JSONValue.parse(raw)
                let response = event?["response"]
                agentUsage = AgentUsageMapper.map(response?["usage"], searchQueries: nil).ledger
                // The run's own failure is relayed as it came; the request still counts as failed.
                if kind == .failed || kind == .cancelled || kind == .error {
                    let error = event?["error"].flatMap { $0.isNull ? nil : $0 } ?? response?["error"]
                    failure = kind == .cancelled ? AgentRunOutcome.cancellation(error) : AgentRunOutcome.failure(error)
                }
                finished = true
            }
        }
    }
}
