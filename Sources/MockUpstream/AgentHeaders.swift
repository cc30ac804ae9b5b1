/// Response headers the Agent API adds (live: `x-ratelimit-*` on every response, `x-request-id` = the uuid
/// inside `resp_<uuid>`).
enum AgentHeaders {
    /// The rate-limit window: 50 requests, resetting at a fixed epoch.
    static func rateLimit(remaining: Int) -> [MockHeader] {
        [
            MockHeader("x-ratelimit-limit", "50"), MockHeader("x-ratelimit-remaining", String(remaining)),
            MockHeader("x-ratelimit-reset", String(CanonicalAnswer.createdEpoch + 60)),
            MockHeader("x-ratelimit-used", String(50 - remaining)),
        ]
    }

    /// Headers of a successful response.
    static func success(requestID: String) -> [MockHeader] {
        rateLimit(remaining: 49) + [MockHeader("x-request-id", requestID)]
    }
}
