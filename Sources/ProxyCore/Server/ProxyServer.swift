import Dispatch
import Logging

/// The running proxy: event loops, the listener and the shared state, with start, reload and graceful shutdown.
public final class ProxyServer: @unchecked Sendable {
    /// Shared state (settings, metrics, ledger).
    public let state: ProxyState
    private let http: HTTPServer
    private var ledgerRetry: DispatchSourceTimer?

    /// Binds the listen address from `settings.config`. Throws `SocketError` when it cannot bind.
    public init(settings: ProxySettings, logger: Logger, group: EventLoopGroup? = nil) throws {
        let config = settings.config
        self.state = ProxyState(settings: settings, logger: logger)
        let loops = group ?? EventLoopGroup(count: config.eventLoops)
        guard let address = SocketAddress(host: config.listen.host, port: UInt16(config.listen.port)) else {
            throw SocketError(call: "resolve \(config.listen.host)", code: EINVAL)
        }
        let connectionSettings = ConnectionSettings(
            parserLimits: HTTPParserLimits(maxHeaderBytes: config.limits.maxHeaderBytes, maxBodyBytes: config.limits.maxBodyBytes),
            headerTimeoutMs: config.limits.headerTimeoutMs, requestTimeoutMs: config.limits.requestTimeoutMs,
            idleTimeoutMs: config.limits.idleTimeoutMs, peakBacklog: state.metrics.peakClientBacklog)
        let tls = try config.tls.map { try TLSContext(certificatePath: $0.cert, privateKeyPath: $0.key) }
        self.http = try HTTPServer(
            address: address, group: loops, handler: ProxyRequestHandler(state: state), settings: connectionSettings, tls: tls,
            openConnections: state.metrics.connectionsOpen, refusedConnections: state.metrics.connectionsRefused)
        Self.applyConnectionCache(config, to: loops)
        if let redis = config.redis {
            state.share(SharedLimiter(config: redis, loops: loops.loops, metrics: state.metrics, logger: logger))
            let target = "\(redis.host):\(redis.port)"
            logger.info("limits shared through redis at \(target) (prefix \(redis.keyPrefix), on error: \(redis.onError.rawValue))")
        }
        if let path = config.usageLedger {
            let totals = LedgerTotals.read(path: path, clock: UTCClock.now(), month: config.hasMonthlyBudget)
            state.limiter.seed(totals)
            state.logger.debug(
                "seeded limits from the usage ledger",
                metadata: ["lines": "\(totals.linesRead)", "callers": "\(totals.costMonth.count)"])
            Self.loadHistory(state, ledger: path, endingAt: LedgerReader.size(path: path), seedsMonth: false)
            do {
                state.replaceLedger(with: try UsageLedger(path: path, metrics: state.metrics, logger: state.logger))
            } catch {
                throw ConfigErrors(problems: [ConfigProblem(path: "usage_ledger", message: error.description)])
            }
        }
        ledgerRetry = Self.startLedgerRetry(state)
    }

    /// Reads the ledger's last month into the history `/admin/usage` serves, in the background: a month of ledger
    /// can be hundreds of megabytes, and budgets (seeded before listening) do not need it. Reads only what was
    /// written before this process began appending at `end`, so nothing is counted twice.
    /// `seedsMonth`: start-up read only today, so the month's earlier days are added to the limiter from this read.
    private static func loadHistory(_ state: ProxyState, ledger path: String, endingAt end: Int, seedsMonth: Bool) {
        state.historyIsComplete.store(false, ordering: .releasing)
        let clock = UTCClock.now()
        DispatchQueue.global(qos: .utility).async {
            let firstDay = UTCClock.day(UsageHistory.days - 1, before: time(nil))
            let earlier = UsageHistory.read(path: path, endingAt: end, firstDay: firstDay)
            if seedsMonth { state.limiter.addEarlierThisMonth(earlier.cost(inMonth: clock.month, before: clock.day), clock: clock) }
            state.history.withLock { $0.merge(earlier) }
            state.historyIsComplete.store(true, ordering: .releasing)
        }
    }

