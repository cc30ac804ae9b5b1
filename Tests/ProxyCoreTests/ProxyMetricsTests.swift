import Testing

@testable import ProxyCore

private let bucketBounds = [
    "0.001", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "30.0", "60.0",
    "120.0", "300.0", "+Inf",
]

/// The sample lines of `family` (its name followed by `{` or a space, or a histogram suffix), in render order.
private func samples(_ family: String, in text: String) -> [String] {
    text.split(separator: "\n").map(String.init).filter { line in
        !line.hasPrefix("#")
            && [" ", "{", "_bucket{", "_sum ", "_count "].contains { line.hasPrefix(family + $0) }
    }
}

/// A histogram's sample lines given the cumulative count of each bucket (including +Inf), sum and count.
private func histogram(_ name: String, cumulative: [Int], sum: String) -> [String] {
    zip(bucketBounds, cumulative).map { "\(name)_bucket{le=\"\($0)\"} \($1)" }
        + ["\(name)_sum \(sum)", "\(name)_count \(cumulative.last!)"]
}

@Suite struct ProxyMetricsTests {
    @Test func freshRegistry_rendersEveryContractFamilyWithZeroes() {
        let emptyBuckets = bucketBounds.map { "{le=\"\($0)\"} 0" }
        let expected = """
            # HELP pplx_requests_total Requests answered, by route and status.
            # TYPE pplx_requests_total counter
            # HELP pplx_streams_open Client streams currently open.
            # TYPE pplx_streams_open gauge
            pplx_streams_open 0
            # HELP pplx_requests_in_flight Relayed requests not yet finished.
            # TYPE pplx_requests_in_flight gauge
            pplx_requests_in_flight 0
            # HELP pplx_chunks_relayed_total Content chunks sent to clients.
            # TYPE pplx_chunks_relayed_total counter
            pplx_chunks_relayed_total 0
            # HELP pplx_streams_paused Streams whose upstream is paused by a slow client.
            # TYPE pplx_streams_paused gauge
            pplx_streams_paused 0
            # HELP pplx_client_backlog_peak_bytes Largest per-stream client backlog seen.
            # TYPE pplx_client_backlog_peak_bytes gauge
            pplx_client_backlog_peak_bytes 0
            # HELP pplx_connections_open Client connections open.
            # TYPE pplx_connections_open gauge
            pplx_connections_open 0
            # HELP pplx_connections_refused_total Client connections answered 503 and closed at accept.
            # TYPE pplx_connections_refused_total counter
            pplx_connections_refused_total 0
            # HELP pplx_ledger_write_errors_total Failed or short usage-ledger writes.
            # TYPE pplx_ledger_write_errors_total counter
            pplx_ledger_write_errors_total 0
            # HELP pplx_ledger_pending_records Ledger records waiting for the file to take writes.
            # TYPE pplx_ledger_pending_records gauge
            pplx_ledger_pending_records 0
            # HELP pplx_ledger_records_dropped_total Ledger records dropped while too many waited.
            # TYPE pplx_ledger_records_dropped_total counter
            pplx_ledger_records_dropped_total 0
            # HELP pplx_redis_errors_total Redis calls for shared limits that failed or timed out.
            # TYPE pplx_redis_errors_total counter
            pplx_redis_errors_total 0
            # HELP pplx_config_reloads_refused_total Config reloads refused (the running configuration stayed).
            # TYPE pplx_config_reloads_refused_total counter
            pplx_config_reloads_refused_total 0
            # HELP pplx_upstream_errors_total Upstream failures, by kind.
            # TYPE pplx_upstream_errors_total counter
            # HELP pplx_tokens_total Tokens used, by client, model and kind.
            # TYPE pplx_tokens_total counter
            # HELP pplx_time_to_first_byte_seconds Time from request to the first byte sent to the client.
            # TYPE pplx_time_to_first_byte_seconds histogram
            \(emptyBuckets.map { "pplx_time_to_first_byte_seconds_bucket" + $0 }.joined(separator: "\n"))
            pplx_time_to_first_byte_seconds_sum 0.0
            pplx_time_to_first_byte_seconds_count 0
            # HELP pplx_request_duration_seconds Time from request to the end of the response.
            # TYPE pplx_request_duration_seconds histogram
            \(emptyBuckets.map { "pplx_request_duration_seconds_bucket" + $0 }.joined(separator: "\n"))
            pplx_request_duration_seconds_sum 0.0
            pplx_request_duration_seconds_count 0

            """
        #expect(ProxyMetrics().render() == expected)
    }

    @Test(arguments: [
        ("pplx_requests_total", "counter"),
        ("pplx_streams_open", "gauge"),
        ("pplx_chunks_relayed_total", "counter"),
        ("pplx_upstream_errors_total", "counter"),
        ("pplx_tokens_total", "counter"),
        ("pplx_time_to_first_byte_seconds", "histogram"),
        ("pplx_request_duration_seconds", "histogram"),
        ("pplx_streams_paused", "gauge"),
        ("pplx_client_backlog_peak_bytes", "gauge"),
        ("pplx_ledger_write_errors_total", "counter"),
        ("pplx_ledger_pending_records", "gauge"),
    ])
    func render_declaresEachFamilyOnce(name: String, type: String) {
        let lines = ProxyMetrics().render().split(separator: "\n")
        #expect(lines.filter { $0 == "# TYPE \(name) \(type)" }.count == 1)
        #expect(lines.filter { $0.hasPrefix("# HELP \(name) ") }.count == 1)
    }

