import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// Accepts TCP connections on one listening socket and spreads them over an event-loop group.
///
/// The accept source runs on the first loop; each accepted socket is handed to the next loop round-robin and lives
/// there until it closes.
public final class HTTPServer: @unchecked Sendable {
    /// The loops that serve connections.
    public let group: EventLoopGroup
    private let listener: ListeningSocket
    private let handler: HTTPRequestHandler
    private let settings: ConnectionSettings
    private let tls: TLSContext?
    private var acceptSource: DispatchSourceRead?
    private var acceptPaused = false
    /// Connections currently open (all loops).
    public let openConnections = AtomicCounter()
    /// Connections accepted since start.
    public let acceptedConnections = AtomicCounter()

    /// Binds `address` (port 0 picks a free port). Throws when the address cannot be bound.
    public init(
        address: SocketAddress, group: EventLoopGroup, handler: HTTPRequestHandler, settings: ConnectionSettings,
        tls: TLSContext? = nil
    ) throws(SocketError) {
        self.listener = try ListeningSocket(address: address)
        self.group = group
        self.handler = handler
        self.settings = settings
        self.tls = tls
    }

    /// The bound address, with the real port.
    public var localAddress: SocketAddress { listener.localAddress }

    /// Starts accepting connections.
    public func start() {
        let acceptLoop = group.loops[0]
        let source = DispatchSource.makeReadSource(fileDescriptor: listener.fd, queue: acceptLoop.queue)
        source.setEventHandler { [unowned self] in self.acceptPending() }
        let fd = listener.fd
        source.setCancelHandler { Glibc.close(fd) }
        acceptSource = source
        source.resume()
    }

    private func acceptPending() {
        for _ in 0..<256 {
            let client: Int32?
            do {
                client = try listener.accept()
            } catch {
                // EMFILE and friends: the listener stays readable, so pause accepting briefly instead of spinning.
                pauseAccepting()
                return
            }
            guard let fd = client else { return }
            let loop = group.next()
            let handler = self.handler
            let settings = self.settings
            let tls = self.tls
            let counter = openConnections
            counter.increment()
            acceptedConnections.increment()
            loop.execute {
                let connection = ClientConnection(fd: fd, loop: loop, handler: handler, settings: settings, tls: tls) {
                    counter.subtract(1)
                }
                connection.start()
            }
        }
    }

    private func pauseAccepting() {
        guard let source = acceptSource, !acceptPaused else { return }
        acceptPaused = true
        source.suspend()
        group.loops[0].queue.asyncAfter(deadline: .now() + .milliseconds(100)) { [weak self] in
            guard let self, self.acceptPaused else { return }
            self.acceptPaused = false
            self.acceptSource?.resume()
        }
    }

    /// Stops accepting (the listening socket is closed); open connections are left alone.
    public func stopAccepting() {
        group.loops[0].queue.sync {
            if acceptPaused {
                acceptPaused = false
                acceptSource?.resume()
            }
            acceptSource?.cancel()
            acceptSource = nil
        }
    }

    /// Asks every open connection to finish its current response and close (idle ones close now).
    public func drainConnections() {
        for loop in group.loops {
            loop.execute { loop.forEachRegistered { ($0 as? ClientConnection)?.drain() } }
        }
    }

    /// Stops at once: no more accepts, every connection closed, the loops' timers and upstream sockets released.
    public func stop() {
        stopAccepting()
        closeAllConnections()
        group.shutdown()
    }

    /// Ends every open connection for shutdown: open responses are told why (`serverShuttingDown`), then closed.
    public func shutDownAllConnections() {
        for loop in group.loops {
            loop.queue.sync { loop.forEachRegistered { ($0 as? ClientConnection)?.shutDown() } }
        }
    }

    /// Closes every open connection at once, aborting open streams.
    public func closeAllConnections() {
        for loop in group.loops {
            loop.queue.sync { loop.forEachRegistered { ($0 as? ClientConnection)?.close() } }
        }
    }
}
