import Foundation
import ProxyCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Whatever a client sends, the proxy neither crashes nor hangs: it answers an error or closes, and keeps serving.
@Suite struct HostileClientTests {
    /// Deterministic garbage for `seed`: truncated requests, absurd lengths and chunk sizes, then noise bytes.
    private static func garbage(seed: Int) -> [UInt8] {
        let templates = [
            "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
            "POST /v1/chat/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\n",
            "POST /v1/chat/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "GET / HTTP/9.9\r\n\r\n",
            "\u{0}\u{1}\u{2}\r\n\r\n",
            "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 10\r\n\r\n{\"model\":",
            "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 2\r\n\r\n[]",
            "GET /healthz HTTP/1.1\r\n" + String(repeating: "X: y\r\n", count: 5000),
        ]
        var bytes = Array(templates[seed % templates.count].utf8)
        let extra = (seed &* 7919) % 512
        bytes += (0..<extra).map { i in UInt8(truncatingIfNeeded: (seed &* 2_654_435_761) ^ (i &* 40_503) ^ (i >> 3)) }
        return bytes
    }

    @Test func garbageFromManyClients_neverStopsTheProxy() throws {
        let harness = try ProxyHarness(api: .chat)
        for seed in 0..<200 {
            let client = try harness.client(timeoutSeconds: 2)
            try? client.send(Self.garbage(seed: seed))
            if seed % 2 == 0 { client.close() }
        }
        let client = try harness.client()
        try client.get("/healthz")
        #expect(try client.readResponse().status == 200)
        #expect(try harness.chat().status == 200)
    }

    @Test func malformedJSONBodies_get400_withOpenAIErrorShape() throws {
        let harness = try ProxyHarness(api: .agent)
        for body in [
            "", "{", "[]", "null", #"{"model":1}"#, #"{"model":"sonar"}"#, #"{"model":"sonar","messages":"hi"}"#,
            #"{"model":"sonar","messages":[],"stream":"yes"}"#,
        ] {
            let client = try harness.client()
            try client.post("/v1/chat/completions", json: body)
            let response = try client.readResponse()
            #expect(response.status == 400, "body \(body)")
            let error = response.json?["error"] as? [String: Any]
            #expect(error?["message"] is String && error?["type"] is String && error?["code"] is String)
        }
    }
}
