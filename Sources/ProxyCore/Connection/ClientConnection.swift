#if canImport(Glibc)
    import Glibc
#endif

/// One accepted client socket: the shell that owns the descriptor and performs what its
/// `HTTPConnectionStateMachine` decides. It reads and parses requests, shows a head to the handler before its body
/// is read, hands each request over, and writes responses in order.
///
/// Writes: a complete response, and the last piece of a stream, go out at once. Other stream pieces written in one
/// turn of the loop (every event decoded from one upstream read) leave in one chunk and one `send` at the end of
/// that turn, so no piece waits for a later one and a relay makes one write per upstream read. What the kernel
/// refuses waits in an `OutputBuffer`, with write interest registered until it is gone.
///
/// Confined to `loop`: every entry point runs on the loop's queue (checked in debug builds). The loop's registry
/// holds the connection alive until it closes.
final class ClientConnection: LoopSweepable, SocketEventHandler {
    // MARK: Fixed at accept

    let loop: EventLoop
    private let fd: Int32
    private let handler: HTTPRequestHandler
    private let settings: ConnectionSettings
    private let onClose: @Sendable () -> Void
    private let tlsContext: TLSContext?

    // MARK: Loop-confined state

    private var machine: HTTPConnectionStateMachine
    private var tls: TLSSession?
    private var parser: HTTPRequestParser
    private var input = InputBuffer()
    private var output = OutputBuffer()
    /// What this turn produced for the client and has not written yet: a stream's head and its pieces (unframed).
    private var turnHead: [UInt8] = []
    private var turnPayload: [UInt8] = []
    private var turnFlushQueued = false
    /// The current response is a stream with a chunked body.
    private var streamIsChunked = false
    private var streamStarted = false
    /// A piece the stream allows between others (an SSE comment), sent to find out whether a half-closed client
    /// is still there.
    private var streamProbe: [UInt8] = []
    private var exchange: HTTPExchange?
    /// The exchange was told it is congested and waits for `proceed()`.
    private var exchangeWaits = false
    private var readingStopped = false
    private var registered = (read: false, write: false)
    /// After a last response to a request whose body was left unread, the closed connection reads and drops what
    /// the client still sends until this deadline (or a budget) instead of resetting it (see `linger`).
    private var lingering: (until: UInt64, budget: Int)?
    /// The current response refuses or fails a request whose body has not all been read.
    private var bodyLeftUnread = false

    init(
        fd: Int32, loop: EventLoop, handler: HTTPRequestHandler, settings: ConnectionSettings, tls: TLSContext?,
        onClose: @escaping @Sendable () -> Void
    ) {
        self.fd = fd
        self.tlsContext = tls
        self.loop = loop
        self.handler = handler
        self.settings = settings
        self.parser = HTTPRequestParser(limits: settings.parserLimits)
        self.onClose = onClose
        self.machine = HTTPConnectionStateMachine(now: MonotonicClock.nanoseconds(), tls: tls != nil, timeouts: settings.timeouts)
    }

    /// Registers with the loop and starts reading.
    func start() {
        loop.preconditionInLoop()
        SocketIO.setNoDelay(fd)
        loop.register(self)
        if let tlsContext {
            guard let session = TLSSession(context: tlsContext, fd: fd) else { return close(.peerGone) }
            tls = session
        }
        updateInterest()
    }

    // MARK: Reactor events

    func socketReadable(_ fd: Int32, error: Bool) {
        loop.assertInLoop()
        if lingering != nil { return discardWhileLingering(error: error) }
        readable()
        // Error or hang-up is reported whatever the interest mask: the peer can receive nothing more.
        if error, !machine.isClosed { close(.peerGone) }
    }

    func socketWritable(_ fd: Int32) {
        loop.assertInLoop()
        writable()
    }

    func sweep(now: UInt64) {
        loop.assertInLoop()
        if let lingering, now >= lingering.until { return release() }
        guard !machine.isClosed else { return }
        perform(machine.tick(now: now, outputStalledSince: output.stalledSince))
    }

    // MARK: Reading