    @Test func render_afterRecordings_hasExactSampleLines() {
        let metrics = ProxyMetrics()
        metrics.recordRequest(route: "models", status: 200)
        metrics.recordRequest(route: "chat_completions", status: 502)
        metrics.recordRequest(route: "chat_completions", status: 200)
        metrics.recordRequest(route: "chat_completions", status: 200)
        metrics.recordUpstreamError(kind: "timeout")
        metrics.recordUpstreamError(kind: "http_5xx")
        metrics.recordUpstreamError(kind: "http_5xx")
        let usage = StreamUsage(promptTokens: 9, completionTokens: 14, totalTokens: 23, costUSD: 0.005023)
        metrics.recordTokens(client: "alice", model: "sonar", usage: usage)
        metrics.recordTokens(client: "alice", model: "sonar", usage: usage)
        metrics.recordTokens(
            client: "bob", model: "sonar-pro",
            usage: StreamUsage(promptTokens: 1, completionTokens: 2, totalTokens: 3, costUSD: nil))
        metrics.streamsOpen.increment()
        metrics.streamsOpen.increment()
        metrics.streamsOpen.subtract(1)
        metrics.chunksRelayed.add(9)
        metrics.streamsPaused.increment()
        metrics.peakClientBacklog.observe(4096)
        metrics.peakClientBacklog.observe(1024)
        metrics.recordTimings(timeToFirstByteNs: 20_000_000, durationNs: 1_500_000_000)
        metrics.recordTimings(timeToFirstByteNs: nil, durationNs: 500_000_000)

        let text = metrics.render()
        #expect(
            samples("pplx_requests_total", in: text) == [
                #"pplx_requests_total{route="chat_completions",status="200"} 2"#,
                #"pplx_requests_total{route="chat_completions",status="502"} 1"#,
                #"pplx_requests_total{route="models",status="200"} 1"#,
            ])
        #expect(samples("pplx_streams_open", in: text) == ["pplx_streams_open 1"])
        #expect(samples("pplx_chunks_relayed_total", in: text) == ["pplx_chunks_relayed_total 9"])
        #expect(samples("pplx_streams_paused", in: text) == ["pplx_streams_paused 1"])
        #expect(samples("pplx_client_backlog_peak_bytes", in: text) == ["pplx_client_backlog_peak_bytes 4096"])
        #expect(
            samples("pplx_upstream_errors_total", in: text) == [
                #"pplx_upstream_errors_total{kind="http_5xx"} 2"#,
                #"pplx_upstream_errors_total{kind="timeout"} 1"#,
            ])
        #expect(
            samples("pplx_tokens_total", in: text) == [
                #"pplx_tokens_total{client="alice",model="sonar",kind="completion"} 28"#,
                #"pplx_tokens_total{client="alice",model="sonar",kind="prompt"} 18"#,
                #"pplx_tokens_total{client="bob",model="sonar-pro",kind="completion"} 2"#,
                #"pplx_tokens_total{client="bob",model="sonar-pro",kind="prompt"} 1"#,
            ])
        // 0.02 s lands in le=0.025 and above; a missing first byte is not observed.
        #expect(
            samples("pplx_time_to_first_byte_seconds", in: text)
                == histogram(
                    "pplx_time_to_first_byte_seconds", cumulative: [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
                    sum: "0.02"))
        // Bounds are inclusive: 0.5 s counts in le=0.5.
        #expect(
            samples("pplx_request_duration_seconds", in: text)
                == histogram(
                    "pplx_request_duration_seconds", cumulative: [0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2],
                    sum: "2.0"))
    }

    @Test func durationsBeyondTheLastBucket_countOnlyInInf() {
        let metrics = ProxyMetrics()
        metrics.recordTimings(timeToFirstByteNs: 301_000_000_000, durationNs: 301_000_000_000)
        let text = metrics.render()
        #expect(
            samples("pplx_request_duration_seconds", in: text)
                == histogram(
                    "pplx_request_duration_seconds", cumulative: Array(repeating: 0, count: 16) + [1], sum: "301.0"))
    }

    @Test func labelValues_escapeBackslashQuoteAndNewline() {
        let metrics = ProxyMetrics()
        metrics.recordRequest(route: "a\"b\\c\nd", status: 404)
        metrics.recordUpstreamError(kind: "new\nline")
        metrics.recordTokens(
            client: "team \"x\"", model: "m\\1",
            usage: StreamUsage(promptTokens: 2, completionTokens: 3, totalTokens: 5, costUSD: nil))
        let text = metrics.render()
        #expect(samples("pplx_requests_total", in: text) == [#"pplx_requests_total{route="a\"b\\c\nd",status="404"} 1"#])
        #expect(samples("pplx_upstream_errors_total", in: text) == [#"pplx_upstream_errors_total{kind="new\nline"} 1"#])
        #expect(
            samples("pplx_tokens_total", in: text) == [
                #"pplx_tokens_total{client="team \"x\"",model="m\\1",kind="completion"} 3"#,
                #"pplx_tokens_total{client="team \"x\"",model="m\\1",kind="prompt"} 2"#,
            ])
    }
}
