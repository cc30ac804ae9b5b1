#if canImport(Glibc)
    import Glibc
#endif

/// `GET /admin/usage` for admin members (`clients[].admin`): 401 without a member key, 403 for a member who is not
/// an admin. With no members configured the proxy serves anyone (on loopback, or with `allow_anonymous`), and so
/// this too.
struct AdminEndpoint {
    let state: ProxyState
    let settings: ProxySettings

    func handle(_ request: HTTPRequest, caller: Caller, response: HTTPResponseWriter) {
        if let member = caller.member, !member.admin {
            return respond(response, error: ClientErrors.adminRequired(caller: caller.name))
        }
        let clock = UTCClock.now()
        let now = time(nil)
        let inputs = AdminUsageReport.Inputs(
            config: settings.config, standings: state.limiter.standings(at: clock), history: state.history.withLock { $0 },
            historyIsComplete: state.historyIsComplete.load(ordering: .acquiring), clock: clock,
            days: (0..<UsageHistory.days).reversed().map { UTCClock.day($0, before: now) },
            generatedAt: UsageRecord.timestampNow())
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        headers.add("Cache-Control", "no-store")
        state.metrics.recordRequest(route: "admin", status: 200)
        response.respond(status: 200, headers: headers, body: AdminUsageReport.json(inputs))
    }

    private func respond(_ response: HTTPResponseWriter, error: OpenAIError) {
        state.metrics.recordRequest(route: "admin", status: error.status)
        state.logger.info("GET /admin/usage -> \(error.status) \(error.code)")
        response.respond(error: error)
    }
}