    private func readable() {
        guard !machine.isClosed, tlsReady() else { return }
        var reads = 0
        var sawEndOfFile = false
        while !machine.isClosed, !readingStopped, reads < 16 {
            reads += 1
            let result: IOResult
            do {
                result = try transportRead(into: loop.readScratch)
            } catch {
                return close(.peerGone)
            }
            switch result {
            case .processed(let n):
                input.append(UnsafeRawBufferPointer(rebasing: loop.readScratch[0..<n]))
                if n < loop.readScratch.count { reads = .max }
            case .wouldBlock:
                reads = .max
            case .endOfFile:
                sawEndOfFile = true
                reads = .max
            }
        }
        processInput()
        if sawEndOfFile, !machine.isClosed {
            readingStopped = true
            perform(machine.peerClosedWrite())
            updateInterest()
            probeClient()
        }
    }

    /// Parses what the buffer holds while no response is in progress: one request at a time (pipelined requests
    /// wait for the previous response to finish).
    private func processInput() {
        while !machine.isClosed {
            switch machine.phase {
            case .waiting, .receiving: break
            case .handshaking, .handling, .flushing, .closed: return stopReadingIfBacklogged()
            }
            guard input.readableCount > 0 else { return }
            machine.requestBytesArrived(now: MonotonicClock.nanoseconds())
            switch parser.parse(&input) {
            case .needMore:
                if let head = parser.headAwaitingBody { screen(head) }
                return
            case .failure(let failure):
                return perform(machine.parseFailed(failure))
            case .request(let request):
                let action = machine.requestParsed(request.head)
                guard case .dispatch(let exchange) = action else { return perform(action) }
                // A stream can last minutes: do not hold the request's buffer capacity meanwhile.
                input.releaseIfEmpty()
                handler.handle(request, response: HTTPResponseWriter(connection: self, exchangeNumber: exchange.number))
            }
        }
    }

    /// Shows a head whose body is still coming to the handler (once); a refusal is answered without reading on.
    private func screen(_ head: HTTPRequestHead) {
        let action = machine.headArrived(head)
        guard case .checkHead = action else { return perform(action) }
        if let refusal = handler.screen(head) {
            guard let exchange = machine.headRefused() else { return }
            readingStopped = true
            bodyLeftUnread = true
            updateInterest()
            return respond(exchange.number, refusal)
        }
        parser.reserveAnnouncedBody()
        if parser.wantsContinue {
            parser.continueSent()
            let written = Self.continueLine.withUnsafeBytes { output.write($0, now: MonotonicClock.nanoseconds(), using: transportWrite) }
            guard written else { return close(.peerGone) }
            updateInterest()
        }
    }

    private static let continueLine: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// While a response is open, stop reading once a lot of pipelined input is waiting.
    private func stopReadingIfBacklogged() {
        guard !readingStopped, input.readableCount > settings.parserLimits.maxHeaderBytes * 4 else { return }
        readingStopped = true
        updateInterest()
    }

    // MARK: Responses (called through HTTPResponseWriter)

