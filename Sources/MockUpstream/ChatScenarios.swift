/// The Sonar chat-completions behaviours the emulator can act out, chosen per request
/// (`X-Mock-Scenario: NAME` or `mock:NAME` in the body).
public enum ChatScenario: String, CaseIterable, Sendable {
    /// The 2026 stream (wire §10.1) ending in `chat.completion.done` and `[DONE]`.
    case `default` = "default"
    /// The 2024–2025 stream (wire §10.2): `chat.completion` chunks, cumulative `message`, no `[DONE]`.
    case legacy
    /// The 2026 stream without `[DONE]`.
    case noDone = "no-done"
    /// `delta.role` on the first chunk only.
    case roleFirstOnly = "role-first-only"
    /// No finish chunk, no `[DONE]`: the body just ends.
    case noFinish = "no-finish"
    /// `finish_reason: ""` on the final chunk.
    case emptyFinish = "empty-finish"
    /// The 2026 stream without `[DONE]`, then the connection stays open.
    case holdOpen = "hold-open"
    /// `[DONE]`, then the connection stays open.
    case doneHoldOpen = "done-hold-open"
    /// `stream_mode: "concise"` (wire §10.4).
    case concise
    /// `<think>…</think>` inline in the content, the tags split across deltas.
    case reasoning
    /// The default stream cut into 1–7-byte writes.
    case split
    /// 250 ms between events.
    case slow
    /// 200 content deltas.
    case long
    /// `MockFlood.events` large deltas as fast as the socket takes them (backpressure tests).
    case flood
    /// The head and one event, then silence.
    case stall
    /// No response at all.
    case noResponse = "no-response"
    /// Two events, then the connection drops.
    case drop
    /// `citations` and `search_results` only on the final chunk.
    case metadataOnce = "metadata-once"
    /// 400 `invalid_model`.
    case error400 = "error-400"
    /// 401 HTML page.
    case error401 = "error-401"
    /// 422 FastAPI `detail`.
    case error422 = "error-422"
    /// 429 with `Retry-After: 7`.
    case error429 = "error-429"
    /// 500.
    case error500 = "error-500"
    /// 503.
    case error503 = "error-503"
    /// The retirement 403, variant 1 (integer code).
    case retired403 = "retired-403"
    /// The retirement 403, variant 2 (string code).
    case retired403b = "retired-403b"
    /// The answer is the exact raw request body, as one delta.
    case echo
}

extension ChatScenario {
    /// Why the think prefix is split where it is: clients that look for `<think>` per delta must buffer.
    static let thinkDeltas = ["<th", "ink>\nLooking up", " sources.\n</th", "ink>\n\n"]

    /// The response to `request` in this scenario; errors ignore the request.
    func response(to request: SonarRequest, ids: MockIdentifiers, eventDelayMs: Int) -> [MockStep] {
        switch self {
        case .error400: return UpstreamErrors.sonarInvalidModel(request.model).immediateSteps
        case .error401: return UpstreamErrors.sonarUnauthorized.immediateSteps
        case .error422:
            return UpstreamErrors.sonarValidation(
                location: ["body", "max_tokens"], message: "value is not a valid integer", type: "type_error.integer"
            ).immediateSteps
        case .error429: return UpstreamErrors.sonarRateLimited.immediateSteps
        case .error500: return UpstreamErrors.sonarInternal.immediateSteps
        case .error503: return UpstreamErrors.sonarUnavailable.immediateSteps
        case .retired403: return UpstreamErrors.retiredChatCompletions.immediateSteps
        case .retired403b: return UpstreamErrors.retiredMigrationRequired.immediateSteps
        case .default, .legacy, .noDone, .roleFirstOnly, .noFinish, .emptyFinish, .holdOpen, .doneHoldOpen, .concise,
            .reasoning, .split, .slow, .long, .flood, .stall, .noResponse, .drop, .metadataOnce, .echo:
            return delivery.steps(for: answer(to: request, ids: ids), eventDelayMs: eventDelayMs)
        }
    }

