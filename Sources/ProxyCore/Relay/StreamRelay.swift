/// Relays one request to the upstream and its response to the client: the exchange attached to the client
/// connection and the delegate of the upstream transfer.
///
/// Streams: every upstream read is fed to the translator and whatever client events it completes are handed to the
/// writer in the same turn of the loop (the connection sends a turn's pieces in one write). When the client falls
/// behind (`HTTPResponseWriter.isCongested`) the upstream transfer is paused (libcurl keeps the refused piece) until
/// the connection calls `proceed()`: memory per stream stays bounded. A client that goes away cancels the upstream
/// transfer at once. Every way a relay ends goes through `end(_:)`.
///
/// A stream whose upstream has not answered after `stream.keepalive_ms` (a deep-research run can take minutes
/// before its first byte) is committed: the client gets the 200 head and `: ping` comments from then on, so no
/// idle timeout between the two cuts it. An upstream failure after that reaches the client as an `event: error`
/// frame instead of an error status; before it, failures keep their status.
///
/// Confined to the connection's loop. Kept alive by the connection (as its exchange) and by the loop's sweep
/// registry (for its deadlines) until it ends.
public final class StreamRelay<Translator: StreamTranslator>: HTTPExchange, UpstreamTransferDelegate, LoopSweepable {
    private let writer: HTTPResponseWriter
    private let mode: ResponseBodyMode
    private var translator: Translator
    private let timeouts: RelayTimeouts
    private let metrics: ProxyMetrics
    private let onFinish: (RelayOutcome, Translator) -> Void
    private let onClientAbort: (Translator) -> Void
    private var transfer: UpstreamTransfer?
    /// Until `start()`: libcurl copies what it needs, so a long stream does not keep the body and headers.
    private var request: UpstreamRequest?

    private enum State {
        case waitingForHead
        case streaming
        case collectingBody(status: Int, headers: HTTPHeaders)
        case collectingError(status: Int, headers: HTTPHeaders)
        case done
    }
    private var state = State.waitingForHead
    private var collected: [UInt8] = []
    private var scratch: [UInt8] = []
    private let startedAt: UInt64
    private var firstClientByteAt: UInt64?
    private var lastClientWrite: UInt64
    private var pausedByUs = false
    /// The upstream answered with a 2xx head (and, for a whole body, one that reads as the answer asked for).
    private var upstreamAnswered = false
    /// The client stream's 200 head has been sent (when the upstream's head came, or by the first keep-alive
    /// ping before it): failures from now on are error frames, not statuses.
    private var streamCommitted = false
    /// Usage read from a non-streaming body (the translator only sees streams).
    private var bodyUsage: StreamUsage?

    private static var maxCollectedBytes: Int { 32 * 1024 * 1024 }
    private static var maxErrorBytes: Int { 64 * 1024 }

    /// Prepares the relay; `start()` sends the upstream request.
    public init(
        writer: HTTPResponseWriter, request: UpstreamRequest, mode: ResponseBodyMode, translator: Translator,
        timeouts: RelayTimeouts, metrics: ProxyMetrics, onFinish: @escaping (RelayOutcome, Translator) -> Void,
        onClientAbort: @escaping (Translator) -> Void = { _ in }
    ) {
        self.writer = writer
        self.request = request
        self.mode = mode
        self.translator = translator
        self.timeouts = timeouts
        self.metrics = metrics
        self.onFinish = onFinish
        self.onClientAbort = onClientAbort
        self.startedAt = MonotonicClock.nanoseconds()
        self.lastClientWrite = startedAt
    }

