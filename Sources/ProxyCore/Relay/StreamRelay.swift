/// Relays one request to the upstream and its response to the client: the exchange attached to the client
/// connection and the delegate of the upstream transfer.
///
/// Streams: every upstream read is fed to the translator and whatever client events it completes are written in
/// the same turn of the loop. When the client's backlog passes the high-water mark the upstream transfer is paused
/// (libcurl keeps the refused piece), and resumed when the client drains: memory per stream stays bounded. A client
/// that goes away cancels the upstream transfer at once.
///
/// Confined to the connection's loop. Kept alive by the connection, as its exchange, until the response ends; the
/// transfer refers to it weakly.
public final class StreamRelay<Translator: StreamTranslator>: HTTPExchange, UpstreamTransferDelegate, @unchecked Sendable {
    private let writer: HTTPResponseWriter
    private let mode: ResponseBodyMode
    private var translator: Translator
    private let timeouts: RelayTimeouts
    private let highWaterMark: Int
    private let metrics: ProxyMetrics
    private let onFinish: (RelayOutcome, Translator) -> Void
    private let onClientAbort: (Translator) -> Void
    private var transfer: UpstreamTransfer?
    /// Until `start()`: libcurl copies what it needs, so a long stream does not keep the body and headers.
    private var request: UpstreamRequest?

    private enum State {
        case waitingForHead, streaming, collectingBody(status: Int, headers: HTTPHeaders), collectingError(
            status: Int, headers: HTTPHeaders), done
    }
    private var state = State.waitingForHead
    private var collected: [UInt8] = []
    private var scratch: [UInt8] = []
    private let startedAt: UInt64
    private var firstClientByteAt: UInt64?
    private var lastClientWrite: UInt64
    private var pausedByUs = false
    /// The upstream answered with a 2xx head.
    private var upstreamAnswered = false
    /// Usage read from a non-streaming body (the translator only sees streams).
    private var bodyUsage: StreamUsage?

    private static var maxCollectedBytes: Int { 32 * 1024 * 1024 }
    private static var maxErrorBytes: Int { 64 * 1024 }

    /// Prepares the relay; `start()` sends the upstream request.
    public init(
        writer: HTTPResponseWriter, request: UpstreamRequest, mode: ResponseBodyMode, translator: Translator,
        timeouts: RelayTimeouts, highWaterMark: Int, metrics: ProxyMetrics,
        onFinish: @escaping (RelayOutcome, Translator) -> Void,
        onClientAbort: @escaping (Translator) -> Void = { _ in }
    ) {
        self.writer = writer
        self.request = request
        self.mode = mode
        self.translator = translator
        self.timeouts = timeouts
        self.highWaterMark = highWaterMark
        self.metrics = metrics
        self.onFinish = onFinish
        self.onClientAbort = onClientAbort
        self.startedAt = MonotonicClock.nanoseconds()
        self.lastClientWrite = startedAt
    }

    /// Attaches to the client connection and starts the upstream transfer.
    public func start() {
        writer.attach(self)
        guard let request else { return }
        self.request = nil
        let transfer = UpstreamTransfer(request: request, loop: writer.loop, delegate: self)
        self.transfer = transfer
        transfer.start()
    }

    // MARK: UpstreamTransferDelegate

    public func upstreamDidReceiveHead(status: Int, headers: HTTPHeaders) {
        guard case .waitingForHead = state else { return }
        guard (200..<300).contains(status) else {
            state = .collectingError(status: status, headers: headers)
            return
        }
        upstreamAnswered = true
        switch mode {
        case .stream where !UpstreamAnswerCheck.isEventStream(contentType: headers["Content-Type"]):
            // Not an event stream (an HTML page, a JSON error): answered as a 502 once its body is in.
            state = .collectingError(status: status, headers: headers)
        case .stream:
            var head = HTTPHeaders()
            head.add("Content-Type", "text/event-stream")
            head.add("Cache-Control", "no-cache")
            head.add("X-Accel-Buffering", "no")
            writer.startStream(status: 200, headers: head)
            // Starting the stream can find the client gone, which already completed this relay.
            guard !isDone else { return }
            noteClientWrite()
            state = .streaming
        case .passthroughBody, .agentBody:
            state = .collectingBody(status: status, headers: headers)
        }
    }

    public func upstreamDidReceive(_ bytes: UnsafeRawBufferPointer) -> UpstreamDataDisposition {
        if case .streaming = state, writer.backlog >= highWaterMark {
            pausedByUs = true
            metrics.streamsPaused.increment()
            writer.notifyWhenDrained()
            return .pause
        }
        return take(bytes)
    }

    public func upstreamDidReceiveLast(_ bytes: UnsafeRawBufferPointer) {
        _ = take(bytes)
    }