    func respond(_ number: UInt64, _ response: HTTPResponse) {
        loop.assertInLoop()
        guard let exchange = machine.current(number), !streamStarted else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + response.body.count)
        HTTPResponseEncoder.appendHead(
            status: response.status, headers: response.headers, framing: .length(response.body.count),
            keepAlive: exchange.keepAlive && !machine.draining, http11: exchange.http11, to: &bytes)
        if !exchange.isHead { bytes.append(contentsOf: response.body) }
        machine.responseCompleted(number)
        self.exchange = nil
        write(bytes)
    }

    func startStream(_ number: UInt64, status: Int, headers: HTTPHeaders, probe: [UInt8]) {
        loop.assertInLoop()
        guard machine.current(number) != nil, !streamStarted else { return }
        machine.streamStarted(number)
        guard let exchange = machine.current(number) else { return }
        streamStarted = true
        streamIsChunked = exchange.http11
        streamProbe = probe
        HTTPResponseEncoder.appendHead(
            status: status, headers: headers, framing: exchange.http11 ? .chunked : .closeDelimited,
            keepAlive: exchange.keepAlive && !machine.draining, http11: exchange.http11, to: &turnHead)
        if machine.peerFinishedSending { return probeClient() }
        queueTurnFlush()
    }

    /// The client half-closed during a stream: send the probe now. Only a write can tell a client that is gone
    /// (it answers with a reset, reported as an error, which ends the stream) from one that just stopped sending.
    private func probeClient() {
        guard streamStarted, !streamProbe.isEmpty else { return }
        turnPayload.append(contentsOf: streamProbe)
        flushTurn(ending: false)
    }

    func send(_ number: UInt64, _ bytes: UnsafeRawBufferPointer, end: StreamEnd) {
        loop.assertInLoop()
        guard machine.current(number) != nil, streamStarted else { return }
        turnPayload.append(contentsOf: bytes)
        switch end {
        case .more:
            queueTurnFlush()
        case .final:
            machine.responseCompleted(number)
            exchange = nil
            flushTurn(ending: true)
        }
    }

    func attach(_ number: UInt64, _ exchange: HTTPExchange) {
        loop.assertInLoop()
        guard machine.current(number) != nil else { return }
        self.exchange = exchange
    }

    func isOpen(_ number: UInt64) -> Bool {
        loop.assertInLoop()
        return machine.current(number) != nil
    }

    func isCongested(_ number: UInt64) -> Bool {
        loop.assertInLoop()
        guard machine.current(number) != nil, output.count + turnPayload.count >= settings.highWaterMark else { return false }
        exchangeWaits = true
        return true
    }

    func abort(_ number: UInt64) {
        loop.assertInLoop()
        guard machine.current(number) != nil else { return }
        exchange = nil
        flushTurn(ending: false)
        close(.aborted)
    }

    // MARK: Writing

    private func queueTurnFlush() {
        guard !turnFlushQueued else { return }
        turnFlushQueued = true
        loop.runSoon { [self] in
            turnFlushQueued = false
            flushTurn(ending: false)
        }
    }

    /// Writes this turn's head and pieces as one chunk in one write; `ending` adds the end of the body.
    private func flushTurn(ending: Bool) {
        guard !machine.isClosed, streamStarted else { return }
        guard !turnHead.isEmpty || !turnPayload.isEmpty || ending else { return }
        var frame = loop.takeWriteScratch()
        frame.append(contentsOf: turnHead)
        turnHead.removeAll(keepingCapacity: false)
        if streamIsChunked {
            turnPayload.withUnsafeBytes { HTTPResponseEncoder.appendChunk($0, to: &frame) }
            if ending { HTTPResponseEncoder.appendLastChunk(to: &frame) }
        } else {
            frame.append(contentsOf: turnPayload)
        }
        turnPayload.removeAll(keepingCapacity: !ending)
        if ending { streamStarted = false }
        write(frame)
        loop.returnWriteScratch(frame)
    }

    private func write(_ bytes: [UInt8]) {
        let written = bytes.withUnsafeBytes { output.write($0, now: MonotonicClock.nanoseconds(), using: transportWrite) }
        guard written else { return close(.peerGone) }
        if !output.isEmpty { settings.peakBacklog?.observe(output.count) }
        afterOutputChanged()
    }

    private func writable() {
        guard !machine.isClosed else { return }
        if let tls, !tls.handshakeDone || (tls.wantsWritable && output.isEmpty) {
            // OpenSSL was waiting to send (handshake, or a read that needed a write): let the read side retry.
            updateInterest()
            return readable()
        }
        guard output.flush(now: MonotonicClock.nanoseconds(), using: transportWrite) else { return close(.peerGone) }
        afterOutputChanged()
        // A TLS read that needed to write while the backlog was flushing is retried now.
        if tls?.wantsWritable == true, !machine.isClosed { readable() }
    }

    /// Once the output is empty: a waiting exchange may go on, and a finished response lets the connection close
    /// or move on to the next request.
    private func afterOutputChanged() {
        updateInterest()
        guard output.isEmpty, !machine.isClosed else { return }
        if exchangeWaits {
            exchangeWaits = false
            exchange?.proceed()
        }
        guard case .flushing = machine.phase else { return }
        perform(machine.outputFlushed(now: MonotonicClock.nanoseconds(), hasBufferedInput: input.readableCount > 0))
    }

    // MARK: Actions

    private func perform(_ action: HTTPConnectionStateMachine.Action) {
        switch action {
        case .none, .checkHead, .dispatch:
            // `.checkHead` and `.dispatch` carry their head or request in `processInput`, which handles them.
            break
        case .fail(let status, let message):
            guard let exchange = machine.respondingExchange else { return }
            readingStopped = true
            bodyLeftUnread = parser.headAwaitingBody != nil || input.readableCount > 0
            handler.requestFailed(status: status)
            respond(exchange.number, handler.response(for: HTTPParseFailure(status: status, message: message)))
        case .stopReading:
            readingStopped = true
            updateInterest()
        case .parseNext:
            readingStopped = machine.peerFinishedSending
            input.releaseIfEmpty()
            updateInterest()
            // The next pipelined request is parsed in a fresh turn, so one busy connection cannot starve the others.
            loop.runSoon { [self] in processInput() }
        case .close(let reason):
            finishClosing(reason)
        }
    }

    /// Stops taking new requests: idle connections close now, busy ones after their current response.
    func drain() {
        loop.assertInLoop()
        perform(machine.drain())
    }

    /// Ends the connection for shutdown: the open exchange first gets to tell its client why (an error frame).
    func shutDown() {
        loop.assertInLoop()
        if let current = exchange {
            exchange = nil
            current.stop(.shuttingDown)
        }
        close(.shutdown)
    }

    /// Closes for `reason`: the exchange is told (unless it ended the response itself), then the descriptor is
    /// deregistered and closed.
    func close(_ reason: CloseReason) {
        loop.assertInLoop()
        perform(machine.close(reason))
    }

    private func finishClosing(_ reason: CloseReason) {
        if let current = exchange {
            exchange = nil
            current.stop(.clientGone)
        }
        output.discard()
        turnHead = []
        turnPayload = []
        input = InputBuffer()
        if reason == .finished, bodyLeftUnread, !machine.peerFinishedSending {
            return linger()
        }
        release()
    }

    /// The client may still be sending the body of a request that was refused or failed: closing now would make
    /// the kernel reset the connection, and a reset can destroy the answer before the client has read it. So the
    /// write side is shut (the client sees the end of the response) and what arrives is read and dropped for up to
    /// two seconds or 1 MiB (nginx's lingering close), then the connection closes.
    private func linger() {
        shutdown(fd, Int32(SHUT_WR))
        lingering = (MonotonicClock.nanoseconds() &+ 2_000_000_000, 1 << 20)
        loop.reactor.watch(fd, handler: self, read: true, write: false)
    }

    private func discardWhileLingering(error: Bool) {
        guard var state = lingering else { return }
        while !error, state.budget > 0 {
            let result = try? SocketIO.read(fd, into: loop.readScratch)
            guard case .processed(let n)? = result else {
                if case .wouldBlock? = result {
                    lingering = state
                    return
                }
                break
            }
            state.budget -= n
        }
        release()
    }

    /// Deregisters and closes the descriptor; the connection is gone.
    private func release() {
        lingering = nil
        loop.reactor.forget(fd)
        tls?.free()
        tls = nil
        Glibc.close(fd)
        loop.unregister(self)
        onClose()
    }

    // MARK: Transport (plain or TLS)

    private func updateInterest() {
        guard !machine.isClosed else { return }
        let read = !readingStopped
        let write = !output.isEmpty || tls?.wantsWritable == true
        guard registered != (read, write) else { return }
        registered = (read, write)
        loop.reactor.watch(fd, handler: self, read: read, write: write)
    }

    @inline(__always)
    private func transportRead(into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> IOResult {
        if let tls { return try tls.read(into: buffer) }
        return try SocketIO.read(fd, into: buffer)
    }

    @inline(__always)
    private func transportWrite(_ buffer: UnsafeRawBufferPointer) throws(SocketError) -> IOResult {
        if let tls { return try tls.write(buffer) }
        return try SocketIO.write(fd, buffer)
    }

    /// Drives the TLS handshake; true once application data can flow.
    private func tlsReady() -> Bool {
        guard let tls, !tls.handshakeDone else { return true }
        do {
            if try tls.handshake() {
                machine.handshakeFinished(now: MonotonicClock.nanoseconds())
                updateInterest()
                return true
            }
        } catch {
            close(.peerGone)
            return false
        }
        updateInterest()
        return false
    }
}
