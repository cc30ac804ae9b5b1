/// The proxy's whole configuration: built-in defaults, overlaid by the config file, the environment and flags.
///
/// Values here have passed their own checks (types, ranges, allowed sets); `validate()` checks the rules that
/// span several fields and must be re-run after overrides change any of them.
public struct ProxyConfig: Sendable, Equatable {
    /// Address the listener binds.
    public var listen: ListenAddress
    /// Where and how the upstream is called.
    public var upstream: UpstreamConfig
    /// Shape of streams to clients.
    public var stream: StreamConfig
    /// The `models` object from the config file; nil means the built-in table for the upstream protocol.
    public var configuredModels: [String: ModelRoute]?
    /// Members; empty means no member keys.
    public var clients: [ClientConfig]
    /// Lets a proxy without members listen on a non-loopback address.
    public var allowAnonymous: Bool
    /// Path of the append-only usage ledger (JSON lines); nil keeps no ledger.
    public var usageLedger: String?
    /// Refuse new requests (503 `ledger_unavailable`) while the ledger cannot be written.
    public var usageLedgerRequired: Bool
    /// Redis for limits shared across instances; nil keeps them per process.
    public var redis: RedisConfig?
    /// The whole proxy's dollar budget (`budget`): every caller's requests together, anonymous ones included.
    public var budget: DollarBudget
    /// Certificate and key for HTTPS; nil serves plain HTTP.
    public var tls: TLSConfig?
    /// How long a drain lets open streams finish before aborting them.
    public var shutdownGraceMs: Int
    /// Client connection bounds.
    public var limits: LimitsConfig
    /// Lowest level logged; one of `ProxyConfig.logLevels`.
    public var logLevel: String
    /// Number of event loops; nil uses one per core.
    public var eventLoops: Int?
    /// Asks for `/metrics` without a member key; see `metricsAreOpen` for when it is honoured.
    public var metricsOpen: Bool

    /// The defaults: loopback on port 8787, Perplexity's Agent API, no members.
    public init() {
        listen = ListenAddress(host: "127.0.0.1", port: 8787)
        upstream = UpstreamConfig()
        stream = StreamConfig()
        configuredModels = nil
        clients = []
        allowAnonymous = false
        usageLedger = nil
        usageLedgerRequired = false
        budget = DollarBudget()
        redis = nil
        tls = nil
        shutdownGraceMs = 30_000
        limits = LimitsConfig()
        logLevel = "info"
        eventLoops = nil
        metricsOpen = false
    }

    /// Client-facing model id → route: the configured table, which replaces the defaults entirely, or the
    /// defaults for the current upstream protocol.
    public var models: [String: ModelRoute] {
        configuredModels ?? DefaultModels.routes(for: upstream.api)
    }

    /// Whether `/metrics` answers without a member key: always when there are no members, and with members only
    /// when `metrics_open` is set and the listener is loopback, so metrics (which name members) never become
    /// public by accident.
    public var metricsAreOpen: Bool {
        clients.isEmpty || (metricsOpen && listen.isLoopback)
    }

    /// Whether any monthly dollar budget is set: start-up then seeds the whole month from the ledger, not just today.
    public var hasMonthlyBudget: Bool {
        budget.perMonth != nil || clients.contains { $0.dollars.perMonth != nil }
    }

    /// Log levels accepted by `log_level` and `--log-level`, most verbose first.
    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error"]
}
