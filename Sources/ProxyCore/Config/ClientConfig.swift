/// A member: a named caller with a hashed key and optional limits.
public struct ClientConfig: Sendable, Equatable {
    /// Name used in logs, metrics labels and the usage ledger; unique.
    public var name: String
    /// `sha256:` followed by the lowercase hex SHA-256 of the member key (what `pplx-proxy hash-key` prints).
    public var keyHash: String
    /// Client-facing model ids this member may use; nil allows every configured model.
    public var models: [String]?
    /// Requests allowed per rolling minute; nil is unlimited.
    public var requestsPerMinute: Int?
    /// Streams this member may have open at once; nil is unlimited.
    public var maxConcurrentStreams: Int?
    /// Total tokens (prompt + completion) allowed per UTC day; nil is unlimited.
    public var tokensPerDay: Int?
    /// US dollars allowed per UTC day and per UTC calendar month (`usd_per_day`, `usd_per_month`).
    public var dollars: DollarBudget
    /// Whether this member may use `/admin/*` (and so the dashboard).
    public var admin: Bool
    /// The key this member had before `pplx-proxy keys rotate --grace`, accepted until it expires.
    public var retiringKey: RetiringKey?

    /// A replaced member key still accepted for a grace period (`previous_key_hash`, `previous_key_expires`).
    public struct RetiringKey: Sendable, Equatable {
        /// The old key's `sha256:` hash.
        public var keyHash: String
        /// Seconds since the epoch after which the old key gets 401.
        public var expiresAt: Int

        public init(keyHash: String, expiresAt: Int) {
            self.keyHash = keyHash
            self.expiresAt = expiresAt
        }
    }

    public init(
        name: String, keyHash: String, models: [String]? = nil, requestsPerMinute: Int? = nil,
        maxConcurrentStreams: Int? = nil, tokensPerDay: Int? = nil, dollars: DollarBudget = DollarBudget(), admin: Bool = false,
        retiringKey: RetiringKey? = nil
    ) {
        self.name = name
        self.keyHash = keyHash
        self.models = models
        self.requestsPerMinute = requestsPerMinute
        self.maxConcurrentStreams = maxConcurrentStreams
        self.tokensPerDay = tokensPerDay
        self.dollars = dollars
        self.admin = admin
        self.retiringKey = retiringKey
    }

    /// Whether this member may call the given client-facing model id.
    public func allows(model: String) -> Bool {
        models?.contains(model) ?? true
    }
}