    /// Every second, writes ledger records that wait for a failing file and notices a rotated one, so the ledger
    /// recovers even while no request ends (`usage_ledger_required` refuses them until it does).
    private static func startLedgerRetry(_ state: ProxyState) -> DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
        timer.schedule(deadline: .now() + 1, repeating: 1, leeway: .milliseconds(100))
        timer.setEventHandler { state.ledger.withLock { $0?.retryPending() } }
        timer.resume()
        return timer
    }

    /// Sizes every loop's upstream connection cache from `upstream.max_connections` (shared out between loops).
    private static func applyConnectionCache(_ config: ProxyConfig, to group: EventLoopGroup) {
        let perLoop = max(1, config.upstream.maxConnections / group.loops.count)
        for loop in group.loops {
            loop.execute { loop.curlMulti.setConnectionCacheSize(perLoop) }
        }
    }

    /// The bound address (with the real port when 0 was asked for).
    public var localAddress: SocketAddress { http.localAddress }

    /// Starts accepting connections, after raising the descriptor limit (`DescriptorLimit`).
    public func start() {
        let limit = DescriptorLimit.raiseAndReserve()
        http.maxConnections = state.settings.config.limits.maxClientConnections(descriptorLimit: limit)
        state.logger.debug(
            "descriptor limit", metadata: ["nofile": .stringConvertible(limit), "max_client_connections": "\(http.maxConnections)"])
        http.start()
    }

    /// Applies a new configuration (SIGHUP). The listen address, loops and TLS are fixed at start; the rest takes
    /// effect for new requests, while open streams keep the settings they started with.
    public func reload(_ settings: ProxySettings) {
        var settings = settings
        let running = state.settings.config.usageLedger
        if let path = settings.config.usageLedger, let running, path == running || LedgerReader.isSameFile(path, running) {
            // The same file: reopened, so a ledger that logrotate moved away is written afresh.
            state.ledger.withLock { $0?.reopen() }
        } else if let path = settings.config.usageLedger {
            Self.loadHistory(state, ledger: path, endingAt: LedgerReader.size(path: path), seedsMonth: false)
            do {
                state.replaceLedger(with: try UsageLedger(path: path, metrics: state.metrics, logger: state.logger))
            } catch {
                // Keep writing the ledger we have rather than silently losing usage records.
                state.logger.error("reload: cannot open usage_ledger \(path) (\(error)); keeping \(running ?? "none")")
                settings.config.usageLedger = running
            }
        } else if settings.config.usageLedger == nil {
            state.replaceLedger(with: nil)
        }
        Self.applyConnectionCache(settings.config, to: http.group)
        state.replace(settings)
    }

    /// Streams aborted at shutdown ask the Agent API to cancel their runs; give those calls a moment to go out.
    private static func waitForRunCancellations(until deadline: UInt64, then completion: @escaping @Sendable () -> Void) {
        if AgentRunCanceller.inFlight.load == 0 || MonotonicClock.nanoseconds() >= deadline {
            completion()
            return
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) {
            waitForRunCancellations(until: deadline, then: completion)
        }
    }

    /// Immediate stop (tests, embedding): connections closed, loops shut down. Not graceful: see `shutdown`.
    public func stop() {
        http.stop()
        ledgerRetry?.cancel()
        state.replaceLedger(with: nil)
    }

    /// Graceful shutdown: new requests (and `/readyz`) get 503 while open streams have up to `graceMs` to finish;
    /// idle keep-alive connections close at once, busy ones after their response. Then the listener closes, what is
    /// left is aborted, and `completion` runs (on an arbitrary queue).
    ///
    /// The listener stays open during the grace period so health checkers see the 503 instead of a refused
    /// connection.
    public func shutdown(graceMs: Int, completion: @escaping @Sendable () -> Void) {
        state.beginDraining()
        http.drainConnections()
        let deadline = MonotonicClock.nanoseconds() &+ MonotonicClock.nanoseconds(milliseconds: graceMs)
        let http = self.http
        let state = self.state
        @Sendable func poll() {
            if state.metrics.requestsInFlight.load == 0 || MonotonicClock.nanoseconds() >= deadline {
                http.stopAccepting()
                http.shutDownAllConnections()
                state.replaceLedger(with: nil)
                Self.waitForRunCancellations(until: MonotonicClock.nanoseconds() &+ 2_000_000_000, then: completion)
                return
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50)) { poll() }
        }
        poll()
    }
}

#if canImport(Glibc)
    import Glibc
#endif
