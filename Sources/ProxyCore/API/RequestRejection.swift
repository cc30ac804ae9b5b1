import Logging

/// Answers a request the proxy refuses after identifying the caller (invalid request, model not allowed, member
/// limit), and records it: metrics, a log line, and a ledger line with outcome `rejected`, so refusals show up in
/// the usage report. Unauthenticated requests are counted in metrics only, so they cannot flood the ledger.
enum RequestRejection {
    static func reject(
        _ error: OpenAIError, response: HTTPResponseWriter, state: ProxyState, caller: Caller, route: String, model: String?,
        stream: Bool
    ) {
        state.metrics.recordRequest(route: route, status: error.status)
        state.logger.info(
            "request rejected",
            metadata: [
                "client": .string(caller.name), "route": .string(route), "status": .stringConvertible(error.status),
                "code": .string(error.code),
            ])
        state.record(
            UsageRecord(
                timestamp: UsageRecord.timestampNow(), requestID: RequestContext.makeRequestID(), client: caller.name,
                model: model ?? "", upstreamModel: "", stream: stream, status: error.status,
                outcome: RelayOutcome.Kind.rejected.rawValue,
                promptTokens: 0, completionTokens: 0, totalTokens: 0, costUSD: nil, ttfbMs: nil, durationMs: 0))
        response.respond(error: error)
    }
}
