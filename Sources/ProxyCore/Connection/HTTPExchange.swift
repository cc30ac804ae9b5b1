/// The live side of one request/response exchange: the connection calls it back while the response is open.
///
/// Implementations are confined to the connection's event loop.
public protocol HTTPExchange: AnyObject {
    /// The client closed or reset the connection before the response finished: abort upstream work now.
    func clientDisconnected()
    /// The client half-closed (sent FIN) while the response is being produced. Usually it has gone away; a
    /// streaming exchange should abort (`HTTPResponseWriter.abort()`), a single response may still be delivered.
    func clientFinishedSending()
    /// The client took the whole output backlog after `HTTPResponseWriter.notifyWhenDrained()`.
    func clientDrained()
    /// Periodic tick (about every 100 ms) for upstream deadlines and keep-alive pings.
    func sweep(now: UInt64)
    /// The proxy is shutting down and this response cannot finish: end it now in a way the client can see.
    func serverShuttingDown()
}

extension HTTPExchange {
    public func serverShuttingDown() {}
}

/// Answers complete requests. Called on the connection's event loop; must not block.
public protocol HTTPRequestHandler: Sendable {
    /// Handles one request, answering through `response` now or later (streams keep it and attach an exchange).
    func handle(_ request: HTTPRequest, response: HTTPResponseWriter)
    /// The connection answered an HTTP-level failure itself (400, 408, 413, 431, …), for metrics.
    func requestFailed(status: Int)
}

extension HTTPRequestHandler {
    public func requestFailed(status: Int) {}
}
