import Foundation
import ProxyCore
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The connection cases of the issue "Connections" as a hostile client would try them, on real sockets.
@Suite struct ConnectionAbuseTests {
    static let memberKey = "sk-team-alice-example"

    private func membersHarness(_ adjust: (inout ProxyConfig) -> Void = { _ in }) throws -> ProxyHarness {
        try ProxyHarness(api: .chat) { config in
            config.clients = [ClientConfig(name: "alice", keyHash: KeyHash.hash(Self.memberKey))]
            adjust(&config)
        }
    }

    @Test func unauthenticatedLargeBody_getsA401BeforeTheBodyIsRead() throws {
        let harness = try membersHarness()
        let client = try harness.client(timeoutSeconds: 5)
        try client.send(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 31457280\r\n\r\n")
        try client.send([UInt8](repeating: UInt8(ascii: " "), count: 64 * 1024))
        // The answer comes while 30 MB are still announced: the body is never buffered.
        let response = try client.readResponse()
        #expect(response.status == 401)
        #expect((response.json?["error"] as? [String: Any])?["code"] as? String == "missing_api_key")
        #expect(response.header("Connection") == "close")
        #expect(client.readsEndOfFile())
        #expect(try harness.chat(stream: false).status == 401)
    }

    @Test func wrongKeyWithExpectContinue_getsThe401InsteadOf100() throws {
        let harness = try membersHarness()
        let client = try harness.client(timeoutSeconds: 5)
        try client.send(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-nobody\r\nExpect: 100-continue\r\n"
                + "Content-Length: 5000000\r\n\r\n")
        let head = try client.readHead(skipInterim: false)
        #expect(head.status == 401)
    }

    @Test func memberWithAValidKey_sendsItsBodyAsUsual() throws {
        let harness = try membersHarness()
        let client = try harness.client()
        let body = ProxyHarness.chatBody(stream: false)
        try client.send(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(Self.memberKey)\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        )
        usleep(50_000)
        try client.send(body)
        let response = try client.readResponse()
        #expect(response.status == 200, "\(response.text)")
    }

    @Test func bodyTrickledSlowly_gets408AtTheRequestTimeout() throws {
        let harness = try ProxyHarness(api: .chat) { $0.limits.requestTimeoutMs = 700 }
        let client = try harness.client(timeoutSeconds: 10)
        try client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n")
        // One byte every 100 ms keeps the connection busy but can never finish within 700 ms.
        let fd = client.fd
        let stop = Mutex(false)
        let stopped = DispatchSemaphore(value: 0)
        let trickle = Thread {
            defer { stopped.signal() }
            for _ in 0..<40 where !stop.withLock({ $0 }) {
                var byte = UInt8(ascii: "{")
                guard Glibc.send(fd, &byte, 1, Int32(MSG_NOSIGNAL)) == 1 else { return }
                usleep(100_000)
            }
        }
        trickle.start()
        let status = try client.readHead().status
        #expect(status == 408)
        // The descriptor is closed when `client` goes: the thread must be done with it by then, or its bytes would
        // land in whatever socket of this process reuses the number.
        stop.withLock { $0 = true }
        stopped.wait()
        withExtendedLifetime(client) {}
    }

    @Test func halfClosedClient_getsItsWholeStream() throws {
        let harness = try ProxyHarness(api: .chat)
        let client = try harness.client()
        try client.post("/v1/chat/completions", json: ProxyHarness.chatBody(stream: true))
        shutdown(client.fd, Int32(SHUT_WR))
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text.contains("data: [DONE]"))
        #expect(streamedText(response.body).hasPrefix("The capital of France"))
    }

    @Test func halfClosedAgentStream_runsToTheEnd() throws {
        let harness = try ProxyHarness(api: .agent)
        let client = try harness.client()
        try client.post("/v1/chat/completions", json: ProxyHarness.chatBody(stream: true, scenario: "slow"))
        shutdown(client.fd, Int32(SHUT_WR))
        let response = try client.readResponse()
        #expect(response.text.contains("data: [DONE]"))
        #expect(harness.mock.statistics.cancellations.isEmpty)
    }

    @Test func absoluteFormTarget_isServed_andHTTP11WithoutHost_is400() throws {
        let harness = try ProxyHarness(api: .chat)
        let absolute = try harness.client()
        try absolute.send("GET http://127.0.0.1:\(harness.port)/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(try absolute.readResponse().status == 200)
        let hostless = try harness.client()
        try hostless.send("GET /healthz HTTP/1.1\r\n\r\n")
        let refused = try hostless.readResponse()
        #expect(refused.status == 400)
        #expect(refused.text.contains("Host"))
        let old = try harness.client()
        try old.send("GET /healthz HTTP/1.0\r\n\r\n")
        #expect(try old.readResponse().status == 200)
    }

    @Test func eventsOfOneUpstreamRead_leaveInOneChunk() throws {
        // The `flood` scenario writes large deltas back to back: many events per upstream read.
        let harness = try ProxyHarness(api: .chat, metadata: .passthrough)
        let client = try harness.client()
        try client.post("/v1/chat/completions", json: ProxyHarness.chatBody(scenario: "flood"))
        let response = try client.readResponse()
        let events = response.text.components(separatedBy: "\n\n").filter { $0.hasPrefix("data:") }.count
        #expect(response.chunks.count < events, "\(response.chunks.count) chunks for \(events) events")
    }
}

/// `limits.max_client_connections`: past the cap new connections get a 503 at once, and the cap frees up as
/// connections close.
@Suite struct ConnectionCapTests {
    @Test func connectionsPastTheCap_get503_andTheListenerKeepsAccepting() throws {
        let harness = try ProxyHarness(api: .chat) { $0.limits.maxClientConnections = 3 }
        var idle = try (0..<3).map { _ in try harness.client() }
        #expect(harness.eventually { harness.proxy.state.metrics.connectionsOpen.load == 3 })
        let extra = try harness.client()
        let refused = try extra.readResponse()
        #expect(refused.status == 503)
        #expect((refused.json?["error"] as? [String: Any])?["code"] as? String == "too_many_connections")
        #expect(refused.header("Retry-After") == "1")
        idle.removeLast().close()
        #expect(harness.eventually { harness.proxy.state.metrics.connectionsOpen.load == 2 })
        let next = try harness.client()
        try next.get("/healthz")
        #expect(try next.readResponse().status == 200)
        #expect(harness.proxy.state.metrics.connectionsRefused.load == 1)
    }
}
