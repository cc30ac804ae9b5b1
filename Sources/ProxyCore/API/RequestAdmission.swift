/// Decides whether a request may start under the limits and budgets, and answers the refusal itself when not.
///
/// Without `redis` the process's own `UsageLimiter` decides, at once. With it, Redis decides for every instance
/// together (`SharedLimiter`), and the local limiter only works out the request's worst case and keeps this
/// instance's counts; when Redis cannot be asked, `redis.on_error` says whether the local limits decide instead
/// (`local`) or the request is refused (`reject`, 503 `limits_unavailable`).
struct RequestAdmission {
    let context: RequestContext
    let response: HTTPResponseWriter

    /// Runs `start` (on the response's loop) with the admission, and its Redis reservation when shared.
    func admit(_ request: AdmissionRequest, _ start: @escaping (Admission, SharedLimiter.Reservation?) -> Void) {
        let state = context.state
        let caller = context.caller
        let team = context.settings.config.budget
        let clock = UTCClock.now()
        guard let shared = state.shared else {
            return admitLocally(request, clock: clock) { start($0, nil) }
        }
        let counted = state.limiter.admit(
            caller.name, member: caller.member, team: team, request, now: MonotonicClock.nanoseconds(), clock: clock, enforcing: false)
        guard case .success(let estimate) = counted else { return admitLocally(request, clock: clock) { start($0, nil) } }
        shared.admit(estimate, id: context.requestID, member: caller.member, team: team, clock: clock, loop: response.loop) { decision in
            switch decision {
            case .admitted(let reservation):
                start(estimate, reservation)
            case .refused(let error):
                release(estimate)
                reject(error)
            case .unavailable(let reason):
                release(estimate)
                switch shared.config.onError {
                case .reject:
                    state.logger.warning("redis unavailable, request refused (redis.on_error reject): \(reason)")
                    reject(ClientErrors.limitsUnavailable)
                case .local:
                    state.logger.debug("redis unavailable, this instance's limits apply: \(reason)")
                    admitLocally(request, clock: UTCClock.now()) { start($0, nil) }
                }
            }
        }
    }

    private func admitLocally(_ request: AdmissionRequest, clock: UTCClock, _ start: (Admission) -> Void) {
        let caller = context.caller
        switch context.state.limiter.admit(
            caller.name, member: caller.member, team: context.settings.config.budget, request, now: MonotonicClock.nanoseconds(),
            clock: clock)
        {
        case .failure(let error): reject(error)
        case .success(let admission): start(admission)
        }
    }

    /// Gives back what the counting admission took (nothing reached the upstream).
    private func release(_ admission: Admission) {
        context.state.limiter.finish(admission, usage: nil, upstreamAnswered: false, clock: UTCClock.now())
    }

    private func reject(_ error: OpenAIError) {
        RequestRejection.reject(
            error, response: response, state: context.state, caller: context.caller, route: context.route, model: context.clientModel,
            stream: context.stream)
    }
}