    /// Attaches to the client connection, registers for deadline sweeps and starts the upstream transfer.
    public func start() {
        writer.loop.assertInLoop()
        writer.attach(self)
        writer.loop.register(self)
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
            state = .streaming
            if !streamCommitted {
                commitStream()
                noteClientWrite()
            }
        case .passthroughBody, .agentBody:
            state = .collectingBody(status: status, headers: headers)
        }
    }

    public func upstreamDidReceive(_ bytes: UnsafeRawBufferPointer) -> UpstreamDataDisposition {
        if case .streaming = state, writer.isCongested {
            pausedByUs = true
            metrics.streamsPaused.increment()
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
            if translator.consume(bytes, into: &scratch) == .finished {
                // The last events and the end of the response go out in one write. The rest of the upstream body
                // (usually just the end of the chunked encoding) is read and dropped so the HTTP/1.1 connection can
                // be reused; an upstream that holds it open is cut off.
                end(.streamFinished)
                return .discardRest
            }
            if !scratch.isEmpty {
                writer.send(scratch)
                noteClientWrite()
            }
            return .accepted
        case .collectingBody:
            guard collected.count + bytes.count <= Self.maxCollectedBytes else {
                end(.failedBefore(UpstreamErrorMapper.map(.protocolError("upstream response larger than 32 MiB")), errorKind: "protocol"))
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
            end(
                .failedBefore(UpstreamErrorMapper.map(.protocolError("upstream sent a body before its status line")), errorKind: "protocol")
            )
            return .stop
        case .done:
            return .stop
        }
    }

    public func upstreamDidComplete(_ outcome: UpstreamOutcome) {
        transfer = nil
        switch (state, outcome) {
        case (.done, _):
            return
        case (.waitingForHead, .failed(let failure)), (.collectingBody, .failed(let failure)), (.collectingError, .failed(let failure)):
            fail(UpstreamErrorMapper.map(failure), errorKind: failure.metricsLabel)
        case (.waitingForHead, .finished):
            fail(UpstreamErrorMapper.map(.protocolError("upstream sent no response")), errorKind: "protocol")
        case (.streaming, .finished):
            end(.streamEnded)
        case (.streaming, .failed(let failure)):
            end(.streamFailed(UpstreamErrorMapper.map(failure), kind: .upstreamError, errorKind: failure.metricsLabel))
        case (.collectingBody(let status, let headers), .finished):
            respondWithBody(status: status, headers: headers)
        case (.collectingError(let status, let headers), .finished):
            if (200..<300).contains(status) {
                // A page or an error object, not an answer: nothing to charge for.
                upstreamAnswered = false
                let error = UpstreamAnswerCheck.notAStream(body: collected, contentType: headers["Content-Type"])
                fail(error, errorKind: "invalid_response")
            } else {
                let error = UpstreamErrorMapper.map(status: status, headers: headers.fields.map { ($0.name, $0.value) }, body: collected)
                fail(error, errorKind: "status_\(status)")
            }
        }
    }

    private func respondWithBody(status: Int, headers: HTTPHeaders) {
        let expected: UpstreamBodyKind
        switch mode {
        case .stream: expected = .chatCompletion
        case .passthroughBody(let kind): expected = kind
        case .agentBody: expected = .agentResponse
        }
        let reading = UpstreamAnswerCheck.read(body: collected, kind: expected, contentType: headers["Content-Type"])
        if let problem = reading.problem {
            upstreamAnswered = false
            return end(.failedBefore(problem, errorKind: "invalid_response"))
        }
        var body = collected
        collected = []
        var answered = status
        if case .agentBody(let clientModel, let functionCalls) = mode {
            switch AgentResponseTranslator.translate(body, clientModel: clientModel, functionCalls: functionCalls) {
            case .success(let translated):
                body = translated
                answered = 200
            case .failure(let error):
                return end(.failedBefore(error, errorKind: "agent_status"))
            }
        }
        switch mode {
        case .passthroughBody(.agentResponse):
            bodyUsage = AgentUsageMapper.map((try? JSONValue.parse(body))?["usage"], searchQueries: nil).ledger
        case .agentBody:
            bodyUsage = body.withUnsafeBytes { StreamUsage(usageMemberOf: $0) }
        case .stream, .passthroughBody(.chatCompletion):
            bodyUsage = reading.usage
        }
        end(.body(status: answered, body))
    }

    // MARK: HTTPExchange

    public func proceed() {
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

    public func stop(_ reason: ExchangeStop) {
        switch reason {
        case .clientGone: end(.clientGone)
        case .shuttingDown: end(.shutdown)
        }
    }

    // MARK: Deadlines (swept by the loop about every 100 ms)

    public func sweep(now: UInt64) {
        guard !isDone, let transfer else { return }
        if timeouts.maxResponseNs > 0, now &- startedAt >= timeouts.maxResponseNs {
            return timeOut(.responseTooLong)
        }
        if !transfer.receivedFirstByte {
            if now &- startedAt >= timeouts.firstByteNs { return timeOut(.firstByteTimeout) }
            if case .stream = mode, timeouts.keepaliveNs > 0, now &- lastClientWrite >= timeouts.keepaliveNs, !writer.isCongested {
                // Still no answer: start the client stream now and keep it alive while the run works.
                if streamCommitted {
                    writer.send(keepalivePing)
                } else {
                    commitStream()
                    writer.send(keepalivePing)
                    noteClientWrite()
                }
                lastClientWrite = now
            }
            return
        }
        if !pausedByUs, timeouts.idleNs > 0, now &- transfer.lastActivity >= timeouts.idleNs {
            return timeOut(.idleTimeout)
        }
        if case .streaming = state, timeouts.keepaliveNs > 0, now &- lastClientWrite >= timeouts.keepaliveNs, !writer.isCongested {
            writer.send(keepalivePing)
            lastClientWrite = now
        }
    }

    /// Sends the client stream's 200 head.
    private func commitStream() {
        var head = HTTPHeaders()
        head.add("Content-Type", "text/event-stream")
        head.add("Cache-Control", "no-cache")
        head.add("X-Accel-Buffering", "no")
        streamCommitted = true
        writer.startStream(status: 200, headers: head, probe: keepalivePing)
    }

    /// A failure of the upstream exchange: an error response, or an error frame once the stream is committed.
    private func fail(_ error: OpenAIError, errorKind: String) {
        end(streamCommitted ? .streamFailed(error, kind: .upstreamError, errorKind: errorKind) : .failedBefore(error, errorKind: errorKind))
    }

    /// Our own deadline ends the transfer the same way a libcurl failure would.
    private func timeOut(_ failure: UpstreamFailure) {
        transfer?.cancel()
        transfer = nil
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

    /// How a relay ends.
    private enum Ending {
        /// The translator saw the terminal event; its last frames are in `scratch`.
        case streamFinished
        /// The upstream body ended: the translator closes the stream (or reports it truncated).
        case streamEnded
        /// The stream cannot go on: the translator appends `error`'s frame.
        case streamFailed(OpenAIError, kind: RelayOutcome.Kind, errorKind: String)
        /// A complete non-streaming answer.
        case body(status: Int, [UInt8])
        /// A failure before any response was sent: answered as an error response.
        case failedBefore(OpenAIError, errorKind: String)
        /// The client went away.
        case clientGone
        /// The proxy is shutting down and cannot let this response finish.
        case shutdown
    }

    /// The one way out: stops the upstream work, does the bookkeeping, then writes what the client gets last.
    ///
    /// The bookkeeping (metrics, member limits, ledger) comes before the client sees the end of the response: a
    /// client that sends its next request the moment this one ends must find it already counted.
    private func end(_ ending: Ending) {
        guard !isDone else { return }
        let wasStreaming = streamCommitted
        switch ending {
        case .streamFinished, .streamEnded, .body:
            break
        case .streamFailed, .failedBefore, .clientGone, .shutdown:
            transfer?.cancel()
            transfer = nil
        }
        switch ending {
        case .streamFinished:
            complete(kind: .ok, status: 200)
            finishStream()
        case .streamEnded:
            scratch.removeAll(keepingCapacity: true)
            translator.upstreamEnded(into: &scratch)
            complete(kind: .ok, status: 200)
            finishStream()
        case .streamFailed(let error, let kind, let errorKind):
            scratch.removeAll(keepingCapacity: true)
            translator.upstreamFailed(error, into: &scratch)
            complete(kind: kind, status: 200, errorKind: errorKind)
            finishStream()
        case .body(let status, let body):
            noteClientWrite()
            complete(kind: .ok, status: status)
            var headers = HTTPHeaders()
            headers.add("Content-Type", "application/json")
            writer.respond(status: status, headers: headers, body: body)
        case .failedBefore(let error, let errorKind):
            noteClientWrite()
            complete(kind: .upstreamError, status: error.status, errorKind: errorKind)
            writer.respond(error: error)
        case .clientGone:
            onClientAbort(translator)
            complete(kind: .clientAborted, status: 499)
        case .shutdown:
            // The run upstream would go on billing: cancel it like an abandoned one.
            onClientAbort(translator)
            if wasStreaming {
                scratch.removeAll(keepingCapacity: true)
                translator.upstreamFailed(ClientErrors.cutByShutdown, into: &scratch)
                complete(kind: .shutdown, status: 200)
                finishStream()
            } else {
                noteClientWrite()
                complete(kind: .shutdown, status: ClientErrors.cutByShutdown.status)
                writer.respond(error: ClientErrors.cutByShutdown)
            }
        }
    }

    /// Ends the client stream with what the translator left in `scratch`.
    private func finishStream() {
        if !scratch.isEmpty { noteClientWrite() }
        writer.send(scratch, end: .final)
    }

    private func complete(kind: RelayOutcome.Kind, status: Int, errorKind: String? = nil) {
        state = .done
        writer.loop.unregister(self)
        if pausedByUs {
            pausedByUs = false
            metrics.streamsPaused.subtract(1)
        }
        // A stream the translator ended with an error frame is a failed request, whatever closed it.
        var kind = kind
        var errorKind = errorKind
        if kind == .ok, let failure = translator.failure {
            kind = .upstreamError
            errorKind = failure.code
        }
        let now = MonotonicClock.nanoseconds()
        let outcome = RelayOutcome(
            kind: kind, status: status, usage: translator.usage ?? bodyUsage, chunks: translator.chunksEmitted,
            timeToFirstByteNs: firstClientByteAt.map { $0 &- startedAt }, durationNs: now &- startedAt,
            upstreamErrorKind: errorKind, upstreamAnswered: upstreamAnswered)
        onFinish(outcome, translator)
    }
}

/// The SSE comment a stream sends while no event is due.
private let keepalivePing: [UInt8] = Array(": ping\n\n".utf8)
