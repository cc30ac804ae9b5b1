import Dispatch
import Foundation
import MockUpstream
import ProxyCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Connection lifetimes on both sides: HEAD, half-closed clients, clients that stop reading, upstream reuse.
@Suite struct ConnectionLifecycleTests {
    @Test func headRequest_getsHeadersOnly_andTheConnectionStaysUsable() throws {
        let harness = try ProxyHarness()
        let client = try harness.client()
        try client.send("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try client.readHead()
        #expect(head.status == 200)
        #expect(head.headers.first { $0.0 == "Content-Length" }?.1 == "15")
        let next = try client.readResponse()
        #expect(next.text == #"{"status":"ok"}"#)
    }

    @Test func clientThatHalfClosesAfterItsRequest_stillGetsTheAnswer() throws {
        let harness = try ProxyHarness()
        let client = try harness.client()
        try client.post("/v1/chat/completions", json: ProxyHarness.chatBody(stream: false))
        shutdown(client.fd, Int32(SHUT_WR))
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(client.readsEndOfFile())
    }

    @Test func clientThatStopsReading_isDroppedAfterTheIdleTimeout_andItsUpstreamAborted() throws {
        let harness = try ProxyHarness(api: .chat, metadata: .passthrough) { $0.limits.idleTimeoutMs = 500 }
        let client = try harness.client(timeoutSeconds: 30)
        client.setReceiveBuffer(bytes: 64 * 1024)
        try client.post("/v1/chat/completions", json: ProxyHarness.chatBody(scenario: "flood"))
        #expect(harness.eventually { harness.proxy.state.metrics.streamsPaused.load == 1 })
        #expect(harness.eventually(seconds: 15) { harness.proxy.state.metrics.streamsOpen.load == 0 })
        // The upstream transfer was cancelled mid-body, so its connection is closed, not pooled.
        #expect(harness.eventually { harness.mock.openConnections == 0 })
        #expect(harness.proxy.state.metrics.streamsPaused.load == 0)
    }

    // Reuse is best effort: the upstream's end of body can arrive just after the terminal event, and a client
    // that sends its next request at once may find the connection still busy. Most requests must reuse it.

    @Test func sequentialStreams_reuseUpstreamConnections() throws {
        let harness = try ProxyHarness(api: .chat) { $0.eventLoops = 1 }
        for _ in 0..<6 {
            #expect(streamedText(try harness.chat().body) == CanonicalAnswer.text)
        }
        #expect(harness.mock.acceptedConnections <= 3)
    }

    @Test func agentStreams_reuseUpstreamConnections() throws {
        let harness = try ProxyHarness(api: .agent) { $0.eventLoops = 1 }
        for _ in 0..<6 {
            #expect(streamedText(try harness.chat().body) == CanonicalAnswer.text)
        }
        #expect(harness.mock.acceptedConnections <= 3)
    }

    /// Pooled connections sit parked in the reactor between transfers; the upstream closing them must neither
    /// break the next request nor leave a dead socket registered.
    @Test func upstreamClosingPooledConnections_nextRequestsOpenNewOnes() throws {
        let harness = try ProxyHarness(api: .chat) { $0.eventLoops = 1 }
        for _ in 0..<3 {
            #expect(streamedText(try harness.chat().body) == CanonicalAnswer.text)
        }
        let before = harness.mock.acceptedConnections
        harness.mock.closeConnections()
        #expect(harness.eventually { harness.mock.openConnections == 0 })
        usleep(50_000)
        for _ in 0..<3 {
            #expect(streamedText(try harness.chat().body) == CanonicalAnswer.text)
        }
        #expect(harness.mock.acceptedConnections > before)
        #expect(harness.mock.acceptedConnections <= before + 3)
    }

    @Test func streamOutlivingThePreviousStreamsDiscardWindow_isNotDisturbed() throws {
        // The first stream ends in the discard window and then completes, freeing its easy handle; the second
        // (slow, longer than the 2 s window) may get the same handle address and must not be detached when the
        // first one's window expires.
        let harness = try ProxyHarness(api: .chat) { $0.eventLoops = 1 }
        #expect(streamedText(try harness.chat().body) == CanonicalAnswer.text)
        let slow = try harness.chat(scenario: "slow")
        #expect(streamedText(slow.body) == CanonicalAnswer.text)
        #expect(sseDataPayloads(slow.body).last == "[DONE]")
    }
    @Test func clientThatHalfClosesThenResets_endsItsRequestAtOnce() throws {
        let harness = try ProxyHarness(api: .chat)
        let client = try harness.client()
        try client.post("/v1/chat/completions", json: ProxyHarness.chatBody(stream: false, scenario: "no-response"))
        shutdown(client.fd, Int32(SHUT_WR))
        #expect(harness.eventually { harness.proxy.state.metrics.requestsInFlight.load == 1 })
        client.reset()
        // Without the hang-up handling the request would live until the upstream's first-byte timeout (120 s),
        // with the loop spinning on the error event meanwhile.
        #expect(harness.eventually { harness.proxy.state.metrics.requestsInFlight.load == 0 })
    }
}

/// Graceful shutdown's last resort: what the grace period could not finish is told why.
@Suite struct ShutdownTests {
    @Test func streamCutAtTheEndOfTheGracePeriod_getsAShuttingDownErrorFrame() throws {
        let harness = try ProxyHarness(api: .agent)
        let client = try harness.client()
        try client.post("/v1/chat/completions", json: ProxyHarness.chatBody(scenario: "stall"))
        #expect(try client.readHead().status == 200)
        _ = try client.readChunk()
        let done = DispatchSemaphore(value: 0)
        harness.proxy.shutdown(graceMs: 200) { done.signal() }
        var rest: [UInt8] = []
        while let chunk = try client.readChunk() { rest += chunk }
        #expect(String(decoding: rest, as: UTF8.self).contains(#""code":"shutting_down""#))
        #expect(done.wait(timeout: .now() + 10) == .success)
        // The abandoned Agent run was cancelled upstream too.
        #expect(harness.eventually { harness.mock.statistics.cancellations.count == 1 })
    }
}