    /// Feeds a piece of the body to the stream's translator or the collected body.
    private func take(_ bytes: UnsafeRawBufferPointer) -> UpstreamDataDisposition {
        switch state {
        case .streaming:
            scratch.removeAll(keepingCapacity: true)
            let step = translator.consume(bytes, into: &scratch)
            if step == .finished {
                // The last events and the end of the response go out in one write, after the bookkeeping: the
                // outcome describes the upstream side (a client that vanishes during this write still counts ok).
                if !scratch.isEmpty { noteClientWrite() }
                finishStream(kind: .ok, lastBytes: scratch)
                // The rest of the upstream body (usually just the end of the chunked encoding) is read and
                // dropped so the HTTP/1.1 connection can be reused; an upstream that holds it open is cut off.
                return .discardRest
            }
            if !scratch.isEmpty {
                writer.send(scratch)
                noteClientWrite()
                let backlog = writer.backlog
                if backlog > 0 { metrics.peakClientBacklog.observe(backlog) }
            }
            return .accepted
        case .collectingBody:
            guard collected.count + bytes.count <= Self.maxCollectedBytes else {
                fail(before: UpstreamErrorMapper.map(.protocolError("upstream response larger than 32 MiB")), errorKind: "protocol")
                return .stop
            }
            collected.append(contentsOf: bytes)
            return .accepted
        case .collectingError:
            if collected.count < Self.maxErrorBytes {
                collected.append(contentsOf: bytes.prefix(Self.maxErrorBytes - collected.count))
            }
            return .accepted
        case .waitingForHead:
            // Body bytes before any status line: not HTTP we can relay.
            fail(before: UpstreamErrorMapper.map(.protocolError("upstream sent a body before its status line")), errorKind: "protocol")
            return .stop
        case .done:
            return .stop
        }
    }

    public func upstreamDidComplete(_ outcome: UpstreamOutcome) {
        transfer = nil
        switch state {
        case .done:
            return
        case .waitingForHead:
            if case .failed(let failure) = outcome {
                fail(before: UpstreamErrorMapper.map(failure), errorKind: failure.metricsLabel)
            } else {
                fail(before: UpstreamErrorMapper.map(.protocolError("upstream sent no response")), errorKind: "protocol")
            }
        case .streaming:
            scratch.removeAll(keepingCapacity: true)
            switch outcome {
            case .finished:
                translator.upstreamEnded(into: &scratch)
                if !scratch.isEmpty { writer.send(scratch) }
                finishStream(kind: .ok)
            case .failed(let failure):
                translator.upstreamFailed(UpstreamErrorMapper.map(failure), into: &scratch)
                if !scratch.isEmpty { writer.send(scratch) }
                finishStream(kind: .upstreamError, errorKind: failure.metricsLabel)
            }
        case .collectingBody(let status, let headers):
            if case .failed(let failure) = outcome {
                fail(before: UpstreamErrorMapper.map(failure), errorKind: failure.metricsLabel)
                return
            }
            respondWithBody(status: status, headers: headers)
        case .collectingError(let status, let headers):
            if case .failed(let failure) = outcome {
                fail(before: UpstreamErrorMapper.map(failure), errorKind: failure.metricsLabel)
            } else if (200..<300).contains(status) {
                fail(
                    before: UpstreamAnswerCheck.notAStream(body: collected, contentType: headers["Content-Type"]),
                    errorKind: "invalid_response")
            } else {
                let error = UpstreamErrorMapper.map(status: status, headers: headers.fields.map { ($0.name, $0.value) }, body: collected)
                fail(before: error, errorKind: "status_\(status)")
            }
        }
    }

    private func respondWithBody(status: Int, headers: HTTPHeaders) {
        var out = HTTPHeaders()
        out.add("Content-Type", "application/json")
        let expected: UpstreamBodyKind
        switch mode {
        case .stream: expected = .chatCompletion
        case .passthroughBody(let kind): expected = kind
        case .agentBody: expected = .agentResponse
        }
        if let problem = UpstreamAnswerCheck.problem(body: collected, kind: expected, contentType: headers["Content-Type"]) {
            return fail(before: problem, errorKind: "invalid_response")
        }
        switch mode {
        case .stream, .passthroughBody:
            let body = collected
            collected = []
            bodyUsage = body.withUnsafeBytes { StreamUsage(usageMemberOf: $0) }
            noteClientWrite()
            complete(kind: .ok, status: status)
            writer.respond(status: status, headers: out, body: body)
        case .agentBody(let clientModel):
            switch AgentResponseTranslator.translate(collected, clientModel: clientModel) {
            case .success(let body):
                collected = []
                bodyUsage = body.withUnsafeBytes { StreamUsage(usageMemberOf: $0) }
                noteClientWrite()
                complete(kind: .ok, status: 200)
                writer.respond(status: 200, headers: out, body: body)
            case .failure(let error):
                fail(before: error, errorKind: "agent_status")
            }
        }
    }

    // MARK: HTTPExchange

