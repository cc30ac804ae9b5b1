import Testing

@testable import ProxyCore

@Suite struct UpstreamErrorMapperTests {
    private let key = "pplx-SECRETKEY123"

    private func map(_ status: Int, _ body: String, headers: [(String, String)] = [], now: Int = 1_790_000_000)
        -> OpenAIError
    {
        // As in the proxy: the body is scrubbed where it enters (`UpstreamTransfer`), then mapped.
        UpstreamErrorMapper.map(
            status: status, headers: headers, body: Array(SecretScrubber.scrub(body, secret: key).utf8), now: now)
    }

    private func rendered(_ error: OpenAIError) -> String {
        String(decoding: error.jsonBody, as: UTF8.self)
    }

    @Test func mapper_400_passesUpstreamMessageAndType() {
        let error = map(
            400,
            #"{"error":{"message":"Invalid model 'x'. Permitted models can be found in the documentation.","type":"invalid_model","code":400}}"#
        )
        #expect(
            error
                == OpenAIError(
                    status: 400, type: "invalid_request_error", code: "invalid_model",
                    message: "Invalid model 'x'. Permitted models can be found in the documentation."))
    }

    @Test func mapper_400_withStringCodeOnly_usesCode() {
        let error = map(400, #"{"error":{"message":"bad","code":"invalid_parameter","param":"max_tokens"}}"#)
        #expect(error.code == "invalid_parameter")
        #expect(error.param == "max_tokens")
    }

    @Test func mapper_400_withoutJSON_isGenericInvalidRequest() {
        let error = map(400, "<html>bad</html>")
        #expect(error.status == 400)
        #expect(error.code == "upstream_invalid_request")
        #expect(!error.message.contains("<html>"))
    }

    @Test func mapper_422_fastAPIDetail_becomesLocationAndMessage() {
        let error = map(
            422,
            #"{"detail":[{"loc":["body","messages",0,"content"],"msg":"field required","type":"value_error.missing"},{"loc":["body","temperature"],"msg":"not a number","type":"type_error"}]}"#
        )
        #expect(error.status == 400)
        #expect(error.type == "invalid_request_error")
        #expect(error.code == "upstream_invalid_request")
        #expect(error.message == "body.messages.0.content: field required; body.temperature: not a number")
    }

    @Test func mapper_429_usesRetryAfter() {
        let error = map(
            429,
            #"{"error":{"message":"Request rate limit exceeded, please try again later.","type":"request_rate_limit_exceeded","code":429}}"#,
            headers: [("Retry-After", " 7 ")])
        #expect(error.status == 429)
        #expect(error.code == "upstream_rate_limited")
        #expect(error.retryAfterSeconds == 7)
        #expect(error.message == "Request rate limit exceeded, please try again later.")
    }

    @Test func mapper_429_withEpochReset_usesDelayUntilReset() {
        let error = map(429, "", headers: [("X-RateLimit-Reset", "1790000042")], now: 1_790_000_000)
        #expect(error.retryAfterSeconds == 42)
    }

    @Test func mapper_429_withSmallReset_treatsItAsDelay() {
        let error = map(429, "", headers: [("x-ratelimit-reset", "2.5")])
        #expect(error.retryAfterSeconds == 3)
    }

    @Test func mapper_429_withoutHints_retriesAfterOneSecond() {
        let error = map(429, "", headers: [("Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT")])
        #expect(error.retryAfterSeconds == 1)
        #expect(error.status == 429)
    }

    @Test func mapper_429_resetInThePast_isAtLeastOneSecond() {
        let error = map(429, "", headers: [("x-ratelimit-reset", "1789999990")], now: 1_790_000_000)
        #expect(error.retryAfterSeconds == 1)
    }

    @Test(arguments: [401, 403])
    func mapper_authFailure_isBadGatewayNotTheCallersFault(status: Int) {
        let error = map(
            status,
            "<html><head><title>401 Authorization Required</title></head><body><center>openresty</center></body></html>"
        )
        #expect(error.status == 502)
        #expect(error.type == "upstream_error")
        #expect(error.code == "upstream_auth_failed")
        #expect(error.message.contains("proxy's API key"))
        #expect(!error.message.contains("openresty"))
        #expect(!error.message.contains("<"))
    }

    @Test func mapper_authFailure_scrubsKeyFromUpstreamMessage() {
        let error = map(
            401,
            #"{"error":{"message":"Invalid key Bearer pplx-SECRETKEY123 (pplx-SECRETKEY123)","type":"invalid_api_key"}}"#
        )
        #expect(error.message.contains("Upstream said: Invalid key Bearer [redacted] ([redacted])"))
        #expect(!rendered(error).contains(key))
    }

    @Test(arguments: [
        #"{"error":{"message":"Sonar is now the Agent API. Use /v1/responses instead of /v1/sonar. Migrate here: https://docs.perplexity.ai/docs/agent-api/migrate-from-sonar/overview","type":"chat_completions_not_available","code":403}}"#,
        #"{"error":{"message":"Sonar is now the Agent API. Use /v1/responses instead of /chat/completions.","code":"agent_api_migration_required"}}"#,
        #"{"error":{"message":"gone","type":"agent_api_migration_required"}}"#,
        #"{"error":{"message":"Sonar is now the Agent API."}}"#,
    ])
    func mapper_retiredEndpoint_saysToUseAgentMode(body: String) {
        let error = map(403, body)
        #expect(error.status == 502)
        #expect(error.type == "upstream_error")
        #expect(error.code == "upstream_endpoint_retired")
        #expect(error.message.contains("2026-09-27"))
        #expect(error.message.contains(#"upstream.api "agent""#))
    }

    @Test func mapper_retiredCodeOn401_isStillAnAuthFailure() {
        let error = map(401, #"{"error":{"message":"x","type":"chat_completions_not_available"}}"#)
        #expect(error.code == "upstream_auth_failed")
    }

    @Test(arguments: [500, 502, 503, 504])
    func mapper_serverError_isBadGatewayNamingStatus(status: Int) {
        let error = map(status, #"{"error":{"message":"internal","type":"internal_error"}}"#)
        #expect(error.status == 502)
        #expect(error.code == "upstream_server_error")
        #expect(error.message.contains("HTTP \(status)"))
        #expect(error.message.contains("internal"))
    }

    @Test(arguments: [301, 402, 404, 409, 413])
    func mapper_otherStatus_isBadStatus(status: Int) {
        let error = map(status, "not json")
        #expect(error.status == 502)
        #expect(error.code == "upstream_bad_status")
        #expect(error.message == "The upstream answered with unexpected HTTP status \(status).")
    }

    @Test func mapper_longUpstreamMessage_isCapped() {
        let long = String(repeating: "é", count: 3000)
        let error = map(400, #"{"error":{"message":""# + long + #""}}"#)
        #expect(error.message.utf8.count <= UpstreamErrorMapper.upstreamTextLimit + 3)
        #expect(error.message.hasSuffix("…"))
    }

    @Test func mapper_keySplitAcrossCapBoundary_neverLeaks() {
        let padding = String(repeating: "a", count: UpstreamErrorMapper.upstreamTextLimit - 5)
        let error = map(400, #"{"error":{"message":""# + padding + key + #""}}"#)
        #expect(!error.message.contains("pplx-"))
    }

    @Test func mapper_keyInEveryField_isScrubbed() {
        let error = map(
            400, #"{"error":{"message":"pplx-SECRETKEY123","type":"invalid_parameter","param":"pplx-SECRETKEY123"}}"#)
        #expect(!rendered(error).contains(key))
    }

    @Test func mapper_failures_mapToStatusAndCode() {
        let cases: [(UpstreamFailure, Int, String)] = [
            (.unreachable("connection refused"), 502, "upstream_unreachable"),
            (.connectTimeout, 504, "upstream_timeout"),
            (.firstByteTimeout, 504, "upstream_timeout"),
            (.idleTimeout, 504, "upstream_timeout"),
            (.tls("certificate verify failed"), 502, "upstream_tls_error"),
            (.protocolError("bad chunk size"), 502, "upstream_protocol_error"),
            (.truncated, 502, "upstream_stream_truncated"),
        ]
        for (failure, status, code) in cases {
            let error = UpstreamErrorMapper.map(failure)
            #expect(error.status == status, "\(failure)")
            #expect(error.code == code, "\(failure)")
            #expect(error.type == "upstream_error", "\(failure)")
        }
    }

    @Test func mapper_timeouts_nameThePhase() {
        #expect(UpstreamErrorMapper.map(.connectTimeout).message.contains("connecting"))
        #expect(UpstreamErrorMapper.map(.firstByteTimeout).message.contains("first response byte"))
        #expect(UpstreamErrorMapper.map(.idleTimeout).message.contains("stopped sending"))
    }

    @Test func mapper_failureDetail_isPassedOn() {
        let error = UpstreamErrorMapper.map(.unreachable("connection refused"))
        #expect(error.message == "Could not reach the upstream: connection refused")
    }

    @Test(arguments: [503, 500])
    func mapper_serverErrorWithRetryAfter_keepsIt(status: Int) {
        let error = map(status, "busy", headers: [("Retry-After", "30")])
        #expect(error.status == 502)
        #expect(error.retryAfterSeconds == 30)
        #expect(map(status, "busy").retryAfterSeconds == nil)
    }
}
