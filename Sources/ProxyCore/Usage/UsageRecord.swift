#if canImport(Glibc)
    import Glibc
#endif

/// One line of the usage ledger: what one finished request used.
public struct UsageRecord: Sendable, Equatable {
    public var timestamp: String
    public var requestID: String
    public var client: String
    public var model: String
    public var upstreamModel: String
    public var stream: Bool
    public var status: Int
    public var outcome: String
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int
    public var costUSD: Double?
    public var ttfbMs: Double?
    public var durationMs: Double
    /// Tokens charged to the member's budget when that differs from `totalTokens`: a request that reached the
    /// upstream but reported no usage is charged its reservation. Written only then, and read by start-up.
    public var chargedTokens: Int?
    /// Dollars charged to the budgets when that differs from `costUSD` (a request that reached the upstream but
    /// reported no usage is charged its dollar reservation). Written only then, and read by start-up.
    public var chargedUSD: USDAmount?

    public init(
        timestamp: String, requestID: String, client: String, model: String, upstreamModel: String, stream: Bool,
        status: Int, outcome: String, promptTokens: Int, completionTokens: Int, totalTokens: Int, costUSD: Double?,
        ttfbMs: Double?, durationMs: Double, chargedTokens: Int? = nil, chargedUSD: USDAmount? = nil
    ) {
        self.timestamp = timestamp
        self.requestID = requestID
        self.client = client
        self.model = model
        self.upstreamModel = upstreamModel
        self.stream = stream
        self.status = status
        self.outcome = outcome
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
        self.costUSD = costUSD
        self.ttfbMs = ttfbMs
        self.durationMs = durationMs
        self.chargedTokens = chargedTokens
        self.chargedUSD = chargedUSD
    }

    /// The tokens this request cost the member's budget.
    public var budgetTokens: Int { chargedTokens ?? totalTokens }

    /// The dollars this request cost the budgets.
    public var budgetCost: USDAmount {
        (chargedUSD.map { min(max(.zero, $0), USDAmount.perRequestCap) } ?? costUSD.flatMap(USDAmount.init(reportedCost:))) ?? .zero
    }

    /// The JSON line, keys in the contract's order, ending in `\n`.
    public var jsonLine: [UInt8] {
        func number(_ value: Double?) -> JSONValue { value.map { .number($0) } ?? .null }
        var fields: [(String, JSONValue)] = [
            ("ts", .string(timestamp)), ("request_id", .string(requestID)), ("client", .string(client)),
            ("model", .string(model)), ("upstream_model", .string(upstreamModel)), ("stream", .bool(stream)),
            ("status", .number(status)), ("outcome", .string(outcome)), ("prompt_tokens", .number(promptTokens)),
            ("completion_tokens", .number(completionTokens)), ("total_tokens", .number(totalTokens)),
            ("cost_usd", number(costUSD)), ("ttfb_ms", number(ttfbMs)), ("duration_ms", .number(durationMs)),
        ]
        if let chargedTokens { fields.append(("charged_tokens", .number(chargedTokens))) }
        if let chargedUSD { fields.append(("charged_usd", .number(chargedUSD.description))) }
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (i, (key, value)) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONEscaping.appendQuoted(key, to: &out)
            out.append(UInt8(ascii: ":"))
            value.append(to: &out)
        }
        out.append(contentsOf: "}\n".utf8)
        return out
    }

    /// Parses a ledger line; nil for a torn or foreign line (no `ts` or `model`).
    ///
    /// One pass over the line's members with `JSONScanner`, no tree: `pplx-proxy usage` and start-up read
    /// millions of lines.
    public init?(jsonLine: some Collection<UInt8>) {
        let parsed: UsageRecord? = Array(jsonLine).withUnsafeBytes { raw in
            let json = JSONScanner(raw)
            guard let root = json.root(), root.kind == .object else { return nil }
            var record = UsageRecord(
                timestamp: "", requestID: "", client: "", model: "", upstreamModel: "", stream: false, status: 0,
                outcome: "", promptTokens: 0, completionTokens: 0, totalTokens: 0, costUSD: nil, ttfbMs: nil,
                durationMs: 0)
            var hasTimestamp = false
            var hasModel = false
            var hasUpstreamModel = false
            let wellFormed = json.forEachMember(of: root) { key, value in
                switch json.string(key) {
                case "ts":
                    if let text = json.string(value) {
                        record.timestamp = text
                        hasTimestamp = true
                    }
                case "request_id": record.requestID = json.string(value) ?? ""
                case "client": record.client = json.string(value) ?? ""
                case "model":
                    if let text = json.string(value) {
                        record.model = text
                        hasModel = true
                    }
                case "upstream_model":
                    if let text = json.string(value) {
                        record.upstreamModel = text
                        hasUpstreamModel = true
                    }
                case "stream": record.stream = json.bool(value) ?? false
                case "status": record.status = json.int(value) ?? 0
                case "outcome": record.outcome = json.string(value) ?? ""
                case "prompt_tokens": record.promptTokens = TokenCount.clamped(json.int(value) ?? 0)
                case "completion_tokens": record.completionTokens = TokenCount.clamped(json.int(value) ?? 0)
                case "total_tokens": record.totalTokens = TokenCount.clamped(json.int(value) ?? 0)
                case "charged_tokens": record.chargedTokens = json.int(value).map(TokenCount.clamped)
                case "cost_usd": record.costUSD = json.double(value)
                case "charged_usd": record.chargedUSD = json.double(value).flatMap(USDAmount.init(dollars:))
                case "ttfb_ms": record.ttfbMs = json.double(value)
                case "duration_ms": record.durationMs = json.double(value) ?? 0
                default: break
                }
                return true
            }
            guard wellFormed, hasTimestamp, hasModel else { return nil }
            if !hasUpstreamModel { record.upstreamModel = record.model }
            return record
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// The UTC day (`YYYY-MM-DD`) a ledger line was written on, read from its leading `{"ts":"…` without parsing
    /// the line; nil when the line does not start that way (then parse it).
    public static func day(ofLine line: UnsafeRawBufferPointer) -> Substring? {
        let prefix = #"{"ts":""#.utf8
        guard line.count >= prefix.count + 10, line.starts(with: prefix) else { return nil }
        let start = prefix.count
        return Substring(decoding: UnsafeRawBufferPointer(rebasing: line[start..<(start + 10)]), as: UTF8.self)
    }

    /// The current UTC time as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public static func timestampNow() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UTCTimestamp.format(Int(ts.tv_sec), milliseconds: Int(ts.tv_nsec / 1_000_000))
    }
}
