import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// One accepted client socket: reads and parses requests, hands each to the handler, writes responses in order.
///
/// Confined to `loop`: every method runs on the loop's queue. The loop's registry holds the connection alive until
/// `close()`. Non-blocking I/O driven by the loop's `SocketReactor`; writes go straight to the socket and only what
/// the kernel refuses is buffered, with write interest registered until that backlog drains.
public final class ClientConnection: LoopSweepable, SocketEventHandler, @unchecked Sendable {
    let loop: EventLoop
    private let fd: Int32
    private let handler: HTTPRequestHandler
    private let settings: ConnectionSettings
    private let onClose: @Sendable () -> Void
    private let tlsContext: TLSContext?
    private var tls: TLSSession?

    /// Whether write readiness is being watched (only while a backlog waits).
    private var watchingWrites = false
    /// Whether reading is paused (pipelined input piling up, or the client half-closed).
    private var readSuspended = false

    private var input = InputBuffer()
    private var parser: HTTPRequestParser
    private var output: [UInt8] = []
    private var outputIndex = 0
    /// A streamed response's head, held until its first piece or the end of the current turn, whichever comes
    /// first, so the two usually leave in one write.
    private var pendingHead: [UInt8] = []

    private enum ResponseState { case idle, awaitingHandler, streaming(chunked: Bool), complete }
    private var responseState = ResponseState.idle
    private var exchangeCounter: UInt64 = 0
    private var exchange: HTTPExchange?
    private var drainRequested = false
    private var keepAlive = true
    private var isHeadRequest = false
    /// When bytes last left for the client; a backlog that makes no progress for the idle timeout ends the
    /// connection, so a client that stops reading cannot pin a paused stream forever.
    private var lastWriteProgress: UInt64 = 0
    private var closing = false
    private var closed = false
    private var draining = false

