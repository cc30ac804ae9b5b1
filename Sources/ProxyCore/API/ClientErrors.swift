/// The proxy's own client-facing errors (upstream errors come from `UpstreamErrorMapper`).
enum ClientErrors {
    static func notFound(_ path: Substring) -> OpenAIError {
        OpenAIError(
            status: 404, type: "invalid_request_error", code: "unknown_url",
            message: "Unknown path: \(path). Try POST /v1/chat/completions.")
    }

    static func methodNotAllowed(_ method: String, allowed: String) -> OpenAIError {
        OpenAIError(
            status: 405, type: "invalid_request_error", code: "method_not_allowed",
            message: "Method \(method) is not allowed here; use \(allowed).")
    }

    static let draining = OpenAIError(
        status: 503, type: "server_error", code: "shutting_down", message: "The proxy is shutting down; retry shortly.",
        retryAfterSeconds: 1)

    /// The in-stream error for an upstream stream that broke its wire format or failed; `message` may carry
    /// upstream text (already scrubbed at entry), so it is clipped.
    static func streamError(code: String, message: String) -> OpenAIError {
        OpenAIError(status: 502, type: "upstream_error", code: code, message: UpstreamErrorMapper.clip(message))
    }

    /// `usage_ledger_required` is set and the ledger cannot be written: nothing is served unaccounted.
    static let ledgerUnavailable = OpenAIError(
        status: 503, type: "server_error", code: "ledger_unavailable",
        message: "The proxy cannot write its usage ledger right now, and its operator requires every request to be "
            + "recorded; retry shortly.", retryAfterSeconds: 5)

    static let limitsUnavailable = OpenAIError(
        status: 503, type: "server_error", code: "limits_unavailable",
        message: "The proxy cannot reach the Redis that holds its shared limits and budgets, and its operator chose to "
            + "refuse requests until it can (redis.on_error: reject); retry shortly.", retryAfterSeconds: 2)

    /// A response the drain's grace period did not let finish.
    static let cutByShutdown = OpenAIError(
        status: 503, type: "server_error", code: "shutting_down",
        message: "The proxy is shutting down; this response was cut short. Retry shortly.", retryAfterSeconds: 1)

    static func modelNotAllowed(_ model: String, caller: String) -> OpenAIError {
        OpenAIError(
            status: 403, type: "invalid_request_error", code: "model_not_allowed",
            message: "Member '\(caller)' may not use model '\(model)'.", param: "model")
    }

    static func adminRequired(caller: String) -> OpenAIError {
        OpenAIError(
            status: 403, type: "permission_error", code: "admin_required",
            message: "Member '\(caller)' is not an admin; /admin/* needs a member with \"admin\": true.")
    }

    static func unknownModel(_ model: String, known: [String]) -> OpenAIError {
        OpenAIError(
            status: 400, type: "invalid_request_error", code: "model_not_found",
            message: "Unknown model '\(model)'. Configured models: \(known.sorted().joined(separator: ", ")).", param: "model")
    }

    static func modelNotFound(_ id: String) -> OpenAIError {
        OpenAIError(
            status: 404, type: "invalid_request_error", code: "model_not_found", message: "The model '\(id)' does not exist.",
            param: "model")
    }

    static let agentEndpointsNeedAgentMode = OpenAIError(
        status: 404, type: "invalid_request_error", code: "unknown_url",
        message: "/v1/responses and /v1/agent are served in agent mode only (upstream.api \"agent\").")
}
