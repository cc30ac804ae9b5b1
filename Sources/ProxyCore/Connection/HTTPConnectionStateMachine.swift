/// The life of one client connection as a value: what phase it is in, which deadline applies, and what to do on
/// each event. `ClientConnection` feeds it events (bytes arrived, a request parsed, the response finished, the
/// output drained, a clock tick) and performs the actions it returns. It does no I/O and reads no clock, so every
/// rule below is unit-tested with made-up times (`HTTPConnectionStateMachineTests`).
///
/// Phases, in order: `handshaking` (TLS only) → `waiting` (no byte of the next request yet) → `receiving` (head,
/// then body) → `handling` (the request is with the handler; its response may be streaming) → `flushing` (the
/// response is complete; its bytes are leaving) → `waiting` again (keep-alive), or `closed`.
///
/// Deadlines: a TLS handshake and a request head must arrive within `headerTimeout`; a whole request (head and
/// body, from its first byte) within `requestTimeout`, so a body trickled a byte at a time is cut with a 408; an
/// idle keep-alive connection closes after `idleTimeout`, as does one whose client stops taking the response.
public struct HTTPConnectionStateMachine: Sendable {
    /// One request/response on the connection.
    public struct Exchange: Sendable, Equatable {
        /// Increases with every request: a late call about an earlier exchange is recognised and ignored.
        public var number: UInt64
        /// The connection stays open after this response.
        public var keepAlive: Bool
        /// `HEAD`: the response has no body.
        public var isHead: Bool
        /// The client speaks HTTP/1.1 (chunked responses, keep-alive by default).
        public var http11: Bool
    }

    /// Where the connection is.
    public enum Phase: Sendable, Equatable {
        /// The TLS handshake has not finished.
        case handshaking(since: UInt64)
        /// No byte of the next request has arrived.
        case waiting(since: UInt64)
        /// Part of a request has arrived; `headChecked` once its head was shown to the handler.
        case receiving(since: UInt64, headChecked: Bool)
        /// The request is with the handler and its response is not complete.
        case handling(Exchange)
        /// The response is complete and its bytes are leaving.
        case flushing(Exchange)
        /// Closed.
        case closed(CloseReason)
    }

    /// What the connection should do.
    public enum Action: Sendable, Equatable {
        case none
        /// Show the head to the handler, which may refuse it before the body is read.
        case checkHead
        /// Give the complete request to the handler as exchange `Exchange`.
        case dispatch(Exchange)
        /// Answer `status` with `message` (an HTTP-level failure) on `respondingExchange`, then close once it
        /// has left.
        case fail(status: Int, message: String)
        /// Stop reading: nothing more is wanted from the client.
        case stopReading
        /// Parse the next pipelined request (in a fresh turn of the loop).
        case parseNext
        /// Close now.
        case close(CloseReason)
    }

    /// The time limits, in nanoseconds.
    public struct Timeouts: Sendable, Equatable {
        public var header: UInt64
        public var request: UInt64
        public var idle: UInt64

        public init(headerMs: Int, requestMs: Int, idleMs: Int) {
            header = MonotonicClock.nanoseconds(milliseconds: headerMs)
            request = MonotonicClock.nanoseconds(milliseconds: requestMs)
            idle = MonotonicClock.nanoseconds(milliseconds: idleMs)
        }
    }

    public private(set) var phase: Phase
    /// The client sent FIN: it sends no more requests, but still reads (a half-closed client gets its response).
    public private(set) var peerFinishedSending = false
    /// The proxy is shutting down: no keep-alive.
    public private(set) var draining = false
    private let timeouts: Timeouts
    private var lastNumber: UInt64 = 0

    /// A new connection at `now`; `tls` starts it in the handshake.
    public init(now: UInt64, tls: Bool, timeouts: Timeouts) {
        self.timeouts = timeouts
        phase = tls ? .handshaking(since: now) : .waiting(since: now)
    }

    /// The exchange whose response may be written now, if `number` is it.
    public func current(_ number: UInt64) -> Exchange? {
        switch phase {
        case .handling(let exchange) where exchange.number == number: return exchange
        case .handshaking, .waiting, .receiving, .handling, .flushing, .closed: return nil
        }
    }

    /// Whether the connection is closed.
    public var isClosed: Bool {
        if case .closed = phase { return true }
        return false
    }

    // MARK: Events

    public mutating func handshakeFinished(now: UInt64) {
        guard case .handshaking = phase else { return }
        phase = .waiting(since: now)
    }

    /// Request bytes arrived (or were already buffered when the previous response ended).
    public mutating func requestBytesArrived(now: UInt64) {
        guard case .waiting = phase else { return }
        phase = .receiving(since: now, headChecked: false)
    }

    /// The parser has a head whose body is still coming: show it to the handler once (unless it breaks HTTP/1.1).
    public mutating func headArrived(_ head: HTTPRequestHead) -> Action {
        guard case .receiving(let since, headChecked: false) = phase else { return .none }
        if let problem = head.semanticProblem { return fail(400, problem) }
        phase = .receiving(since: since, headChecked: true)
        return .checkHead
    }

    /// The handler refused the head: its answer goes out as the last response, without the body being read.
    /// Returns the exchange to answer on.
    public mutating func headRefused() -> Exchange? {
        guard case .receiving = phase else { return nil }
        return startFinalExchange()
    }

