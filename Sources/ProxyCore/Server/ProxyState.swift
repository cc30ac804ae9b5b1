import Logging
import Synchronization

/// State shared by every loop: the current settings (swapped atomically on reload), the draining flag and metrics.
public final class ProxyState: Sendable {
    private let current: Mutex<ProxySettings>
    private let drainingFlag = Atomic<Bool>(false)
    /// Counters for `/metrics`.
    public let metrics = ProxyMetrics()
    /// Per-member request, stream, token and dollar limits, and the proxy's budget.
    public let limiter = UsageLimiter()
    /// The usage ledger, when configured.
    public let ledger: Mutex<UsageLedger?>
    /// Per caller and day over the last month, for `/admin/usage`.
    public let history = Mutex(UsageHistory())
    /// Limits shared with other instances through Redis (`redis`), set once at start-up; nil keeps them local.
    public var shared: SharedLimiter? { sharedStore.withLock { $0 } }
    private let sharedStore = Mutex<SharedLimiter?>(nil)
    /// Whether `history` holds the ledger's earlier days yet (they are read after start-up, in the background).
    public let historyIsComplete = Atomic<Bool>(true)
    /// The process logger.
    public let logger: Logger

    public init(settings: ProxySettings, logger: Logger) {
        self.current = Mutex(settings)
        self.logger = logger
        self.ledger = Mutex(nil)
    }

    /// Swaps the usage ledger, closing the previous one.
    public func replaceLedger(with ledger: UsageLedger?) {
        self.ledger.withLock { current in
            current?.close()
            current = ledger
        }
    }

    /// Starts sharing limits through Redis (once, before the listener starts).
    func share(_ limiter: SharedLimiter) {
        sharedStore.withLock { $0 = limiter }
    }

    /// Records a finished or refused request: in the ledger, and in the history `/admin/usage` serves.
    func record(_ record: UsageRecord) {
        ledger.withLock { $0?.append(record) }
        history.withLock { $0.add(record) }
    }

    /// Whether the usage ledger is taking every record (true when there is none).
    public var ledgerIsWritable: Bool { ledger.withLock { $0?.isWritable ?? true } }

    /// The settings in force now.
    public var settings: ProxySettings { current.withLock { $0 } }

    /// Replaces the settings (SIGHUP); running requests keep theirs.
    public func replace(_ settings: ProxySettings) {
        current.withLock { $0 = settings }
    }

    /// Whether the proxy is shutting down (`/readyz` answers 503, new requests get 503).
    public var isDraining: Bool { drainingFlag.load(ordering: .relaxed) }

    /// Enters the draining state.
    public func beginDraining() {
        drainingFlag.store(true, ordering: .relaxed)
    }
}
