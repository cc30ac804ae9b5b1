import ProxyCore

/// The Perplexity emulator as a server on 127.0.0.1: used by tests (in-process), by `serve --demo` and by the
/// `mock-upstream` command.
public final class MockUpstreamServer: Sendable {
    private let server: HTTPServer
    private let stats = MockStats()

    /// Binds `host:port` (port 0 picks a free one); with `tls` it speaks HTTPS (an upstream behind a private CA).
    public init(
        options: MockOptions, host: String = "127.0.0.1", port: UInt16 = 0, group: EventLoopGroup = EventLoopGroup(count: 1),
        tls: TLSContext? = nil
    ) throws {
        guard let address = SocketAddress(host: host, port: port) else {
            throw SocketError(call: "resolve \(host)", code: 22)
        }
        let handler = MockRequestHandler(responder: MockResponder(options: options), options: options, stats: stats)
        // Long header timeout: scripted clients in tests may idle between requests.
        self.server = try HTTPServer(
            address: address, group: group, handler: handler, settings: ConnectionSettings(idleTimeoutMs: 300_000), tls: tls)
        self.scheme = tls == nil ? "http" : "https"
    }

    /// The bound address.
    public var localAddress: SocketAddress { server.localAddress }

    private let scheme: String

    /// The base URL to give the proxy, e.g. `http://127.0.0.1:41234`.
    public var baseURL: String { "\(scheme)://\(localAddress)" }

    /// Starts serving.
    public func start() {
        server.start()
    }

    /// TCP connections the mock has accepted (upstream connection reuse shows as fewer connections than requests).
    public var acceptedConnections: Int { server.acceptedConnections.load }

    /// TCP connections open to the mock right now.
    public var openConnections: Int { server.openConnections.load }

    /// What the mock has seen so far.
    public var statistics: MockStatsSnapshot { stats.snapshot }

    /// Closes every open connection but keeps accepting new ones (an upstream dropping its idle keep-alive
    /// connections).
    public func closeConnections() {
        server.closeAllConnections()
    }

    /// Stops accepting and closes every connection.
    public func stop() {
        server.stop()
    }
}
