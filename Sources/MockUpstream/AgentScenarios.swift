/// The Agent API behaviours the emulator can act out, chosen per request
/// (`X-Mock-Scenario: NAME` or `mock:NAME` in the body).
public enum AgentScenario: String, CaseIterable, Sendable {
    /// The live event order (agent-api.md §3): search, then the answer, then `response.completed`.
    case `default` = "default"
    /// `data:` lines only, no `event:` lines.
    case noEventLines = "no-event-lines"
    /// `\r\n` line endings.
    case crlf
    /// No deltas: the text is only in `output_text.done`, `output_item.done` and `response.completed`.
    case textOnlyTerminal = "text-only-terminal"
    /// Deltas stop halfway; the done events carry the full text.
    case partialDeltas = "partial-deltas"
    /// The done events carry a text that does not extend the deltas.
    case mismatchText = "mismatch-text"
    /// The same URLs from two searches, a fetch, and `url_citation` annotations.
    case dupSources = "dup-sources"
    /// Two searches with result ids 11–12, then 1–2.
    case multiSearch = "multi-search"
    /// Null optional fields, unknown events, `: ping` comments and a stray `data: [DONE]`.
    case nullFields = "null-fields"
    /// Irregular, larger `sequence_number` gaps.
    case seqGaps = "seq-gaps"
    /// The terminal event, then the connection stays open.
    case holdOpen = "hold-open"
    /// `response.failed` with a top-level `error`.
    case failed
    /// `response.failed` with `response.error`.
    case failedNested = "failed-nested"
    /// Some deltas, then `response.incomplete` (max_output_tokens).
    case incomplete
    /// `response.completed` whose `response.status` is `incomplete`.
    case completedIncomplete = "completed-incomplete"
    /// Some deltas, then `response.cancelled`.
    case cancelled
    /// Some deltas, then a bare `error` event.
    case errorEvent = "error-event"
    /// Deltas, then the body ends without a terminal event.
    case noTerminal = "no-terminal"
    /// The answer split over two message items.
    case multiMessage = "multi-message"
    /// An answer without any search (no sources, no search billing).
    case noSearch = "no-search"
    /// The default stream cut into 1–7-byte writes.
    case split
    /// 250 ms between events.
    case slow
    /// 200 text deltas.
    case long
    /// The head and one event, then silence.
    case stall
    /// No response at all.
    case noResponse = "no-response"
    /// Two events, then the connection drops.
    case drop
    /// The answer is the exact raw request body.
    case echo
    /// 400 `invalid_request`.
    case error400 = "error-400"
    /// 401 `invalid_api_key`.
    case error401 = "error-401"
    /// 429 with `Retry-After: 7` and `x-ratelimit-*`.
    case error429 = "error-429"
    /// 500.
    case error500 = "error-500"
}

extension AgentScenario {
    /// How many deltas a run that ends early streams: "The capital of France is Paris[1]."
    static let truncatedDeltaCount = 5

    /// The response to a validated request in this scenario.
    func response(to request: AgentRequest, ids: MockIdentifiers, eventDelayMs: Int) -> [MockStep] {
        switch self {
        case .error400: return UpstreamErrors.agentBadRequest.immediateSteps
        case .error401: return UpstreamErrors.agentUnauthorized.immediateSteps
        case .error429: return UpstreamErrors.agentRateLimited.immediateSteps
        case .error500: return UpstreamErrors.agentInternal.immediateSteps
        case .default, .noEventLines, .crlf, .textOnlyTerminal, .partialDeltas, .mismatchText, .dupSources, .multiSearch,
            .nullFields, .seqGaps, .holdOpen, .failed, .failedNested, .incomplete, .completedIncomplete, .cancelled,
            .errorEvent, .noTerminal, .multiMessage, .noSearch, .split, .slow, .long, .stall, .noResponse, .drop, .echo:
            return delivery.steps(for: answer(to: request, ids: ids), eventDelayMs: eventDelayMs)
        }
    }

    private func answer(to request: AgentRequest, ids: MockIdentifiers) -> ScriptedStream {
        let run = run(for: request)
        let headers = AgentHeaders.success(requestID: ids.responseUUID)
        guard request.stream else {
            return MockHTTP.json(status: 200, run.body(ids: ids).encoded(.goMap) + [UInt8(ascii: "\n")], extraHeaders: headers)
        }
        var writer = AgentEventWriter(framing: framing, extraGaps: self == .seqGaps ? [0, 3, 1, 7, 0, 12] : [])
        let frames = run.events(ids: ids, writer: &writer)
        return ScriptedStream(status: 200, headers: MockHTTP.eventStreamHeaders(headers), frames: frames, ending: ending)
    }

