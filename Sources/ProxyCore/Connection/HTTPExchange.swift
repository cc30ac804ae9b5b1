/// The live side of one request/response exchange: what the connection tells the code producing a response.
///
/// Two calls, after h2o's generator (`proceed`, `stop`). Implementations are confined to the connection's loop.
public protocol HTTPExchange: AnyObject {
    /// The client took the backlog that made `HTTPResponseWriter.isCongested` true: send more.
    func proceed()
    /// The response cannot go on. For `.shuttingDown` the exchange may still send its last bytes (an error frame)
    /// inside this call; for `.clientGone` nothing it sends arrives.
    func stop(_ reason: ExchangeStop)
}

/// Why an exchange must stop.
public enum ExchangeStop: Sendable, Equatable {
    /// The client closed or reset the connection, or stopped reading for too long.
    case clientGone
    /// The proxy is shutting down and this response cannot finish.
    case shuttingDown
}

/// A complete response, for answers given in one piece.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Answers requests. Called on the connection's event loop; must not block.
public protocol HTTPRequestHandler: Sendable {
    /// Handles one complete request, answering through `response` now or later (streams keep it and attach an
    /// exchange).
    func handle(_ request: HTTPRequest, response: HTTPResponseWriter)
    /// A head whose body has not all arrived: a response refuses the request at once, and the connection closes
    /// without reading the body (a caller without a key must not make the proxy buffer 30 MB); nil reads on.
    func screen(_ head: HTTPRequestHead) -> HTTPResponse?
    /// The answer to an HTTP-level failure the connection found itself (malformed, over a limit, too slow).
    func response(for failure: HTTPParseFailure) -> HTTPResponse
    /// The connection answered an HTTP-level failure itself (400, 408, 413, 431, …), for metrics.
    func requestFailed(status: Int)
}

extension HTTPRequestHandler {
    public func screen(_ head: HTTPRequestHead) -> HTTPResponse? { nil }

    public func requestFailed(status: Int) {}

    public func response(for failure: HTTPParseFailure) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "text/plain; charset=utf-8")
        return HTTPResponse(status: failure.status, headers: headers, body: Array((failure.message + "\n").utf8))
    }
}
