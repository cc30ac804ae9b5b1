/// How an Agent API run ended, as a chat-completions client sees it: a finish reason or an error.
///
/// Failures arrive inside an HTTP 200 (a stream event, or a non-streaming body's `status`), so they are mapped
/// here rather than by `UpstreamErrorMapper`: 502 `upstream_error`, the upstream's code when it gives a string
/// one, its message when it gives one.
enum AgentRunOutcome: Equatable {
    /// The run produced an answer; `reason` is `stop` or `length`.
    case finished(reason: String)
    /// The run failed or was cancelled.
    case failed(OpenAIError)

    /// The outcome a final response object reports through its `status`, an open set: `completed` (and any
    /// status this proxy does not know) is a normal stop.
    static func of(response: JSONValue?) -> AgentRunOutcome {
        switch response?["status"]?.stringValue {
        case "incomplete"?: .finished(reason: incompleteReason(response?["incomplete_details"]))
        case "failed"?: .failed(failure(response?["error"]))
        case "cancelled"?: .failed(cancellation(response?["error"]))
        default: .finished(reason: "stop")
        }
    }

    /// The finish reason of an incomplete run: `length` when the output cap cut it short (or no reason is
    /// given), `stop` for any other reason.
    static func incompleteReason(_ details: JSONValue?) -> String {
        switch details?["reason"]?.stringValue {
        case nil, "max_output_tokens"?: "length"
        case .some: "stop"
        }
    }

    /// The client error for a failed run, from an Agent API error object `{message, code?, type?}` (possibly
    /// null): the code is the upstream's string `code`, else its `type`, else `upstream_failed`.
    static func failure(_ error: JSONValue?) -> OpenAIError {
        let code = error?["code"]?.stringValue ?? error?["type"]?.stringValue ?? "upstream_failed"
        return upstreamError(code, error?["message"]?.stringValue ?? "The upstream run failed.")
    }

    /// The client error for a cancelled run.
    static func cancellation(_ error: JSONValue?) -> OpenAIError {
        upstreamError("upstream_cancelled", error?["message"]?.stringValue ?? "The upstream run was cancelled.")
    }

    /// A 502 `upstream_error` with this code and message.
    static func upstreamError(_ code: String, _ message: String) -> OpenAIError {
        OpenAIError(status: 502, type: "upstream_error", code: code, message: message)
    }
}