    public func clientDisconnected() {
        guard !isDone else { return }
        transfer?.cancel()
        transfer = nil
        onClientAbort(translator)
        complete(kind: .clientAborted, status: 499)
    }

    public func serverShuttingDown() {
        guard !isDone else { return }
        let error = ClientErrors.cutByShutdown
        transfer?.cancel()
        transfer = nil
        // The run upstream would go on billing: cancel it like an abandoned one.
        onClientAbort(translator)
        switch state {
        case .streaming:
            scratch.removeAll(keepingCapacity: true)
            translator.upstreamFailed(error, into: &scratch)
            if !scratch.isEmpty { writer.send(scratch) }
            finishStream(kind: .shutdown)
        case .waitingForHead, .collectingBody, .collectingError:
            fail(before: error, kind: .shutdown)
        case .done:
            return
        }
    }

    public func clientFinishedSending() {
        guard case .stream = mode else { return }
        writer.abort()
    }

    public func clientDrained() {
        guard pausedByUs else { return }
        pausedByUs = false
        metrics.streamsPaused.subtract(1)
        // The pause was ours: the upstream's silence during it does not count towards its idle timeout.
        transfer?.noteActivity()
        // Resuming can re-enter the write callback: do it in a fresh turn of the loop, not inside the writer.
        writer.loop.runSoon { [self] in
            self.transfer?.resume()
        }
    }

    public func sweep(now: UInt64) {
        guard !isDone, let transfer else { return }
        if timeouts.maxResponseNs > 0, now &- startedAt >= timeouts.maxResponseNs {
            timeOut(.responseTooLong)
            return
        }
        if !transfer.receivedFirstByte {
            if now &- startedAt >= timeouts.firstByteNs {
                timeOut(.firstByteTimeout)
            }
            return
        }
        if !pausedByUs, timeouts.idleNs > 0, now &- transfer.lastActivity >= timeouts.idleNs {
            timeOut(.idleTimeout)
            return
        }
        if case .streaming = state, timeouts.keepaliveNs > 0, now &- lastClientWrite >= timeouts.keepaliveNs, writer.backlog == 0 {
            writer.send(Array(": ping\n\n".utf8))
            lastClientWrite = now
        }
    }

    private func timeOut(_ failure: UpstreamFailure) {
        transfer?.cancel()
        transfer = nil
        // Our own deadline ends the transfer the same way a libcurl failure would.
        upstreamDidComplete(.failed(failure))
    }

    // MARK: Endings

    private var isDone: Bool {
        if case .done = state { return true }
        return false
    }

    private func noteClientWrite() {
        let now = MonotonicClock.nanoseconds()
        if firstClientByteAt == nil { firstClientByteAt = now }
        lastClientWrite = now
    }

    // Every ending does its bookkeeping (metrics, member limits, ledger) before the client sees the end of the
    // response: a client that sends its next request the moment this one ends must find it already counted.

    private func finishStream(kind: RelayOutcome.Kind, errorKind: String? = nil, lastBytes: [UInt8] = []) {
        // A stream the translator ended with an error frame is a failed request, whatever closed it.
        if kind == .ok, let failure = translator.failure {
            complete(kind: .upstreamError, status: 200, errorKind: failure.code)
        } else {
            complete(kind: kind, status: 200, errorKind: errorKind)
        }
        lastBytes.withUnsafeBytes { writer.finishStream(after: $0) }
    }

    private func fail(before error: OpenAIError, kind: RelayOutcome.Kind = .upstreamError, errorKind: String? = nil) {
        transfer?.cancel()
        transfer = nil
        noteClientWrite()
        complete(kind: kind, status: error.status, errorKind: errorKind)
        writer.respond(error: error)
    }

    private func complete(kind: RelayOutcome.Kind, status: Int, errorKind: String? = nil) {
        guard !isDone else { return }
        state = .done
        if pausedByUs {
            pausedByUs = false
            metrics.streamsPaused.subtract(1)
        }
        let now = MonotonicClock.nanoseconds()
        let outcome = RelayOutcome(
            kind: kind, status: status, usage: translator.usage ?? bodyUsage, chunks: translator.chunksEmitted,
            timeToFirstByteNs: firstClientByteAt.map { $0 &- startedAt }, durationNs: now &- startedAt,
            upstreamErrorKind: errorKind, upstreamAnswered: upstreamAnswered)
        onFinish(outcome, translator)
    }
}

extension UpstreamFailure {
    /// A short label for `pplx_upstream_errors_total{kind}`.
    var metricsLabel: String {
        switch self {
        case .unreachable: "unreachable"
        case .connectTimeout: "connect_timeout"
        case .firstByteTimeout: "first_byte_timeout"
        case .idleTimeout: "idle_timeout"
        case .tls: "tls"
        case .protocolError: "protocol"
        case .truncated: "truncated"
        case .localResourcesExhausted: "proxy_overloaded"
        case .responseTooLong: "max_response_time"
        }
    }
}
