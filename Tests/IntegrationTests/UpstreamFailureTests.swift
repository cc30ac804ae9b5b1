import Foundation
import ProxyCore
import Testing

/// Upstream failures reach clients with the contract's status and body, and never with the upstream key.
@Suite struct UpstreamFailureTests {
    private func error(_ response: RawHTTPClient.Response) -> [String: Any]? {
        response.json?["error"] as? [String: Any]
    }

    @Test(
        arguments: [
            ("error-400", 400, "invalid_model"), ("error-401", 502, "upstream_auth_failed"), ("error-422", 400, nil),
            ("error-429", 429, "upstream_rate_limited"), ("error-500", 502, "upstream_server_error"),
            ("error-503", 502, "upstream_server_error"), ("retired-403", 502, "upstream_endpoint_retired"),
            ("retired-403b", 502, "upstream_endpoint_retired"),
        ] as [(String, Int, String?)])
    func chatUpstreamErrors_mapToContractStatuses(scenario: String, status: Int, code: String?) throws {
        let harness = try ProxyHarness(api: .chat)
        let response = try harness.chat(scenario: scenario)
        #expect(response.status == status)
        let body = try #require(error(response))
        #expect(body["message"] is String)
        #expect(body["type"] is String)
        if let code { #expect(body["code"] as? String == code) }
        #expect(!response.text.contains(ProxyHarness.upstreamKey))
        if scenario == "error-429" { #expect(response.header("Retry-After") == "7") }
    }

    @Test func upstreamUnreachable_gets502() throws {
        let harness = try ProxyHarness(api: .chat) { $0.upstream.url = "http://127.0.0.1:1" }
        let response = try harness.chat()
        #expect(response.status == 502)
        #expect(error(response)?["code"] as? String == "upstream_unreachable")
    }

    @Test func upstreamSilentBeforeFirstByte_gets504() throws {
        let harness = try ProxyHarness(api: .chat) { $0.upstream.firstByteTimeoutMs = 300 }
        let response = try harness.chat(scenario: "no-response")
        #expect(response.status == 504)
        #expect(error(response)?["code"] as? String == "upstream_timeout")
    }

    @Test func upstreamStallingMidStream_endsWithErrorEvent() throws {
        let harness = try ProxyHarness(api: .chat) { $0.upstream.idleTimeoutMs = 300 }
        let response = try harness.chat(scenario: "stall")
        #expect(response.status == 200)
        #expect(response.text.contains("event: error\ndata: {\"error\":"))
        #expect(!response.text.contains("[DONE]"))
    }

    @Test func upstreamDroppingMidStream_endsWithErrorEvent() throws {
        let harness = try ProxyHarness(api: .chat)
        let response = try harness.chat(scenario: "drop")
        #expect(response.status == 200)
        #expect(response.text.contains("event: error"))
        #expect(response.text.contains("upstream_stream_truncated"))
    }

    @Test func keepalivePings_areSentWhileUpstreamIsSilent() throws {
        let harness = try ProxyHarness(api: .chat) {
            $0.stream.keepaliveMs = 150
            $0.upstream.idleTimeoutMs = 1_000
        }
        let response = try harness.chat(scenario: "stall")
        #expect(response.text.contains(": ping\n\n"))
    }

    @Test(arguments: [UpstreamAPI.chat, .agent])
    func keepalivePings_startBeforeTheUpstreamAnswers_andALaterFailureIsAnErrorFrame(api: UpstreamAPI) throws {
        let harness = try ProxyHarness(api: api) {
            $0.stream.keepaliveMs = 150
            $0.upstream.firstByteTimeoutMs = 1_000
        }
        let response = try harness.chat(scenario: "no-response")
        #expect(response.status == 200)
        #expect(response.text.hasPrefix(": ping\n\n"))
        #expect(response.text.contains("event: error\ndata: {\"error\":"))
        #expect(response.text.contains("upstream_timeout"))
    }

    @Test func anUpstreamThatAnswersBeforeTheFirstPing_keepsItsErrorStatus() throws {
        let harness = try ProxyHarness(api: .chat) { $0.stream.keepaliveMs = 5_000 }
        let response = try harness.chat(scenario: "error-429")
        #expect(response.status == 429)
    }

    @Test func upstreamKey_neverAppearsInLogs() throws {
        let harness = try ProxyHarness(api: .chat)
        for scenario in ["default", "error-401", "error-400", "drop"] { _ = try harness.chat(scenario: scenario) }
        #expect(!harness.logs.lines.isEmpty)
        #expect(harness.logs.lines.allSatisfy { !$0.contains(ProxyHarness.upstreamKey) })
    }
}