    /// The exchange a response is being written for, if any.
    public var respondingExchange: Exchange? {
        if case .handling(let exchange) = phase { return exchange }
        return nil
    }

    /// A complete request was parsed.
    public mutating func requestParsed(_ head: HTTPRequestHead) -> Action {
        switch phase {
        case .receiving, .waiting: break
        case .handshaking, .handling, .flushing, .closed: return .none
        }
        if let problem = head.semanticProblem { return fail(400, problem) }
        lastNumber &+= 1
        let exchange = Exchange(
            number: lastNumber, keepAlive: head.keepAlive && !draining && !peerFinishedSending, isHead: head.method == "HEAD",
            http11: head.minorVersion >= 1)
        phase = .handling(exchange)
        return .dispatch(exchange)
    }

    /// The request could not be parsed (or broke a limit): answer its status, then close.
    public mutating func parseFailed(_ failure: HTTPParseFailure) -> Action {
        switch phase {
        case .receiving, .waiting: return fail(failure.status, failure.message)
        case .handshaking, .handling, .flushing, .closed: return .none
        }
    }

    /// A streamed response starts for `number`: HTTP/1.0 has no chunked encoding, so its end is the connection's.
    public mutating func streamStarted(_ number: UInt64) {
        guard case .handling(var exchange) = phase, exchange.number == number, !exchange.http11 else { return }
        exchange.keepAlive = false
        phase = .handling(exchange)
    }

    /// The whole response for `number` is in the output; what remains is for it to leave.
    public mutating func responseCompleted(_ number: UInt64) {
        guard case .handling(let exchange) = phase, exchange.number == number else { return }
        phase = .flushing(exchange)
    }

    /// The output has fully left. After a complete response: close, or go on to the next request.
    public mutating func outputFlushed(now: UInt64, hasBufferedInput: Bool) -> Action {
        guard case .flushing(let exchange) = phase else { return .none }
        if !exchange.keepAlive || draining {
            return close(.finished)
        }
        if peerFinishedSending && !hasBufferedInput {
            return close(.peerClosed)
        }
        phase = .waiting(since: now)
        return .parseNext
    }

    /// The client sent FIN. With no request in progress the connection is done (after any buffered pipelined
    /// requests, which the caller parses first); a response in progress is still delivered, whole.
    public mutating func peerClosedWrite() -> Action {
        peerFinishedSending = true
        switch phase {
        case .handshaking, .waiting, .receiving: return close(.peerClosed)
        case .handling(var exchange):
            exchange.keepAlive = false
            phase = .handling(exchange)
            return .stopReading
        case .flushing(var exchange):
            exchange.keepAlive = false
            phase = .flushing(exchange)
            return .stopReading
        case .closed: return .none
        }
    }

    /// Checks the deadlines at `now`; `outputStalledSince` is when the output last made progress while bytes were
    /// waiting for the client (nil when nothing waits).
    public mutating func tick(now: UInt64, outputStalledSince: UInt64?) -> Action {
        if let stalled = outputStalledSince, now &- stalled >= timeouts.idle { return close(.writeStalled) }
        switch phase {
        case .handshaking(let since):
            return now &- since >= timeouts.header ? close(.timedOut) : .none
        case .waiting(let since):
            return now &- since >= timeouts.idle ? close(.idle) : .none
        case .receiving(let since, let headChecked):
            if now &- since >= timeouts.request || (!headChecked && now &- since >= timeouts.header) {
                return fail(408, "the request was not received in time")
            }
            return .none
        case .handling, .flushing, .closed:
            return .none
        }
    }

    /// Shutting down: no more keep-alive; an idle connection closes now, a busy one after its response.
    public mutating func drain() -> Action {
        draining = true
        switch phase {
        case .handshaking, .waiting: return close(.shutdown)
        case .receiving, .handling, .flushing, .closed: return .none
        }
    }

    /// Closes for `reason` (a failed read or write, an abort, shutdown). Closing twice keeps the first reason.
    public mutating func close(_ reason: CloseReason) -> Action {
        if case .closed = phase { return .none }
        phase = .closed(reason)
        return .close(reason)
    }

    private mutating func fail(_ status: Int, _ message: String) -> Action {
        _ = startFinalExchange()
        return .fail(status: status, message: message)
    }

    /// An exchange for an answer the connection gives itself (an error, a refusal), after which it closes.
    private mutating func startFinalExchange() -> Exchange {
        lastNumber &+= 1
        let exchange = Exchange(number: lastNumber, keepAlive: false, isHead: false, http11: true)
        phase = .handling(exchange)
        return exchange
    }
}

/// Why a client connection closed.
public enum CloseReason: Sendable, Equatable {
    /// The response is done and the connection is not kept alive.
    case finished
    /// The client sent FIN with no request in progress, or before its request was complete.
    case peerClosed
    /// A read or write failed (reset, broken pipe) or the TLS session failed.
    case peerGone
    /// An idle keep-alive connection timed out.
    case idle
    /// A TLS handshake did not finish in time.
    case timedOut
    /// The client stopped taking a response for the idle timeout.
    case writeStalled
    /// The handler ended the response before it was complete (the client sees it cut short).
    case aborted
    /// The proxy is shutting down.
    case shutdown
}
