import Synchronization

/// The counters behind `GET /metrics`, shared by all loops.
///
/// Updated once per request (and once per upstream read for chunk counts), never per byte; a mutex is cheap at
/// that rate and keeps the labelled maps simple.
public final class ProxyMetrics: Sendable {
    private struct Counters {
        var requests: [String: Int] = [:]  // "route|status"
        var upstreamErrors: [String: Int] = [:]  // kind
        var tokens: [String: Int] = [:]  // "client|model|kind"
        var timeToFirstByte = Histogram()
        var duration = Histogram()
    }

    private let counters = Mutex(Counters())
    /// Streams currently open to clients.
    public let streamsOpen = AtomicCounter()
    /// Relayed requests (streaming or not) not yet finished; graceful shutdown waits for these.
    public let requestsInFlight = AtomicCounter()
    /// Content chunks relayed to clients.
    public let chunksRelayed = AtomicCounter()
    /// Streams whose upstream transfer is paused because their client reads slowly.
    public let streamsPaused = AtomicCounter()
    /// The largest client backlog (bytes written but not yet taken by the client) any stream has reached.
    public let peakClientBacklog = AtomicMaximum()
    /// Client connections open now.
    public let connectionsOpen = AtomicCounter()
    /// Client connections refused (the connection cap, or no descriptors left).
    public let connectionsRefused = AtomicCounter()
    /// Failed or short writes to the usage ledger.
    public let ledgerWriteErrors = AtomicCounter()
    /// Ledger records dropped because too many were already waiting for a failing file.
    public let ledgerRecordsDropped = AtomicCounter()
    /// Ledger records waiting in memory for the file to take writes again.
    public let ledgerPendingRecords = AtomicCounter()
    /// Redis calls for shared limits that failed or timed out.
    public let redisErrors = AtomicCounter()
    /// Config reloads (SIGHUP, or the watched file changing) refused because the new config would not load.
    public let configReloadsRefused = AtomicCounter()

    public init() {}

    /// Counts one finished request.
    public func recordRequest(route: String, status: Int) {
        counters.withLock { $0.requests["\(route)|\(status)", default: 0] += 1 }
    }

    /// Counts one upstream failure.
    public func recordUpstreamError(kind: String) {
        counters.withLock { $0.upstreamErrors[kind, default: 0] += 1 }
    }

    /// Adds a request's token usage.
    public func recordTokens(client: String, model: String, usage: StreamUsage) {
        counters.withLock {
            $0.tokens["\(client)|\(model)|prompt", default: 0] += usage.promptTokens
            $0.tokens["\(client)|\(model)|completion", default: 0] += usage.completionTokens
        }
    }

    /// Observes latency figures of one request.
    public func recordTimings(timeToFirstByteNs: UInt64?, durationNs: UInt64) {
        counters.withLock {
            if let ttfb = timeToFirstByteNs { $0.timeToFirstByte.observe(Double(ttfb) / 1e9) }
            $0.duration.observe(Double(durationNs) / 1e9)
        }
    }

    /// The Prometheus text exposition.
    public func render() -> String {
        var out = ""
        counters.withLock { c in
            out += "# HELP pplx_requests_total Requests answered, by route and status.\n# TYPE pplx_requests_total counter\n"
            for (key, value) in c.requests.sorted(by: { $0.key < $1.key }) {
                let parts = key.split(separator: "|", omittingEmptySubsequences: false)
                out += "pplx_requests_total{route=\"\(Self.escape(parts[0]))\",status=\"\(parts[1])\"} \(value)\n"
            }
            out += "# HELP pplx_streams_open Client streams currently open.\n# TYPE pplx_streams_open gauge\n"
            out += "pplx_streams_open \(streamsOpen.load)\n"
            out += "# HELP pplx_requests_in_flight Relayed requests not yet finished.\n# TYPE pplx_requests_in_flight gauge\n"
            out += "pplx_requests_in_flight \(requestsInFlight.load)\n"
            out += "# HELP pplx_chunks_relayed_total Content chunks sent to clients.\n# TYPE pplx_chunks_relayed_total counter\n"
            out += "pplx_chunks_relayed_total \(chunksRelayed.load)\n"
            out += "# HELP pplx_streams_paused Streams whose upstream is paused by a slow client.\n# TYPE pplx_streams_paused gauge\n"
            out += "pplx_streams_paused \(streamsPaused.load)\n"
            out +=
                "# HELP pplx_client_backlog_peak_bytes Largest per-stream client backlog seen.\n# TYPE pplx_client_backlog_peak_bytes gauge\n"
            out += "pplx_client_backlog_peak_bytes \(peakClientBacklog.load)\n"
            out += "# HELP pplx_connections_open Client connections open.\n# TYPE pplx_connections_open gauge\n"
            out += "pplx_connections_open \(connectionsOpen.load)\n"
            out +=
                "# HELP pplx_connections_refused_total Client connections answered 503 and closed at accept.\n# TYPE pplx_connections_refused_total counter\n"
            out += "pplx_connections_refused_total \(connectionsRefused.load)\n"
            out +=
                "# HELP pplx_ledger_write_errors_total Failed or short usage-ledger writes.\n# TYPE pplx_ledger_write_errors_total counter\n"
            out += "pplx_ledger_write_errors_total \(ledgerWriteErrors.load)\n"
            out +=
                "# HELP pplx_ledger_pending_records Ledger records waiting for the file to take writes.\n# TYPE pplx_ledger_pending_records gauge\n"
            out += "pplx_ledger_pending_records \(ledgerPendingRecords.load)\n"
            out +=
                "# HELP pplx_ledger_records_dropped_total Ledger records dropped while too many waited.\n# TYPE pplx_ledger_records_dropped_total counter\n"
            out += "pplx_ledger_records_dropped_total \(ledgerRecordsDropped.load)\n"
            out +=
                "# HELP pplx_redis_errors_total Redis calls for shared limits that failed or timed out.\n# TYPE pplx_redis_errors_total counter\n"
            out += "pplx_redis_errors_total \(redisErrors.load)\n"
            out +=
                "# HELP pplx_config_reloads_refused_total Config reloads refused (the running configuration stayed).\n"
                + "# TYPE pplx_config_reloads_refused_total counter\n"
            out += "pplx_config_reloads_refused_total \(configReloadsRefused.load)\n"
            out += "# HELP pplx_upstream_errors_total Upstream failures, by kind.\n# TYPE pplx_upstream_errors_total counter\n"
            for (kind, value) in c.upstreamErrors.sorted(by: { $0.key < $1.key }) {
                out += "pplx_upstream_errors_total{kind=\"\(Self.escape(kind))\"} \(value)\n"
            }
            out += "# HELP pplx_tokens_total Tokens used, by client, model and kind.\n# TYPE pplx_tokens_total counter\n"
            for (key, value) in c.tokens.sorted(by: { $0.key < $1.key }) {
                let parts = key.split(separator: "|", omittingEmptySubsequences: false)
                out +=
                    "pplx_tokens_total{client=\"\(Self.escape(parts[0]))\",model=\"\(Self.escape(parts[1]))\",kind=\"\(parts[2])\"} \(value)\n"
            }
            out += "# HELP pplx_time_to_first_byte_seconds Time from request to the first byte sent to the client.\n"
            c.timeToFirstByte.render(name: "pplx_time_to_first_byte_seconds", into: &out)
            out += "# HELP pplx_request_duration_seconds Time from request to the end of the response.\n"
            c.duration.render(name: "pplx_request_duration_seconds", into: &out)
        }
        return out
    }

    private static func escape<S: StringProtocol>(_ text: S) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }
}
