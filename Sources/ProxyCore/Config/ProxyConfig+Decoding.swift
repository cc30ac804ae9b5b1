extension ProxyConfig {
    /// Reads a parsed config document over the defaults; every problem goes to `reader`.
    ///
    /// A refused value leaves the default in place, so reading continues and later problems are found too; the
    /// result is only used when `reader` ends up with no problems.
    static func decode(_ document: JSONValue, reader: ConfigReader) -> ProxyConfig {
        var config = ProxyConfig()
        guard
            let root = reader.object(
                document, at: ConfigPath.root,
                keys: [
                    "listen", "upstream", "stream", "models", "clients", "allow_anonymous", "usage_ledger",
                    "usage_ledger_required", "tls", "budget", "redis",
                    "shutdown_grace_ms", "limits", "log_level", "event_loops", "metrics_open",
                ],
                nullable: ["usage_ledger", "tls", "event_loops", "redis"])
        else { return config }

        if let listen = root.string("listen", parsedBy: ListenAddress.init(parsing:)) { config.listen = listen }
        if let upstream = root.object(
            "upstream",
            keys: [
                "url", "api", "api_key_file", "connect_timeout_ms", "first_byte_timeout_ms", "idle_timeout_ms",
                "max_stream_ms", "max_connections", "http2", "ca_file", "proxy",
            ],
            nullable: ["api_key_file", "ca_file", "proxy"])
        {
            config.upstream = decodeUpstream(upstream)
        }
        if let stream = root.object("stream", keys: ["metadata", "keepalive_ms", "responses_events"]) {
            if let metadata = stream.choice("metadata", as: MetadataMode.self) { config.stream.metadata = metadata }
            if let events = stream.choice("responses_events", as: ResponsesEvents.self) { config.stream.responsesEvents = events }
            if let keepalive = stream.int("keepalive_ms", atLeast: 0) { config.stream.keepaliveMs = keepalive }
        }
        if let models = root.value("models") {
            config.configuredModels = ModelRoute.decodeTable(models, at: root.path(of: "models"), reader: reader)
        }
        if let clients = root.array("clients") {
            config.clients = clients.compactMap { decodeClient($0.value, at: $0.path, reader: reader) }
        }
        if let allow = root.bool("allow_anonymous") { config.allowAnonymous = allow }
        if let ledger = root.string("usage_ledger", parsedBy: writableFilePath) { config.usageLedger = ledger }
        if let required = root.bool("usage_ledger_required") { config.usageLedgerRequired = required }
        if let tls = root.object("tls", keys: ["cert", "key"]) { config.tls = decodeTLS(tls) }
        if let redis = root.object("redis", keys: ["url", "key_prefix", "on_error", "timeout_ms", "lease_ms"]) {
            config.redis = decodeRedis(redis)
        }
        if let budget = root.object("budget", keys: ["usd_per_day", "usd_per_month"], nullable: ["usd_per_day", "usd_per_month"]) {
            config.budget = DollarBudget(perDay: budget.dollars("usd_per_day"), perMonth: budget.dollars("usd_per_month"))
        }
        if let grace = root.int("shutdown_grace_ms", atLeast: 0) { config.shutdownGraceMs = grace }
        if let limits = root.object(
            "limits",
            keys: [
                "max_header_bytes", "max_body_bytes", "header_timeout_ms", "request_timeout_ms", "idle_timeout_ms",
                "max_client_connections",
            ], nullable: ["max_client_connections"])
        {
            if let value = limits.int("max_header_bytes", atLeast: 1) { config.limits.maxHeaderBytes = value }
            if let value = limits.int("max_body_bytes", atLeast: 1) { config.limits.maxBodyBytes = value }
            if let value = limits.int("header_timeout_ms", atLeast: 1) { config.limits.headerTimeoutMs = value }
            if let value = limits.int("idle_timeout_ms", atLeast: 1) { config.limits.idleTimeoutMs = value }
            if let value = limits.int("request_timeout_ms", atLeast: 1) { config.limits.requestTimeoutMs = value }
            if let value = limits.int("max_client_connections", atLeast: 1) { config.limits.maxClientConnections = value }
        }
        if let level = root.choice("log_level", from: logLevels) { config.logLevel = level }
        if let loops = root.int("event_loops", atLeast: 1) { config.eventLoops = loops }
        if let open = root.bool("metrics_open") { config.metricsOpen = open }
        return config
    }

    private static func decodeUpstream(_ object: ConfigObject) -> UpstreamConfig {
        var upstream = UpstreamConfig()
        if let url = object.string("url", parsedBy: UpstreamConfig.normalizedURL) { upstream.url = url }
        if let api = object.choice("api", as: UpstreamAPI.self) { upstream.api = api }
        if let file = object.string("api_key_file", parsedBy: readableFile) { upstream.apiKeyFile = file }
        if let value = object.int("connect_timeout_ms", atLeast: 1) { upstream.connectTimeoutMs = value }
        if let value = object.int("first_byte_timeout_ms", atLeast: 1) { upstream.firstByteTimeoutMs = value }
        if let value = object.int("idle_timeout_ms", atLeast: 1) { upstream.idleTimeoutMs = value }
        if let value = object.int("max_stream_ms", atLeast: 1) { upstream.maxStreamMs = value }
        if let value = object.int("max_connections", atLeast: 1) { upstream.maxConnections = value }
        if let value = object.bool("http2") { upstream.http2 = value }
        if let file = object.string("ca_file", parsedBy: certificateBundle) { upstream.caFile = file }
        if let proxy = object.string("proxy", parsedBy: UpstreamConfig.proxyURL) { upstream.proxy = proxy }
        return upstream
    }

    /// A member entry, or nil when a required field is missing or refused.
    private static func decodeClient(_ value: JSONValue, at path: String, reader: ConfigReader) -> ClientConfig? {
        let nullable: Set = [
            "models", "requests_per_minute", "max_concurrent_streams", "tokens_per_day", "usd_per_day", "usd_per_month",
            "previous_key_hash", "previous_key_expires",
        ]
        guard
            let object = reader.object(
                value, at: path, keys: ["name", "key_hash", "admin"] + nullable.sorted(), nullable: nullable)
        else { return nil }
        for key in ["name", "key_hash"] where object.value(key) == nil {
            reader.report(object.path(of: key), "missing (required)")
        }
        let name = object.nonEmptyString("name")
        let keyHash = object.string("key_hash", parsedBy: wellFormedKeyHash)
        let retiringKey = decodeRetiringKey(object)
        let models = object.stringArray("models")
        let requestsPerMinute = object.int("requests_per_minute", atLeast: 1)
        let maxConcurrentStreams = object.int("max_concurrent_streams", atLeast: 1)
        let tokensPerDay = object.int("tokens_per_day", atLeast: 1)
        let dollars = DollarBudget(perDay: object.dollars("usd_per_day"), perMonth: object.dollars("usd_per_month"))
        let admin = object.bool("admin") ?? false
        guard let name, let keyHash else { return nil }
        return ClientConfig(
            name: name, keyHash: keyHash, models: models, requestsPerMinute: requestsPerMinute,
            maxConcurrentStreams: maxConcurrentStreams, tokensPerDay: tokensPerDay, dollars: dollars, admin: admin,
            retiringKey: retiringKey)
    }

    private static func wellFormedKeyHash(_ text: String) throws(ConfigValueError) -> String {
        guard KeyHash.isWellFormed(text) else {
            throw ConfigValueError("expected \"sha256:\" followed by 64 lowercase hex digits, as printed by `pplx-proxy hash-key`")
        }
        return text
    }

    /// `previous_key_hash` with `previous_key_expires` (written by `pplx-proxy keys rotate --grace`): both or neither.
    private static func decodeRetiringKey(_ object: ConfigObject) -> ClientConfig.RetiringKey? {
        let hash = object.string("previous_key_hash", parsedBy: wellFormedKeyHash)
        let expires = object.string("previous_key_expires") { (text) throws(ConfigValueError) -> Int in
            guard let seconds = UTCTimestamp.parse(text) else {
                throw ConfigValueError("expected a UTC time as YYYY-MM-DDTHH:MM:SSZ, got \"\(text)\"")
            }
            return seconds
        }
        let hasHash = object.value("previous_key_hash") != nil
        let hasExpiry = object.value("previous_key_expires") != nil
        if hasHash != hasExpiry {
            object.reader.report(
                object.path(of: hasHash ? "previous_key_expires" : "previous_key_hash"),
                "missing (previous_key_hash and previous_key_expires go together)")
        }
        guard let hash, let expires else { return nil }
        return ClientConfig.RetiringKey(keyHash: hash, expiresAt: expires)
    }

    private static func decodeRedis(_ object: ConfigObject) -> RedisConfig? {
        if object.value("url") == nil { object.reader.report(object.path(of: "url"), "missing (required when redis is set)") }
        guard var redis = object.string("url", parsedBy: RedisConfig.parse(url:)) else { return nil }
        if let prefix = object.string("key_prefix") { redis.keyPrefix = prefix }
        if let onError = object.choice("on_error", as: RedisConfig.OnError.self) { redis.onError = onError }
        if let timeout = object.int("timeout_ms", atLeast: 1) { redis.timeoutMs = timeout }
        if let lease = object.int("lease_ms", atLeast: 1_000) { redis.leaseMs = lease }
        return redis
    }

    private static func decodeTLS(_ object: ConfigObject) -> TLSConfig? {
        for key in ["cert", "key"] where object.value(key) == nil {
            object.reader.report(object.path(of: key), "missing (required when tls is set)")
        }
        let cert = object.string("cert", parsedBy: readableFile)
        let key = object.string("key", parsedBy: readableFile)
        guard let cert, let key else { return nil }
        return TLSConfig(cert: cert, key: key)
    }

    /// Accepts a path the proxy can append to: an existing writable regular file, or a new file in an existing,
    /// writable directory. Nothing is created.
    private static func writableFilePath(_ path: String) throws(ConfigValueError) -> String {
        guard !path.isEmpty else { throw ConfigValueError("must not be empty") }
        if let reason = FileAccess.unwritableReason(path) { throw ConfigValueError(reason) }
        return path
    }

    /// Accepts a readable PEM file holding at least one CA certificate.
    static func certificateBundle(_ path: String) throws(ConfigValueError) -> String {
        let file = try readableFile(path)
        if let problem = CertificateBundle.problem(at: file) { throw ConfigValueError(problem) }
        return file
    }

    /// Accepts a path that names a readable regular file; the file is opened, never read.
    static func readableFile(_ path: String) throws(ConfigValueError) -> String {
        guard !path.isEmpty else { throw ConfigValueError("must not be empty") }
        if let reason = FileAccess.unreadableReason(path) { throw ConfigValueError(reason) }
        return path
    }
}
