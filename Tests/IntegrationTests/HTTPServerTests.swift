import Foundation
import ProxyCore
import Testing

/// HTTP/1.1 behaviour of the listener: limits, framing, pipelining, keep-alive, HTTP/1.0.
@Suite struct HTTPServerTests {
    @Test func oversizedHeaderBlock_gets431_andConnectionCloses() throws {
        let harness = try ProxyHarness()
        let client = try harness.client()
        try client.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 17 * 1024))\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 431)
        #expect((response.json?["error"] as? [String: Any])?["code"] as? String == "request_header_fields_too_large")
        #expect(client.readsEndOfFile())
    }

    @Test func bodyOverLimit_gets413_beforeBodyIsSent() throws {
        let harness = try ProxyHarness { $0.limits.maxBodyBytes = 1024 }
        let client = try harness.client()
        try client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 413)
    }

    @Test func contentLengthWithTransferEncoding_isRefused() throws {
        let harness = try ProxyHarness()
        let client = try harness.client()
        try client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 400)
        #expect(client.readsEndOfFile())
    }

    @Test func malformedRequestLine_gets400() throws {
        let harness = try ProxyHarness()
        let client = try harness.client()
        try client.send("THIS IS NOT HTTP\r\n\r\n")
        #expect(try client.readResponse().status == 400)
    }

    @Test func incompleteHeaders_get408_afterHeaderTimeout() throws {
        let harness = try ProxyHarness { $0.limits.headerTimeoutMs = 300 }
        let client = try harness.client()
        try client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n")
        let response = try client.readResponse()
        #expect(response.status == 408)
    }

    @Test func pipelinedRequests_areAnsweredInOrder() throws {
        let harness = try ProxyHarness()
        let client = try harness.client()
        let chat = ProxyHarness.chatBody(stream: true)
        try client.send(
            "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: \(chat.utf8.count)\r\n\r\n\(chat)"
                + "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
        let first = try client.readResponse()
        let second = try client.readResponse()
        let third = try client.readResponse()
        #expect(first.text == #"{"status":"ok"}"#)
        #expect(streamedText(second.body) == "The capital of France is Paris[1]. It lies on the Seine[2].")
        #expect((third.json?["object"] as? String) == "list")
    }

    @Test func chunkedRequestBody_withExpectContinue_isAccepted() throws {
        let harness = try ProxyHarness()
        let client = try harness.client()
        let body = ProxyHarness.chatBody(stream: false)
        let half = body.utf8.count / 2
        let bytes = Array(body.utf8)
        try client.send("POST /chat/completions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n")
        #expect(try client.readHead(skipInterim: false).status == 100)
        try client.send(Array(String(half, radix: 16).utf8) + Array("\r\n".utf8) + Array(bytes[0..<half]) + Array("\r\n".utf8))
        try client.send(
            Array(String(bytes.count - half, radix: 16).utf8) + Array("\r\n".utf8) + Array(bytes[half...]) + Array("\r\n0\r\n\r\n".utf8))
        let response = try client.readResponse()
        #expect(response.status == 200)
        let message = ((response.json?["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])
        #expect(message?["content"] as? String == "The capital of France is Paris[1]. It lies on the Seine[2].")
    }

    @Test func http10Client_getsCloseDelimitedStream() throws {
        let harness = try ProxyHarness()
        let client = try harness.client()
        let body = ProxyHarness.chatBody()
        try client.send("POST /v1/chat/completions HTTP/1.0\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.header("Transfer-Encoding") == nil)
        #expect(streamedText(response.body) == "The capital of France is Paris[1]. It lies on the Seine[2].")
    }

    @Test func unknownPath_gets404_andWrongMethod_gets405() throws {
        let harness = try ProxyHarness()
        let client = try harness.client()
        try client.get("/nope")
        let missing = try client.readResponse()
        #expect(missing.status == 404)
        try client.get("/v1/chat/completions")
        let wrong = try client.readResponse()
        #expect(wrong.status == 405)
        #expect(wrong.header("Allow") == "POST")
    }
}
