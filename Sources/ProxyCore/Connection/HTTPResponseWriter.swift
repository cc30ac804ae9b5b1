/// Writes the response to one request. A value handle: calls made after the exchange ended (client gone, response
/// finished) are ignored, so a late upstream callback can never write into the next pipelined response.
///
/// Confined to the connection's event loop.
public struct HTTPResponseWriter {
    /// Strong: a late timer or upstream callback may use the writer after the connection closed; the connection then
    /// ignores it (the exchange is no longer current). There is no lasting cycle: the connection drops its exchange
    /// when the response ends or the connection closes. Not weak, because the target of a weak reference keeps its
    /// reference count in a side table, which slows every retain and release of the connection.
    private let connection: ClientConnection
    let exchangeNumber: UInt64
    /// The event loop that owns the connection (upstream work for this exchange runs there too).
    public let loop: EventLoop

    init(connection: ClientConnection, exchangeNumber: UInt64) {
        self.connection = connection
        self.exchangeNumber = exchangeNumber
        self.loop = connection.loop
    }

    /// Sends a complete response with `Content-Length`.
    public func respond(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8]) {
        connection.respond(exchangeNumber, status: status, headers: headers, body: body)
    }

    /// Sends an OpenAI-style error response (JSON body, `Retry-After` when set).
    public func respond(error: OpenAIError, extraHeaders: HTTPHeaders = HTTPHeaders()) {
        var headers = extraHeaders
        headers.add("Content-Type", "application/json")
        if let retry = error.retryAfterSeconds { headers.add("Retry-After", String(retry)) }
        respond(status: error.status, headers: headers, body: error.jsonBody)
    }

    /// Starts a streamed response: chunked for HTTP/1.1 clients, close-delimited for HTTP/1.0.
    public func startStream(status: Int, headers: HTTPHeaders) {
        connection.startStream(exchangeNumber, status: status, headers: headers)
    }

    /// Sends one piece of a streamed response (one chunk) right away.
    public func send(_ bytes: UnsafeRawBufferPointer) {
        connection.sendStreamChunk(exchangeNumber, bytes)
    }

    /// Sends one piece of a streamed response (one chunk) right away.
    public func send(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { send($0) }
    }

    /// Ends a streamed response, sending `lastBytes` (if any) as its last piece in the same write.
    public func finishStream(after lastBytes: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)) {
        connection.finishStream(exchangeNumber, lastBytes: lastBytes)
    }

    /// Attaches the object that receives disconnect, drain and sweep callbacks until the response ends.
    public func attach(_ exchange: HTTPExchange) {
        connection.attach(exchangeNumber, exchange)
    }

    /// Bytes written by this response that the client has not yet accepted.
    public var backlog: Int {
        guard connection.isCurrent(exchangeNumber) else { return 0 }
        return connection.outputBacklog
    }

    /// Asks for one `clientDrained()` call once the client has taken the whole backlog.
    public func notifyWhenDrained() {
        connection.requestDrainNotification(exchangeNumber)
    }

    /// Closes the connection at once without finishing the response (the client sees a truncated body). The
    /// attached exchange gets `clientDisconnected()`, as for any other close.
    public func abort() {
        connection.abortExchange(exchangeNumber)
    }
}
