import Testing

@testable import ProxyCore

/// The connection's rules, without sockets: every time below is made up (nanoseconds from an arbitrary start).
@Suite struct HTTPConnectionStateMachineTests {
    private typealias Machine = HTTPConnectionStateMachine
    private static let second: UInt64 = 1_000_000_000
    /// Head 10 s, whole request 30 s, idle 75 s.
    private static let timeouts = Machine.Timeouts(headerMs: 10_000, requestMs: 30_000, idleMs: 75_000)

    private func machine(tls: Bool = false) -> Machine {
        Machine(now: 0, tls: tls, timeouts: Self.timeouts)
    }

    private func head(
        _ method: String = "POST", minor: Int = 1, headers: [(String, String)] = [("Host", "127.0.0.1")]
    ) -> HTTPRequestHead {
        HTTPRequestHead(method: method, target: "/v1/chat/completions", minorVersion: minor, headers: HTTPHeaders(headers))
    }

    // MARK: A request's life

    @Test func request_isDispatched_thenKeptAlive_thenTheNextIsParsed() {
        var m = machine()
        m.requestBytesArrived(now: 1)
        guard case .dispatch(let exchange) = m.requestParsed(head()) else { return #expect(Bool(false)) }
        #expect(exchange == Machine.Exchange(number: 1, keepAlive: true, isHead: false, http11: true))
        #expect(m.current(1) == exchange)
        m.responseCompleted(1)
        #expect(m.current(1) == nil)
        #expect(m.outputFlushed(now: 5, hasBufferedInput: false) == .parseNext)
        #expect(m.phase == .waiting(since: 5))
        m.requestBytesArrived(now: 6)
        guard case .dispatch(let next) = m.requestParsed(head()) else { return #expect(Bool(false)) }
        #expect(next.number == 2)
    }

    @Test func connectionClose_orHTTP10_endsAfterTheResponse() {
        var m = machine()
        m.requestBytesArrived(now: 1)
        _ = m.requestParsed(head(headers: [("Host", "h"), ("Connection", "close")]))
        m.responseCompleted(1)
        #expect(m.outputFlushed(now: 2, hasBufferedInput: true) == .close(.finished))

        var old = machine()
        old.requestBytesArrived(now: 1)
        guard case .dispatch(let exchange) = old.requestParsed(head(minor: 0, headers: [])) else { return #expect(Bool(false)) }
        #expect(!exchange.keepAlive && !exchange.http11)
    }

    @Test func http10Stream_isCloseDelimited_soNotKeptAlive() {
        var m = machine()
        m.requestBytesArrived(now: 1)
        _ = m.requestParsed(head(minor: 0, headers: [("Connection", "keep-alive")]))
        #expect(m.current(1)?.keepAlive == true)
        m.streamStarted(1)
        #expect(m.current(1)?.keepAlive == false)
    }

    @Test func lateCallsForAnEarlierExchange_areRecognised() {
        var m = machine()
        m.requestBytesArrived(now: 1)
        _ = m.requestParsed(head())
        m.responseCompleted(7)
        #expect(m.current(1) != nil)
        #expect(m.current(2) == nil)
    }

    // MARK: HTTP/1.1 rules

    @Test(arguments: [[], [("Host", "a"), ("Host", "b")]] as [[(String, String)]])
    func http11WithoutExactlyOneHost_is400(headers: [(String, String)]) {
        var m = machine()
        m.requestBytesArrived(now: 1)
        guard case .fail(400, _) = m.requestParsed(head(headers: headers)) else { return #expect(Bool(false)) }
        #expect(m.respondingExchange?.keepAlive == false)
    }

    @Test func http10WithoutHost_isFine() {
        var m = machine()
        m.requestBytesArrived(now: 1)
        guard case .dispatch = m.requestParsed(head(minor: 0, headers: [])) else { return #expect(Bool(false)) }
    }

    @Test func headWithABodyToCome_isCheckedOnce_andCanBeRefused() {
        var m = machine()
        m.requestBytesArrived(now: 1)
        #expect(m.headArrived(head()) == .checkHead)
        #expect(m.headArrived(head()) == .none)
        let refusal = m.headRefused()
        #expect(refusal?.keepAlive == false)
        #expect(m.respondingExchange == refusal)
    }

    @Test func parseFailure_isAnsweredWithItsStatus_thenClosed() {
        var m = machine()
        m.requestBytesArrived(now: 1)
        #expect(m.parseFailed(HTTPParseFailure(status: 431, message: "big")) == .fail(status: 431, message: "big"))
        m.responseCompleted(m.respondingExchange!.number)
        #expect(m.outputFlushed(now: 2, hasBufferedInput: false) == .close(.finished))
    }

    // MARK: Deadlines

    @Test func slowHead_gets408_afterTheHeaderTimeout() {
        var m = machine()
        m.requestBytesArrived(now: 0)
        #expect(m.tick(now: 9 * Self.second, outputStalledSince: nil) == .none)
        guard case .fail(408, _) = m.tick(now: 10 * Self.second, outputStalledSince: nil) else { return #expect(Bool(false)) }
    }

    @Test func bodyTrickledAByteAtATime_gets408_afterTheRequestTimeout() {
        var m = machine()
        m.requestBytesArrived(now: 0)
        #expect(m.headArrived(head()) == .checkHead)
        // Every byte of the body arriving does not move the deadline: it counts from the request's first byte.
        for second in stride(from: UInt64(1), to: 30, by: 1) {
            m.requestBytesArrived(now: second * Self.second)
            #expect(m.tick(now: second * Self.second, outputStalledSince: nil) == .none)
        }
        guard case .fail(408, _) = m.tick(now: 30 * Self.second, outputStalledSince: nil) else { return #expect(Bool(false)) }
    }

    @Test func idleKeepAliveConnection_closesAfterTheIdleTimeout() {
        var m = machine()
        #expect(m.tick(now: 74 * Self.second, outputStalledSince: nil) == .none)
        #expect(m.tick(now: 75 * Self.second, outputStalledSince: nil) == .close(.idle))
    }

    @Test func clientThatStopsReading_isClosedAfterTheIdleTimeout() {
        var m = machine()
        m.requestBytesArrived(now: 0)
        _ = m.requestParsed(head())
        #expect(m.tick(now: 74 * Self.second, outputStalledSince: 0) == .none)
        #expect(m.tick(now: 75 * Self.second, outputStalledSince: 0) == .close(.writeStalled))
    }

    @Test func tlsHandshake_mustFinishWithinTheHeaderTimeout() {
        var m = machine(tls: true)
        #expect(m.tick(now: 10 * Self.second, outputStalledSince: nil) == .close(.timedOut))
        var done = machine(tls: true)
        done.handshakeFinished(now: 1)
        #expect(done.tick(now: 10 * Self.second, outputStalledSince: nil) == .none)
    }

    @Test func aResponseInProgress_hasNoRequestDeadline() {
        var m = machine()
        m.requestBytesArrived(now: 0)
        _ = m.requestParsed(head())
        #expect(m.tick(now: 600 * Self.second, outputStalledSince: nil) == .none)
    }

    // MARK: Half-close, drain, close

    @Test func halfClosedClient_stillGetsItsResponse_thenTheConnectionCloses() {
        var m = machine()
        m.requestBytesArrived(now: 0)
        _ = m.requestParsed(head())
        #expect(m.peerClosedWrite() == .stopReading)
        #expect(m.current(1)?.keepAlive == false)
        m.responseCompleted(1)
        #expect(m.outputFlushed(now: 1, hasBufferedInput: false) == .close(.finished))
    }

    @Test func finBeforeTheRequestIsComplete_closes() {
        var m = machine()
        m.requestBytesArrived(now: 0)
        #expect(m.peerClosedWrite() == .close(.peerClosed))
        #expect(m.isClosed)
    }

    @Test func drain_closesAnIdleConnection_andEndsKeepAliveForABusyOne() {
        var idle = machine()
        #expect(idle.drain() == .close(.shutdown))
        var busy = machine()
        busy.requestBytesArrived(now: 0)
        _ = busy.requestParsed(head())
        #expect(busy.drain() == .none)
        busy.responseCompleted(1)
        #expect(busy.outputFlushed(now: 1, hasBufferedInput: false) == .close(.finished))
    }

    @Test func closingTwice_keepsTheFirstReason() {
        var m = machine()
        #expect(m.close(.peerGone) == .close(.peerGone))
        #expect(m.close(.shutdown) == .none)
        #expect(m.phase == .closed(.peerGone))
    }
}
