import Foundation
import ProxyCore
import Testing

/// Member keys and limits.
@Suite struct MemberTests {
    static let aliceKey = "sk-team-alice-example"
    static let bobKey = "sk-team-bob-example"

    private func harness(_ adjust: (inout ClientConfig, inout ClientConfig) -> Void = { _, _ in }) throws -> ProxyHarness {
        try ProxyHarness(api: .chat) { config in
            var alice = ClientConfig(name: "alice", keyHash: KeyHash.hash(Self.aliceKey))
            var bob = ClientConfig(name: "bob", keyHash: KeyHash.hash(Self.bobKey))
            bob.models = ["sonar"]
            adjust(&alice, &bob)
            config.clients = [alice, bob]
        }
    }

    private func post(_ harness: ProxyHarness, key: String?, model: String = "sonar", stream: Bool = true) throws -> RawHTTPClient.Response
    {
        let client = try harness.client()
        try client.post(
            "/v1/chat/completions", json: ProxyHarness.chatBody(model: model, stream: stream),
            headers: key.map { ["Authorization": "Bearer \($0)"] } ?? [:])
        return try client.readResponse()
    }

    @Test func missingOrUnknownKey_gets401() throws {
        let harness = try harness()
        #expect(try post(harness, key: nil).status == 401)
        #expect(try post(harness, key: "sk-nobody").status == 401)
        #expect(try post(harness, key: Self.aliceKey).status == 200)
    }

    @Test func modelOutsideMembersList_gets403() throws {
        let harness = try harness()
        #expect(try post(harness, key: Self.bobKey, model: "sonar-pro").status == 403)
    }

    @Test func modelsList_isFilteredToTheCaller() throws {
        let harness = try harness()
        let client = try harness.client()
        try client.get("/v1/models", headers: ["Authorization": "Bearer \(Self.bobKey)"])
        let ids = (try client.readResponse().json?["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
        #expect(ids == ["sonar"])
    }

    @Test func requestsPerMinute_isEnforced_withRetryAfter() throws {
        let harness = try harness { alice, _ in alice.requestsPerMinute = 2 }
        #expect(try post(harness, key: Self.aliceKey).status == 200)
        #expect(try post(harness, key: Self.aliceKey).status == 200)
        let third = try post(harness, key: Self.aliceKey)
        #expect(third.status == 429)
        #expect(third.header("Retry-After").flatMap(Int.init).map { $0 >= 1 && $0 <= 60 } == true)
        #expect(try post(harness, key: Self.bobKey).status == 200)
    }

    @Test func tokensPerDay_budgetIsEnforced() throws {
        let harness = try harness { alice, _ in alice.tokensPerDay = 200 }
        var statuses: [Int] = []
        var last: RawHTTPClient.Response?
        for _ in 0..<12 {
            let client = try harness.client()
            try client.post(
                "/v1/chat/completions", json: ProxyHarness.chatBody(extra: #","max_tokens":20"#),
                headers: ["Authorization": "Bearer \(Self.aliceKey)"])
            let response = try client.readResponse()
            statuses.append(response.status)
            last = response
        }
        // Each answer is 23 tokens and reserves about 50: a handful run, then the budget refuses.
        #expect(statuses.prefix(3).allSatisfy { $0 == 200 })
        #expect(last?.status == 429)
        #expect((last?.json?["error"] as? [String: Any])?["code"] as? String == "budget_exceeded")
        #expect(harness.proxy.state.limiter.tokens(of: "alice").spent <= 200)
    }

    @Test func concurrentStreams_areLimited() throws {
        let harness = try harness { alice, _ in alice.maxConcurrentStreams = 1 }
        let open = try harness.client()
        try open.post(
            "/v1/chat/completions", json: ProxyHarness.chatBody(scenario: "stall"), headers: ["Authorization": "Bearer \(Self.aliceKey)"])
        #expect(try open.readHead().status == 200)
        #expect(try post(harness, key: Self.aliceKey).status == 429)
        open.close()
        #expect(harness.eventually { (try? post(harness, key: Self.aliceKey).status) == 200 })
    }

    @Test func metrics_needAMemberKey() throws {
        let harness = try harness()
        let client = try harness.client()
        try client.get("/metrics")
        #expect(try client.readResponse().status == 401)
        try client.get("/metrics", headers: ["Authorization": "Bearer \(Self.aliceKey)"])
        let metrics = try client.readResponse()
        #expect(metrics.status == 200)
        #expect(metrics.text.contains("pplx_streams_open"))
    }
}

/// Member restrictions on the Agent API pass-through and the single-model endpoint.
@Suite struct MemberAgentPassthroughTests {
    @Test func restrictedMember_mayRunOnlyTheRoutesOfItsModels() throws {
        let harness = try ProxyHarness(api: .agent) { config in
            var bob = ClientConfig(name: "bob", keyHash: KeyHash.hash(MemberTests.bobKey))
            bob.models = ["sonar"]
            config.clients = [bob]
        }
        let headers = ["Authorization": "Bearer \(MemberTests.bobKey)"]
        let allowed = try harness.client()
        try allowed.post("/v1/responses", json: #"{"model":"perplexity/sonar","input":"hi"}"#, headers: headers)
        #expect(try allowed.readResponse().status == 200)
        let refused = try harness.client()
        try refused.post("/v1/responses", json: #"{"preset":"high","input":"hi"}"#, headers: headers)
        #expect(try refused.readResponse().status == 403)
        let model = try harness.client()
        try model.get("/v1/models/sonar", headers: headers)
        #expect(try model.readResponse().json?["id"] as? String == "sonar")
        try model.get("/v1/models/sonar-pro", headers: headers)
        #expect(try model.readResponse().status == 404)
    }
}

/// With members configured, the API's shape is not revealed to callers without a key.
@Suite struct MemberAuthenticationOrderTests {
    @Test func unknownPathsAndWrongMethods_need_a_key_first() throws {
        let harness = try ProxyHarness(api: .chat) { config in
            config.clients = [ClientConfig(name: "alice", keyHash: KeyHash.hash(MemberTests.aliceKey))]
        }
        let client = try harness.client()
        try client.get("/nope")
        #expect(try client.readResponse().status == 401)
        try client.get("/v1/chat/completions")
        #expect(try client.readResponse().status == 401)
        try client.get("/nope", headers: ["Authorization": "Bearer \(MemberTests.aliceKey)"])
        #expect(try client.readResponse().status == 404)
        try client.get("/healthz")
        #expect(try client.readResponse().status == 200)
    }
}
