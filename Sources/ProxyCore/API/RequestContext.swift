import Logging

/// What one relayed request carries from routing to its end: settings snapshot, caller, and the bookkeeping
/// (metrics, ledger, log line, agent-run cancellation) done when it finishes.
struct RequestContext: Sendable {
    let state: ProxyState
    let settings: ProxySettings
    let caller: Caller
    let route: String
    let clientModel: String
    let stream: Bool
    let requestID = RequestContext.makeRequestID()

    /// Builds the upstream request for `path` under `upstream.url`.
    func upstreamRequest(path: String, from request: HTTPRequest, body: [UInt8]) -> UpstreamRequest {
        let config = settings.config
        return UpstreamRequest(
            url: config.upstream.url + path, method: "POST",
            headers: UpstreamHeaders.build(
                from: request, upstreamKey: settings.upstreamKey, accept: stream ? "text/event-stream" : "application/json"),
            body: body, connectTimeoutMs: config.upstream.connectTimeoutMs, http2: config.upstream.http2,
            secret: settings.upstreamKey, caFile: config.upstream.caFile, proxy: config.upstream.proxy)
    }

    /// Starts the relay and wires its completion to metrics, the ledger, the log and (agent streams) the
    /// cancellation of abandoned runs.
    func startRelay<T: StreamTranslator>(
        _ response: HTTPResponseWriter, upstream: UpstreamRequest, mode: ResponseBodyMode, translator: T,
        upstreamModel: String, outputTokenLimit: Int?, cancelsAgentRun: Bool
    ) {
        if settings.config.usageLedgerRequired, !state.ledgerIsWritable {
            RequestRejection.reject(
                ClientErrors.ledgerUnavailable, response: response, state: state, caller: caller, route: route, model: clientModel,
                stream: stream)
            return
        }
        let request = AdmissionRequest(
            stream: stream, model: clientModel, bodyBytes: upstream.body.count, outputTokenLimit: outputTokenLimit,
            maxCost: settings.config.models[clientModel]?.maxCostUSD)
        RequestAdmission(context: self, response: response).admit(request) { admission, reservation in
            relay(
                response, upstream: upstream, mode: mode, translator: translator, upstreamModel: upstreamModel,
                cancelsAgentRun: cancelsAgentRun, admission: admission, reservation: reservation)
        }
    }

    private func relay<T: StreamTranslator>(
        _ response: HTTPResponseWriter, upstream: UpstreamRequest, mode: ResponseBodyMode, translator: T, upstreamModel: String,
        cancelsAgentRun: Bool, admission: Admission, reservation: SharedLimiter.Reservation?
    ) {
        let config = settings.config
        let timeouts = RelayTimeouts(
            firstByteMs: config.upstream.firstByteTimeoutMs, idleMs: config.upstream.idleTimeoutMs,
            keepaliveMs: config.stream.keepaliveMs, maxResponseMs: config.upstream.maxStreamMs)
        let metrics = state.metrics
        metrics.requestsInFlight.increment()
        if stream { metrics.streamsOpen.increment() }
        let context = self
        let loop = response.loop
        // A large request's memory (its body, the upstream copy) is free only once the relay ends.
        let large = upstream.body.count >= MemoryTrim.threshold
        let relay = StreamRelay(
            writer: response, request: upstream, mode: mode, translator: translator, timeouts: timeouts, metrics: metrics,
            onFinish: { outcome, _ in
                context.finished(outcome, upstreamModel: upstreamModel, admission: admission, reservation: reservation)
                if large { MemoryTrim.afterLargeRequest() }
            },
            onClientAbort: { translator in
                guard cancelsAgentRun, let runID = translator.upstreamResponseID else { return }
                AgentRunCanceller.cancel(runID: runID, settings: context.settings, loop: loop, logger: context.state.logger)
            })
        relay.start()
    }

    private func finished(
        _ outcome: RelayOutcome, upstreamModel: String, admission: Admission, reservation: SharedLimiter.Reservation?
    ) {
        let clock = UTCClock.now()
        let charged = state.limiter.finish(admission, usage: outcome.usage, upstreamAnswered: outcome.upstreamAnswered, clock: clock)
        if let reservation { state.shared?.settle(reservation, charge: charged, clock: clock) }
        let reported = outcome.usage?.totalTokens ?? 0
        let reportedCost = outcome.usage?.costUSD.flatMap(USDAmount.init(reportedCost:)) ?? .zero
        let metrics = state.metrics
        metrics.requestsInFlight.subtract(1)
        if stream { metrics.streamsOpen.subtract(1) }
        metrics.recordRequest(route: route, status: outcome.status)
        metrics.chunksRelayed.add(outcome.chunks)
        metrics.recordTimings(timeToFirstByteNs: outcome.timeToFirstByteNs, durationNs: outcome.durationNs)
        if let kind = outcome.upstreamErrorKind { metrics.recordUpstreamError(kind: kind) }
        if let usage = outcome.usage { metrics.recordTokens(client: caller.name, model: clientModel, usage: usage) }
        let ttfbMs = outcome.timeToFirstByteNs.map { Double($0 / 1000) / 1000 }
        let durationMs = Double(outcome.durationNs / 1000) / 1000
        state.record(
            UsageRecord(
                timestamp: UsageRecord.timestampNow(), requestID: requestID, client: caller.name, model: clientModel,
                upstreamModel: upstreamModel, stream: stream, status: outcome.status, outcome: outcome.kind.rawValue,
                promptTokens: outcome.usage?.promptTokens ?? 0, completionTokens: outcome.usage?.completionTokens ?? 0,
                totalTokens: reported, costUSD: outcome.usage?.costUSD, ttfbMs: ttfbMs, durationMs: durationMs,
                chargedTokens: charged.tokens == reported ? nil : charged.tokens,
                chargedUSD: charged.cost == reportedCost ? nil : charged.cost))
        state.logger.info(
            "request finished",
            metadata: [
                "request_id": .string(requestID), "client": .string(caller.name), "model": .string(clientModel),
                "status": .stringConvertible(outcome.status), "outcome": .string(outcome.kind.rawValue),
                "chunks": .stringConvertible(outcome.chunks), "duration_ms": .stringConvertible(durationMs),
            ])
    }

    static func makeRequestID() -> String {
        "req_" + RequestIdentifiers.next()
    }

    static func makeChatID() -> String {
        "chatcmpl-" + RequestIdentifiers.next()
    }
}