    private func answer(to request: SonarRequest, ids: MockIdentifiers) -> ScriptedStream {
        let chunks = SonarChunks(id: ids.completionID, model: request.model, era: shape.era)
        let deltas = deltas(echoing: request.rawBody)
        let tokens = tokens(for: deltas)
        let reasoningDeltas = self == .reasoning ? Self.thinkDeltas.count : 0
        guard request.stream else {
            let body = chunks.body(
                text: deltas.joined(), completionTokens: tokens.last ?? 0,
                reasoningTokens: reasoningDeltas > 0 ? reasoningDeltas : nil, finishReason: shape.finishReason)
            return MockHTTP.json(status: 200, chunks.encoded(body))
        }
        let frames =
            self == .concise
            ? chunks.conciseStream(deltas: deltas, tokens: tokens)
            : chunks.stream(deltas: deltas, tokens: tokens, reasoningDeltas: reasoningDeltas, shape: shape(for: request))
        return ScriptedStream(status: 200, headers: MockHTTP.eventStreamHeaders(), frames: frames, ending: ending)
    }

    private func deltas(echoing body: [UInt8]) -> [String] {
        switch self {
        case .reasoning: Self.thinkDeltas + CanonicalAnswer.deltas
        case .long: (0..<200).map { "tok\($0) " }
        case .flood: MockFlood.deltas
        case .echo: [String(decoding: body, as: UTF8.self)]
        case .default, .legacy, .noDone, .roleFirstOnly, .noFinish, .emptyFinish, .holdOpen, .doneHoldOpen, .concise,
            .split, .slow, .stall, .noResponse, .drop, .metadataOnce, .error400, .error401, .error422, .error429,
            .error500, .error503, .retired403, .retired403b:
            CanonicalAnswer.deltas
        }
    }

    /// Cumulative completion tokens per delta; the think deltas count one token each before the answer's.
    private func tokens(for deltas: [String]) -> [Int] {
        guard self == .reasoning else { return CanonicalAnswer.cumulativeTokens(for: deltas) }
        let think = Self.thinkDeltas.count
        return Array(1...think) + CanonicalAnswer.tokensAfterDelta.map { $0 + think }
    }

    private func shape(for request: SonarRequest) -> SonarStreamShape {
        var shape = self.shape
        shape.usageChunk = request.includeUsage
        return shape
    }

    private var shape: SonarStreamShape {
        var shape = SonarStreamShape()
        switch self {
        case .legacy:
            shape.era = .legacy
            shape.sendsDoneMarker = false
        case .noDone, .holdOpen: shape.sendsDoneMarker = false
        case .roleFirstOnly: shape.roleOnEveryChunk = false
        case .noFinish:
            shape.finishReason = nil
            shape.sendsDoneMarker = false
        case .emptyFinish: shape.finishReason = ""
        case .metadataOnce: shape.metadataOnEveryChunk = false
        case .default, .doneHoldOpen, .concise, .reasoning, .split, .slow, .long, .flood, .stall, .noResponse, .drop, .error400,
            .error401, .error422, .error429, .error500, .error503, .retired403, .retired403b, .echo:
            break
        }
        return shape
    }

    private var ending: MockStep {
        switch self {
        case .holdOpen, .doneHoldOpen: .holdOpen
        case .default, .legacy, .noDone, .roleFirstOnly, .noFinish, .emptyFinish, .concise, .reasoning, .split, .slow,
            .long, .flood, .stall, .noResponse, .drop, .metadataOnce, .error400, .error401, .error422, .error429, .error500,
            .error503, .retired403, .retired403b, .echo:
            .end
        }
    }

    private var delivery: Delivery {
        switch self {
        case .split: .fragmented
        case .slow: .slow
        case .stall: .stall
        case .drop: .drop
        case .noResponse: .silence
        case .default, .legacy, .noDone, .roleFirstOnly, .noFinish, .emptyFinish, .holdOpen, .doneHoldOpen, .concise,
            .reasoning, .long, .flood, .metadataOnce, .error400, .error401, .error422, .error429, .error500, .error503,
            .retired403, .retired403b, .echo:
            .normal
        }
    }
}
