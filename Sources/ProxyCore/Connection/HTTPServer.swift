import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// Accepts TCP connections on one listening socket and spreads them over an event-loop group.
///
/// The listening socket is watched by the first loop's reactor; each accepted socket is handed to the next loop
/// round-robin and lives there until it closes. Accepting state is confined to the first loop.
///
/// The listener never stalls, whoever connects:
/// - past `maxConnections` a new connection is accepted, answered `503` and closed at once;
/// - when the process is out of descriptors (EMFILE/ENFILE), a spare descriptor kept for the purpose is closed to
///   accept the waiting connection, which gets the same 503, and the spare is taken again (libuv's trick). If
///   even that fails, accepting pauses for 100 ms on the loop's own timer and resumes by itself. (Before, a burst
///   of idle connections past the limit left a listener that never accepted again.)
public final class HTTPServer: SocketEventHandler, @unchecked Sendable {
    /// The loops that serve connections.
    public let group: EventLoopGroup
    private let listener: ListeningSocket
    private let handler: HTTPRequestHandler
    private let settings: ConnectionSettings
    private let tls: TLSContext?
    /// Open client connections at which new ones are refused; set before `start()`.
    public var maxConnections = Int.max
    private var accepting = false
    private var acceptPaused = false
    private var spareDescriptor: Int32 = -1
    private var resumeTimer: ReactorTimer?
    /// Connections currently open (all loops).
    public let openConnections: AtomicCounter
    /// Connections accepted since start.
    public let acceptedConnections = AtomicCounter()
    /// Connections refused because `maxConnections` were open or descriptors ran out.
    public let refusedConnections: AtomicCounter

    /// Binds `address` (port 0 picks a free port). Throws when the address cannot be bound.
    public init(
        address: SocketAddress, group: EventLoopGroup, handler: HTTPRequestHandler, settings: ConnectionSettings,
        tls: TLSContext? = nil, openConnections: AtomicCounter = AtomicCounter(), refusedConnections: AtomicCounter = AtomicCounter()
    ) throws(SocketError) {
        self.listener = try ListeningSocket(address: address)
        self.group = group
        self.handler = handler
        self.settings = settings
        self.tls = tls
        self.openConnections = openConnections
        self.refusedConnections = refusedConnections
    }

    /// The bound address, with the real port.
    public var localAddress: SocketAddress { listener.localAddress }

    /// Starts accepting connections.
    public func start() {
        let acceptLoop = group.loops[0]
        acceptLoop.sync {
            accepting = true
            spareDescriptor = open("/dev/null", O_RDONLY | O_CLOEXEC)
            resumeTimer = ReactorTimer(reactor: acceptLoop.reactor) { [unowned self] in resumeAccepting() }
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
            } catch let error where error.code == EMFILE || error.code == ENFILE {
                guard shedOneWithSpareDescriptor() else { return pauseAccepting() }
                continue
            } catch {
                return pauseAccepting()
            }
            guard let fd = client else { return }
            acceptedConnections.increment()
            if openConnections.load >= maxConnections {
                refuse(fd)
                continue
            }
            hand(fd)
        }
    }

    /// Gives an accepted socket to the next loop.
    private func hand(_ fd: Int32) {
        let loop = group.next()
        let handler = self.handler
        let settings = self.settings
        let tls = self.tls
        let counter = openConnections
        counter.increment()
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

    /// Out of descriptors: the spare one makes room to accept (and refuse) the connection that is waiting, so the
    /// backlog drains and clients get an answer instead of hanging in it. False when that did not work either.
    private func shedOneWithSpareDescriptor() -> Bool {
        guard spareDescriptor >= 0 else { return false }
        close(spareDescriptor)
        spareDescriptor = -1
        defer { spareDescriptor = open("/dev/null", O_RDONLY | O_CLOEXEC) }
        guard let fd = try? listener.accept() else { return false }
        acceptedConnections.increment()
        refuse(fd)
        return true
    }

    /// Answers a connection the proxy cannot take with a 503 (best effort, never blocking) and closes it.
    private func refuse(_ fd: Int32) {
        refusedConnections.increment()
        Self.refusal.withUnsafeBytes { raw in _ = send(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        shutdown(fd, Int32(SHUT_WR))
        close(fd)
    }

    private static let refusal: [UInt8] = {
        let body =
            #"{"error":{"message":"The proxy has too many open connections; retry shortly.","type":"server_error","code":"too_many_connections","param":null}}"#
        return Array(
            ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
                + "Retry-After: 1\r\nConnection: close\r\n\r\n" + body).utf8)
    }()

    private func pauseAccepting() {
        let acceptLoop = group.loops[0]
        guard accepting, !acceptPaused else { return }
        acceptPaused = true
        acceptLoop.reactor.remove(listener.fd)
        resumeTimer?.arm(milliseconds: 100)
    }

    private func resumeAccepting() {
        guard accepting, acceptPaused else { return }
        acceptPaused = false
        group.loops[0].reactor.watch(listener.fd, handler: self, read: true, write: false)
        acceptPending()
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
            resumeTimer?.close()
            resumeTimer = nil
            if spareDescriptor >= 0 { Glibc.close(spareDescriptor) }
            spareDescriptor = -1
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
