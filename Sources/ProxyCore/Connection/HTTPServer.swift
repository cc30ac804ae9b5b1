import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// Accepts TCP connections on one listening socket and spreads them over an event-loop group.
///
/// The listening socket is watched by the first loop's reactor; each accepted socket is handed to the next loop
/// round-robin and lives there until it closes. Accepting state is confined to the first loop.
public final class HTTPServer: SocketEventHandler, @unchecked Sendable {
    /// The loops that serve connections.
    public let group: EventLoopGroup
    private let listener: ListeningSocket
    private let handler: HTTPRequestHandler
    private let settings: ConnectionSettings
    private let tls: TLSContext?
    private var accepting = false
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
        acceptLoop.sync {
            accepting = true
            acceptLoop.reactor.watch(listener.fd, handler: self, read: true, write: false)
        }
    }

    func socketReadable(_ fd: Int32, error: Bool) {
        acceptPending()
    }

    func socketWritable(_ fd: Int32) {}

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
            let startConnection: @Sendable () -> Void = {
                let connection = ClientConnection(fd: fd, loop: loop, handler: handler, settings: settings, tls: tls) {
                    counter.subtract(1)
                }
                connection.start()
            }
            if loop === group.loops[0] {
                loop.runSoon(startConnection)
            } else {
                loop.execute(startConnection)
            }
        }
    }

    private func pauseAccepting() {
        let acceptLoop = group.loops[0]
        guard accepting, !acceptPaused else { return }
        acceptPaused = true
        acceptLoop.reactor.remove(listener.fd)
        acceptLoop.execute(afterMilliseconds: 100) { [weak self] in
            guard let self, accepting, acceptPaused else { return }
            acceptPaused = false
            acceptLoop.reactor.watch(listener.fd, handler: self, read: true, write: false)
        }
    }

    /// Stops accepting (the listening socket is closed); open connections are left alone.
    public func stopAccepting() {
        let acceptLoop = group.loops[0]
        acceptLoop.sync {
            guard accepting else { return }
            accepting = false
            acceptPaused = false
            acceptLoop.reactor.remove(listener.fd)
            Glibc.close(listener.fd)
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
            loop.sync { loop.forEachRegistered { ($0 as? ClientConnection)?.shutDown() } }
        }
    }

    /// Closes every open connection at once, aborting open streams.
    public func closeAllConnections() {
        for loop in group.loops {
            loop.sync { loop.forEachRegistered { ($0 as? ClientConnection)?.close(.shutdown) } }
        }
    }
}