    private enum DeadlineKind { case none, header, idle }
    private var deadline: UInt64 = 0
    private var deadlineKind = DeadlineKind.none

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
    }

    /// Registers with the loop and starts reading. Call on the loop.
    func start() {
        loop.preconditionInLoop()
        SocketIO.setNoDelay(fd)
        loop.register(self)
        setDeadline(.header, milliseconds: settings.headerTimeoutMs)
        if let tlsContext {
            guard let session = TLSSession(context: tlsContext, fd: fd) else { return close() }
            tls = session
        }
        loop.reactor.watch(fd, handler: self, read: true, write: false)
    }

    // MARK: Reactor events

    func socketReadable(_ fd: Int32, error: Bool) {
        readable()
        // Error or hang-up is reported whatever the interest mask: if reading did not end the connection (reads
        // suspended, or EOF already seen) it would come back on every drain. The peer cannot receive either.
        if error, !closed { clientGone() }
    }

    func socketWritable(_ fd: Int32) {
        writable()
    }

    /// Tells the reactor which directions to watch now.
    private func updateInterest() {
        guard !closed else { return }
        loop.reactor.update(fd, read: !readSuspended, write: watchingWrites)
    }

    // MARK: Transport (plain or TLS)

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
            if try tls.handshake() { return true }
        } catch {
            close()
            return false
        }
        if tls.wantsWritable { watchWrites() }
        return false
    }

    // MARK: Reading

    private func readable() {
        guard !closed, tlsReady() else { return }
        var reads = 0
        while !closed, !readSuspended, reads < 16 {
            reads += 1
            let result: IOResult
            do {
                result = try transportRead(into: loop.readScratch)
            } catch {
                clientGone()
                return
            }
            switch result {
            case .processed(let n):
                input.append(UnsafeRawBufferPointer(rebasing: loop.readScratch[0..<n]))
                if n < loop.readScratch.count { reads = .max }
            case .wouldBlock:
                if tls?.wantsWritable == true { watchWrites() }
                reads = .max
            case .endOfFile:
                peerFinishedSending()
                return
            }
        }
        processInput()
    }

    /// The client sent FIN. No more requests are read and the connection closes after the current response. A
    /// response being produced is the exchange's call: streams abort (the client has almost always gone, and its
    /// upstream run must stop), single responses are still delivered to a half-closed client (`printf … | nc`).
    private func peerFinishedSending() {
        switch responseState {
        case .awaitingHandler, .streaming:
            stopReading()
            keepAlive = false
            exchange?.clientFinishedSending()
        case .complete:
            stopReading()
            keepAlive = false
        case .idle:
            stopReading()
            keepAlive = false
            if input.readableCount > 0 { processInput() }
            if case .idle = responseState { close() }
        }
    }

    private func stopReading() {
        guard !readSuspended, !closed else { return }
        readSuspended = true
        updateInterest()
    }

    /// Parses and dispatches as many requests as the buffer holds, one at a time (pipelined requests wait for
    /// the previous response to finish).
    private func processInput() {
        while !closed, !closing, case .idle = responseState {
            if input.readableCount > 0, deadlineKind == .idle {
                setDeadline(.header, milliseconds: settings.headerTimeoutMs)
            }
            switch parser.parse(&input) {
            case .needMore:
                if parser.wantsContinue {
                    parser.continueSent()
                    enqueue(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                }
                if parser.isMidRequest { setDeadline(.header, milliseconds: max(settings.headerTimeoutMs, settings.idleTimeoutMs)) }
                return
            case .failure(let failure):
                failRequest(failure)
                return
            case .request(let request):
                dispatch(request)
            }
        }
        // While a response is open, stop reading once a lot of pipelined input is waiting.
        if input.readableCount > settings.parserLimits.maxHeaderBytes * 4, !readSuspended, !closed {
            readSuspended = true
            updateInterest()
        }
    }

    private func dispatch(_ request: HTTPRequest) {
        exchangeCounter &+= 1
        responseState = .awaitingHandler
        keepAlive = keepAlive && request.keepAlive && !draining
        clientSpeaksHTTP11 = request.minorVersion >= 1
        isHeadRequest = request.method == "HEAD"
        clearDeadline()
        // A stream can last minutes: do not hold the request's buffer capacity meanwhile.
        input.releaseIfEmpty()
        handler.handle(request, response: HTTPResponseWriter(connection: self, exchangeNumber: exchangeCounter))
    }

    private func failRequest(_ failure: HTTPParseFailure) {
        exchangeCounter &+= 1
        keepAlive = false
        clientSpeaksHTTP11 = true
        isHeadRequest = false
        responseState = .awaitingHandler
        let code: String =
            switch failure.status {
            case 413: "request_too_large"
            case 431: "request_header_fields_too_large"
            case 408: "request_timeout"
            default: "invalid_http_request"
            }
        let error = OpenAIError(status: failure.status, type: "invalid_request_error", code: code, message: failure.message)
        handler.requestFailed(status: failure.status)
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        respond(exchangeCounter, status: failure.status, headers: headers, body: error.jsonBody)
    }

    // MARK: Responses (called through HTTPResponseWriter)

    func isCurrent(_ number: UInt64) -> Bool {
        guard number == exchangeCounter, !closed else { return false }
        switch responseState {
        case .awaitingHandler, .streaming: return true
        case .idle, .complete: return false
        }
    }

    func respond(_ number: UInt64, status: Int, headers: HTTPHeaders, body: [UInt8]) {
        guard number == exchangeCounter, !closed else { return }
        switch responseState {
        case .awaitingHandler: break
        case .idle, .streaming, .complete: return
        }
        var head = HTTPResponseHead(status: status, headers: headers)
        head.headers.add("Content-Length", String(body.count))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + body.count)
        appendHead(head, to: &bytes)
        if !isHeadRequest { bytes.append(contentsOf: body) }
        responseState = .complete
        enqueue(bytes)
        responseFinishedIfFlushed()
    }

    func startStream(_ number: UInt64, status: Int, headers: HTTPHeaders) {
        guard isCurrent(number), case .awaitingHandler = responseState else { return }
        let chunked = clientSpeaksHTTP11
        var head = HTTPResponseHead(status: status, headers: headers)
        if chunked {
            head.headers.add("Transfer-Encoding", "chunked")
        } else {
            keepAlive = false
        }
        appendHead(head, to: &pendingHead)
        responseState = .streaming(chunked: chunked)
        // No piece by the end of this turn: the head goes out alone.
        loop.runSoon { [self] in
            guard !pendingHead.isEmpty else { return }
            writeAfterPendingHead { _ in }
        }
    }

    func sendStreamChunk(_ number: UInt64, _ bytes: UnsafeRawBufferPointer) {
        guard number == exchangeCounter, !closed, case .streaming(let chunked) = responseState, bytes.count > 0 else { return }
        writeAfterPendingHead { frame in
            if chunked {
                appendChunk(bytes, to: &frame)
            } else {
                frame.append(contentsOf: bytes)
            }
        }
    }

    /// Writes the held head (if any) and what `appendPiece` adds, in one write assembled in the loop's scratch.
    private func writeAfterPendingHead(_ appendPiece: (inout [UInt8]) -> Void) {
        var frame = loop.takeWriteScratch()
        frame.append(contentsOf: pendingHead)
        pendingHead = []
        appendPiece(&frame)
        enqueue(frame)
        loop.returnWriteScratch(frame)
    }

    /// Appends `bytes` framed as one chunk of a chunked body.
    private func appendChunk(_ bytes: UnsafeRawBufferPointer, to frame: inout [UInt8]) {
        appendHex(bytes.count, to: &frame)
        frame.append(13)
        frame.append(10)
        frame.append(contentsOf: bytes)
        frame.append(13)
        frame.append(10)
    }

    func finishStream(_ number: UInt64, lastBytes: UnsafeRawBufferPointer) {
        guard number == exchangeCounter, !closed, case .streaming(let chunked) = responseState else { return }
        responseState = .complete
        writeAfterPendingHead { frame in
            if chunked {
                if lastBytes.count > 0 { appendChunk(lastBytes, to: &frame) }
                frame.append(contentsOf: "0\r\n\r\n".utf8)
            } else {
                frame.append(contentsOf: lastBytes)
            }
        }
        responseFinishedIfFlushed()
    }

    func attach(_ number: UInt64, _ exchange: HTTPExchange) {
        guard isCurrent(number) else { return }
        self.exchange = exchange
    }

    var outputBacklog: Int { output.count - outputIndex }

    func requestDrainNotification(_ number: UInt64) {
        guard isCurrent(number) else { return }
        drainRequested = true
    }

    func abortExchange(_ number: UInt64) {
        guard number == exchangeCounter, !closed else { return }
        close()
    }

    private var clientSpeaksHTTP11 = true

    private func appendHead(_ head: HTTPResponseHead, to bytes: inout [UInt8]) {
        var head = head
        if !keepAlive || draining {
            head.headers.add("Connection", "close")
        } else if !clientSpeaksHTTP11 {
            head.headers.add("Connection", "keep-alive")
        }
        head.appendStatusAndHeaders(to: &bytes)
        bytes.append(13); bytes.append(10)
    }

    private func appendHex(_ value: Int, to out: inout [UInt8]) {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var shift = (Int.bitWidth - value.leadingZeroBitCount + 3) / 4 * 4 - 4
        if shift < 0 { shift = 0 }
        while shift >= 0 {
            out.append(digits[(value >> shift) & 0xF])
            shift -= 4
        }
    }

    // MARK: Writing

    private func enqueue(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { enqueue($0) }
    }

    /// Writes directly when nothing is queued; buffers only what the kernel does not take.
    private func enqueue(_ bytes: UnsafeRawBufferPointer) {
        guard !closed, bytes.count > 0 else { return }
        if outputIndex == output.count {
            var written = 0
            while written < bytes.count {
                let result: IOResult
                do {
                    result = try transportWrite(UnsafeRawBufferPointer(rebasing: bytes[written...]))
                } catch {
                    clientGone()
                    return
                }
                guard case .processed(let n) = result else { break }
                written += n
            }
            if written == bytes.count { return }
            // A backlog starts now: its no-progress deadline counts from here.
            lastWriteProgress = MonotonicClock.nanoseconds()
            output.removeAll(keepingCapacity: true)
            outputIndex = 0
            output.append(contentsOf: bytes[written...])
        } else {
            output.append(contentsOf: bytes)
        }
        watchWrites()
    }

    private func watchWrites() {
        guard !watchingWrites, !closed else { return }
        watchingWrites = true
        updateInterest()
    }

    private func writable() {
        guard !closed else { return }
        if let tls, !tls.handshakeDone || (tls.wantsWritable && outputIndex == output.count) {
            // OpenSSL was waiting to send (handshake, or a read that needed a write): let the read side retry.
            if outputIndex == output.count, watchingWrites {
                watchingWrites = false
                updateInterest()
            }
            readable()
            return
        }
        while outputIndex < output.count {
            let result: IOResult
            do {
                result = try output.withUnsafeBytes { raw throws(SocketError) in
                    try transportWrite(UnsafeRawBufferPointer(rebasing: raw[outputIndex...]))
                }
            } catch {
                clientGone()
                return
            }
            guard case .processed(let n) = result else { return }
            outputIndex += n
            lastWriteProgress = MonotonicClock.nanoseconds()
        }
        output = []
        outputIndex = 0
        if watchingWrites {
            watchingWrites = false
            updateInterest()
        }
        // A TLS read that needed to write while the backlog was flushing is retried now.
        let retryRead = tls?.wantsWritable == true
        if drainRequested {
            drainRequested = false
            exchange?.clientDrained()
        }
        responseFinishedIfFlushed()
        if retryRead, !closed { readable() }
    }

    /// Once a finished response has fully left, either closes or moves on to the next pipelined request.
    private func responseFinishedIfFlushed() {
        guard !closed, case .complete = responseState, outputIndex == output.count else { return }
        if drainRequested {
            drainRequested = false
        }
        exchange = nil
        if !keepAlive || closing || draining {
            close()
            return
        }
        responseState = .idle
        if readSuspended {
            readSuspended = false
            updateInterest()
        }
        if input.readableCount == 0 {
            input.releaseIfEmpty()
            setDeadline(.idle, milliseconds: settings.idleTimeoutMs)
        } else {
            setDeadline(.header, milliseconds: settings.headerTimeoutMs)
        }
        // Keep-alive: the next pipelined request (if any) is parsed in a fresh turn so one busy connection cannot
        // starve the others on the loop.
        loop.runSoon { [self] in processInput() }
    }

    // MARK: Deadlines

    private func setDeadline(_ kind: DeadlineKind, milliseconds: Int) {
        deadlineKind = kind
        deadline = MonotonicClock.nanoseconds() &+ MonotonicClock.nanoseconds(milliseconds: milliseconds)
    }

    private func clearDeadline() {
        deadlineKind = .none
        deadline = 0
    }

    public func sweep(now: UInt64) {
        guard !closed else { return }
        if outputIndex < output.count, now &- lastWriteProgress >= MonotonicClock.nanoseconds(milliseconds: settings.idleTimeoutMs) {
            clientGone()
            return
        }
        exchange?.sweep(now: now)
        guard deadlineKind != .none, now >= deadline else { return }
        switch deadlineKind {
        case .none:
            return
        case .idle:
            close()
        case .header:
            clearDeadline()
            if let tls, !tls.handshakeDone {
                // No HTTP can be spoken before the handshake: a silent TLS client is just closed.
                close()
            } else if case .idle = responseState {
                failRequest(HTTPParseFailure(status: 408, message: "the request was not received in time"))
            } else {
                close()
            }
        }
    }

    // MARK: Shutdown

    /// Stops taking new requests: idle connections close now, busy ones after their current response.
    func drain() {
        draining = true
        if case .idle = responseState, !parser.isMidRequest { close() }
    }

    /// Ends the connection for shutdown: the open exchange first gets to tell its client why (an error frame).
    func shutDown() {
        exchange?.serverShuttingDown()
        close()
    }

    private func clientGone() {
        guard !closed else { return }
        let current = exchange
        exchange = nil
        close()
        current?.clientDisconnected()
    }

    /// Closes the socket: deregistered from the reactor (synchronously), then closed.
    func close() {
        guard !closed else { return }
        closed = true
        if let exchange {
            self.exchange = nil
            exchange.clientDisconnected()
        }
        loop.reactor.forget(fd)
        tls?.free()
        tls = nil
        Glibc.close(fd)
        output = []
        pendingHead = []
        loop.unregister(self)
        onClose()
    }
}
