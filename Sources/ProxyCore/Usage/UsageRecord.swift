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

    public init(
        timestamp: String, requestID: String, client: String, model: String, upstreamModel: String, stream: Bool,
        status: Int, outcome: String, promptTokens: Int, completionTokens: Int, totalTokens: Int, costUSD: Double?,
        ttfbMs: Double?, durationMs: Double
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
    }

    /// The JSON line, keys in the contract's order, ending in `\n`.
    public var jsonLine: [UInt8] {
        func number(_ value: Double?) -> JSONValue { value.map { .number($0) } ?? .null }
        let fields: [(String, JSONValue)] = [
            ("ts", .string(timestamp)), ("request_id", .string(requestID)), ("client", .string(client)),
            ("model", .string(model)), ("upstream_model", .string(upstreamModel)), ("stream", .bool(stream)),
            ("status", .number(status)), ("outcome", .string(outcome)), ("prompt_tokens", .number(promptTokens)),
            ("completion_tokens", .number(completionTokens)), ("total_tokens", .number(totalTokens)),
            ("cost_usd", number(costUSD)), ("ttfb_ms", number(ttfbMs)), ("duration_ms", .number(durationMs)),
        ]
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

    /// Parses a ledger line; nil for a torn or foreign line.
    public init?(jsonLine: some Collection<UInt8>) {
        guard let value = try? JSONValue.parse(jsonLine), let object = value.objectValue,
            let ts = object["ts"]?.stringValue, let model = object["model"]?.stringValue
        else { return nil }
        self.init(
            timestamp: ts, requestID: object["request_id"]?.stringValue ?? "", client: object["client"]?.stringValue ?? "",
            model: model, upstreamModel: object["upstream_model"]?.stringValue ?? model,
            stream: object["stream"]?.boolValue ?? false, status: object["status"]?.intValue ?? 0,
            outcome: object["outcome"]?.stringValue ?? "", promptTokens: object["prompt_tokens"]?.intValue ?? 0,
            completionTokens: object["completion_tokens"]?.intValue ?? 0, totalTokens: object["total_tokens"]?.intValue ?? 0,
            costUSD: object["cost_usd"]?.doubleValue, ttfbMs: object["ttfb_ms"]?.doubleValue,
            durationMs: object["duration_ms"]?.doubleValue ?? 0)
    }

    /// The current UTC time as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public static func timestampNow() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var seconds = ts.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let millis = Int32(ts.tv_nsec / 1_000_000)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(millis, 3))Z"
    }
}
