/// `redis`: limits and budgets shared by every instance using the same Redis and `key_prefix` (CONTRACT
/// "Scale-out").
public struct RedisConfig: Sendable, Equatable {
    /// What to do when Redis cannot be reached or does not answer in time.
    public enum OnError: String, Sendable, CaseIterable {
        /// Fall back to this instance's own limits (logged, counted in `pplx_redis_errors_total`).
        case local
        /// Refuse the request: 503 `limits_unavailable`.
        case reject
    }

    public var host: String
    public var port: Int
    public var database: Int
    /// From the URL's user-info (`redis://:secret@host`); sent with AUTH, never logged.
    public var password: String?
    public var keyPrefix: String
    public var onError: OnError
    /// How long one Redis call may take before it counts as an error.
    public var timeoutMs: Int
    /// How long a running request's stream slot and reservations outlive an instance that stopped renewing them.
    public var leaseMs: Int

    public init(
        host: String, port: Int = 6379, database: Int = 0, password: String? = nil, keyPrefix: String = "pplx:",
        onError: OnError = .local, timeoutMs: Int = 250, leaseMs: Int = 15_000
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.password = password
        self.keyPrefix = keyPrefix
        self.onError = onError
        self.timeoutMs = timeoutMs
        self.leaseMs = leaseMs
    }

    /// Reads `redis://[[user]:password@]host[:port][/db]`.
    static func parse(url: String) throws(ConfigValueError) -> RedisConfig {
        guard url.hasPrefix("redis://") else {
            throw ConfigValueError("expected redis://HOST[:PORT][/DB], got \"\(url)\" (rediss:// TLS is not supported)")
        }
        var rest = Substring(url.dropFirst("redis://".count))
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            password = userInfo.firstIndex(of: ":").map { String(userInfo[userInfo.index(after: $0)...]) } ?? String(userInfo)
            rest = rest[rest.index(after: at)...]
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let text = rest[rest.index(after: slash)...]
            guard text.isEmpty || (Int(text).map { $0 >= 0 } ?? false) else {
                throw ConfigValueError("the database must be a number, got \"\(text)\"")
            }
            database = Int(text) ?? 0
            rest = rest[..<slash]
        }
        var host = String(rest)
        var port = 6379
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let number = Int(rest[rest.index(after: colon)...]), (1...65_535).contains(number) else {
                throw ConfigValueError("the port must be 1-65535 in \"\(url)\"")
            }
            port = number
            host = String(rest[..<colon])
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ConfigValueError("no host in \"\(url)\"") }
        return RedisConfig(host: host, port: port, database: database, password: password?.isEmpty == true ? nil : password)
    }
}