    private func run(for request: AgentRequest) -> AgentRun {
        var run = AgentRun(requestedModel: request.modelLabel, maxOutputTokens: request.maxOutputTokens)
        let canonical = CanonicalAnswer.deltas
        let truncated = Array(canonical.prefix(Self.truncatedDeltaCount))
        let truncatedTokens = CanonicalAnswer.tokensAfterDelta[Self.truncatedDeltaCount - 1]
        switch self {
        case .textOnlyTerminal: run.messages = [.init(deltas: [], doneText: CanonicalAnswer.text)]
        case .partialDeltas: run.messages = [.init(deltas: truncated, doneText: CanonicalAnswer.text)]
        case .mismatchText:
            run.messages = [.init(deltas: canonical, doneText: "Paris is the capital of France[1]. It lies on the Seine[2].")]
        case .dupSources:
            run.searches.append(.init(queries: ["Paris France capital city"], results: AgentScenarioData.repeatedSources))
            run.fetches = [.init(pages: [CanonicalAnswer.sources[0]])]
            run.messages = [.init(deltas: canonical, doneText: CanonicalAnswer.text, annotated: true)]
        case .multiSearch:
            run.searches.insert(.init(queries: ["Paris Seine river"], results: AgentScenarioData.otherSources), at: 0)
        case .nullFields: run.withNullFields = true
        case .failed, .failedNested, .incomplete, .cancelled, .errorEvent, .noTerminal:
            run.messages = [.init(deltas: truncated, doneText: nil)]
            run.outputTokens = truncatedTokens
            run.terminal = terminal
        case .completedIncomplete:
            run.messages = [.init(deltas: truncated, doneText: truncated.joined())]
            run.outputTokens = truncatedTokens
            run.terminal = .completedButIncomplete
        case .multiMessage:
            let rest = Array(canonical.dropFirst(Self.truncatedDeltaCount))
            run.messages = [.init(deltas: truncated, doneText: truncated.joined()), .init(deltas: rest, doneText: rest.joined())]
        case .noSearch:
            run.searches = []
            run.messages = [.init(deltas: AgentScenarioData.unsourcedDeltas, doneText: AgentScenarioData.unsourcedDeltas.joined())]
            run.outputTokens = AgentScenarioData.unsourcedTokens
        case .long:
            let deltas = (0..<200).map { "tok\($0) " }
            run.messages = [.init(deltas: deltas, doneText: deltas.joined())]
            run.outputTokens = deltas.count
        case .echo:
            let text = String(decoding: request.rawBody, as: UTF8.self)
            run.messages = [.init(deltas: [text], doneText: text)]
            run.outputTokens = 1
        case .default, .noEventLines, .crlf, .seqGaps, .holdOpen, .split, .slow, .stall, .noResponse, .drop, .error400,
            .error401, .error429, .error500:
            run.answer(request.content)
        }
        return run
    }

    private var terminal: AgentRun.Terminal {
        switch self {
        case .failed: .failed
        case .failedNested: .failedNested
        case .incomplete: .incomplete
        case .completedIncomplete: .completedButIncomplete
        case .cancelled: .cancelled
        case .errorEvent: .errorEvent
        case .noTerminal: .none
        case .default, .noEventLines, .crlf, .textOnlyTerminal, .partialDeltas, .mismatchText, .dupSources, .multiSearch,
            .nullFields, .seqGaps, .holdOpen, .multiMessage, .noSearch, .split, .slow, .long, .stall, .noResponse, .drop,
            .echo, .error400, .error401, .error429, .error500:
            .completed
        }
    }

    private var framing: AgentEventWriter.Framing {
        switch self {
        case .noEventLines: .dataOnly
        case .crlf: .namedEventsCRLF
        case .default, .textOnlyTerminal, .partialDeltas, .mismatchText, .dupSources, .multiSearch, .nullFields, .seqGaps,
            .holdOpen, .failed, .failedNested, .incomplete, .completedIncomplete, .cancelled, .errorEvent, .noTerminal,
            .multiMessage, .noSearch, .split, .slow, .long, .stall, .noResponse, .drop, .echo, .error400, .error401,
            .error429, .error500:
            .namedEvents
        }
    }

    private var ending: MockStep {
        switch self {
        case .holdOpen: .holdOpen
        case .default, .noEventLines, .crlf, .textOnlyTerminal, .partialDeltas, .mismatchText, .dupSources, .multiSearch,
            .nullFields, .seqGaps, .failed, .failedNested, .incomplete, .completedIncomplete, .cancelled, .errorEvent,
            .noTerminal, .multiMessage, .noSearch, .split, .slow, .long, .stall, .noResponse, .drop, .echo, .error400,
            .error401, .error429, .error500:
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
        case .default, .noEventLines, .crlf, .textOnlyTerminal, .partialDeltas, .mismatchText, .dupSources, .multiSearch,
            .nullFields, .seqGaps, .holdOpen, .failed, .failedNested, .incomplete, .completedIncomplete, .cancelled,
            .errorEvent, .noTerminal, .multiMessage, .noSearch, .long, .echo, .error400, .error401, .error429, .error500:
            .normal
        }
    }
}

/// Content only some agent scenarios use.
enum AgentScenarioData {
    /// The canonical pages again under new ids, as a second search reports them.
    static let repeatedSources = [CanonicalAnswer.sources[1].renumbered(3), CanonicalAnswer.sources[0].renumbered(4)]

    /// Results of an earlier search whose ids come after the cited ones.
    static let otherSources = [
        SearchSource(
            id: 11, title: "Paris - Official website", url: "https://www.paris.fr/", date: "2026-01-15",
            lastUpdated: "2026-03-01", snippet: "The official website of the City of Paris."),
        SearchSource(
            id: 12, title: "Seine - Wikipedia", url: "https://en.wikipedia.org/wiki/Seine", date: nil,
            lastUpdated: "2026-02-20", snippet: "The Seine is a river in northern France."),
    ]

    /// An answer given without searching, so without citation markers.
    static let unsourcedDeltas = ["The capital", " of France", " is Paris", ".", " It lies on", " the Seine", "."]
    /// Its completion tokens: the canonical answer's less the two citation markers.
    static let unsourcedTokens = CanonicalAnswer.completionTokens - 2
}
