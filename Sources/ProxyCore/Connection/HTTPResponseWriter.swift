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
    public func respond(_ response: HTTPResponse) {
        connection.respond(exchangeNumber, response)
    }

    /// Sends a complete response with `Content-Length`.
    public func respond(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8]) {
        respond(HTTPResponse(status: status, headers: headers, body: body))
    }

    /// Starts a streamed response: chunked for HTTP/1.1 clients, close-delimited for HTTP/1.0. The head leaves
    /// with the first piece, or at the end of this turn of the loop.
    ///
    /// `probe` is a piece the connection may send between others without changing what the body means (an SSE
    /// comment). It is sent when the client half-closes: a client that closed altogether answers the next write
    /// with a reset, which ends the stream at once, while one that only stopped sending goes on receiving.
    public func startStream(status: Int, headers: HTTPHeaders, probe: [UInt8] = []) {
        connection.startStream(exchangeNumber, status: status, headers: headers, probe: probe)
    }

    /// Sends a piece of a streamed response; `.final` ends the response with it. Pieces sent in one turn of the
    /// loop leave in one write at its end (the last piece at once): no piece waits for a later one.
    public func send(_ bytes: UnsafeRawBufferPointer, end: StreamEnd = .more) {
        connection.send(exchangeNumber, bytes, end: end)
    }

    /// Sends a piece of a streamed response; `.final` ends the response with it.
    public func send(_ bytes: [UInt8], end: StreamEnd = .more) {
        bytes.withUnsafeBytes { send($0, end: end) }
    }

    /// Attaches the object told to `proceed` after congestion and to `stop`, until the response ends.
    public func attach(_ exchange: HTTPExchange) {
        connection.attach(exchangeNumber, exchange)
    }

    /// Whether this response can still be written (the client has not gone, nothing ended it).
    public var isOpen: Bool {
        connection.isOpen(exchangeNumber)
    }

    /// Whether the client is behind: stop producing until the exchange's `proceed()`.
    public var isCongested: Bool {
        connection.isCongested(exchangeNumber)
    }

    /// Closes the connection without finishing the response (the client sees a truncated body, including what
    /// was sent in this turn). The attached exchange is not called back.
    public func abort() {
        connection.abort(exchangeNumber)
    }
}

/// Whether a piece ends its response.
public enum StreamEnd: Sendable {
    case more
    case final
}
