/// The Agent API stream events `AgentStreamTranslator` acts on, told apart by the JSON `type` member.
///
/// Every other type (`response.reasoning.search_queries`, keep-alives, types added later) is ignored: the open set of events must not break a stream (perplexity-agent-api.md §5.4).
enum AgentEventKind {
    /// `response.created` or `response.in_progress`: the run's id and creation time.
    case started
    /// `response.output_text.delta`: the hot path.
    case textDelta
    /// `response.output_text.done`: a content part's full text.
    case textDone
    /// `response.output_item.added`: an output item starts; a client function call arrives whole in it.
    case outputItemAdded
    /// `response.output_item.done`: a whole output item (message, search results, fetch results, …).
    case outputItemDone
    /// `response.reasoning.search_results`: the earliest copy of a search's results.
    case searchResults
    /// `response.reasoning.fetch_url_results`: fetched pages, sources without ids.
    case fetchResults
    /// `response.completed`; its `response.status` still decides how the run ended.
    case completed
    /// `response.incomplete`.
    case incomplete
    /// `response.failed`.
    case failed
    /// `response.cancelled`.
    case cancelled
    /// A bare `error` event.
    case error

    /// The kind of the event whose `type` member is `type`, or nil for an event to ignore.
    init?(type: JSONSpan, in json: JSONScanner) {
        if json.stringEquals(type, "response.output_text.delta") {
            self = .textDelta
        } else if json.stringEquals(type, "response.reasoning.search_results") {
            self = .searchResults
        } else if json.stringEquals(type, "response.output_item.done") {
            self = .outputItemDone
        } else if json.stringEquals(type, "response.output_item.added") {
            self = .outputItemAdded
        } else if json.stringEquals(type, "response.output_text.done") {
            self = .textDone
        } else if json.stringEquals(type, "response.created") || json.stringEquals(type, "response.in_progress") {
            self = .started
        } else if json.stringEquals(type, "response.reasoning.fetch_url_results") {
            self = .fetchResults
        } else if json.stringEquals(type, "response.completed") {
            self = .completed
        } else if json.stringEquals(type, "response.incomplete") {
            self = .incomplete
        } else if json.stringEquals(type, "response.failed") {
            self = .failed
        } else if json.stringEquals(type, "response.cancelled") {
            self = .cancelled
        } else if json.stringEquals(type, "error") {
            self = .error
        } else {
            return nil
        }
    }

    /// Whether the event ends the run (and the client stream).
    var isTerminal: Bool {
        switch self {
        case .completed, .incomplete, .failed, .cancelled, .error: true
        case .started, .textDelta, .textDone, .outputItemAdded, .outputItemDone, .searchResults, .fetchResults: false
        }
    }
}
