import Foundation
import ProxyCore
import Testing

/// One way a client reaches the upstream: the proxy's mode and the route and body shape the client uses.
struct ClientRoute: CustomStringConvertible, Sendable, Equatable {
    var api: UpstreamAPI
    var metadata: MetadataMode = .final
    /// `/v1/responses` (the Agent API pass-through) instead of chat completions.
    var responsesAPI = false
    var stream: Bool

    var description: String {
        "\(api)\(metadata == .passthrough ? "-passthrough" : "")\(responsesAPI ? "-responses" : "-chat")\(stream ? "-stream" : "-body")"
    }

    /// Relayed as the upstream's own events (no translation): the upstream's bytes reach the client.
    var relaysUpstreamEvents: Bool { responsesAPI || metadata == .passthrough }

    static let chatFinalStream = ClientRoute(api: .chat, stream: true)
    static let chatPassthroughStream = ClientRoute(api: .chat, metadata: .passthrough, stream: true)
    static let chatBody = ClientRoute(api: .chat, stream: false)
    static let agentChatStream = ClientRoute(api: .agent, stream: true)
    static let agentChatBody = ClientRoute(api: .agent, stream: false)
    static let responsesStream = ClientRoute(api: .agent, responsesAPI: true, stream: true)
    static let responsesBody = ClientRoute(api: .agent, responsesAPI: true, stream: false)

    static let all = [
        chatFinalStream, chatPassthroughStream, chatBody, agentChatStream, agentChatBody, responsesStream, responsesBody,
    ]
    static let streams = all.filter(\.stream)
    static let translatedStreams = [chatFinalStream, agentChatStream]
}

/// A proxy with a ledger in front of the emulator, for one route; the key must never show up anywhere.
final class FaultRig {
    let route: ClientRoute
    let harness: ProxyHarness
    let ledgerPath: String

    init(_ route: ClientRoute, configure: (inout ProxyConfig) -> Void = { _ in }) throws {
        self.route = route
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("faults-\(UUID().uuidString).jsonl").path
        ledgerPath = path
        harness = try ProxyHarness(api: route.api, metadata: route.metadata) { config in
            config.usageLedger = path
            configure(&config)
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: ledgerPath) }

    /// Sends the route's request asking the emulator for `scenario` and reads the whole response.
    func request(_ scenario: String?) throws -> RawHTTPClient.Response {
        let client = try harness.client(timeoutSeconds: 20)
        let marker = scenario.map { " mock:\($0)" } ?? ""
        if route.responsesAPI {
            let body = #"{"preset":"fast","stream":\#(route.stream),"input":"What is the capital of France?\#(marker)"}"#
            try client.post("/v1/responses", json: body)
        } else {
            try client.post("/v1/chat/completions", json: ProxyHarness.chatBody(stream: route.stream, scenario: scenario))
        }
        return try client.readResponse()
    }

    var ledger: [UsageRecord] {
        let text = (try? String(contentsOfFile: ledgerPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { UsageRecord(jsonLine: Array($0.utf8)) }
    }

    /// The proxy still answers a normal request correctly after the fault.
    func keepsServing() throws -> Bool {
        let response = try request(nil)
        guard response.status == 200 else { return false }
        return route.stream ? !response.text.contains("event: error") : response.json != nil
    }

    /// Whether the upstream key appears in `response`, the logs or the ledger file (raw, or JSON-escaped).
    func keyLeaked(in response: RawHTTPClient.Response) -> Bool {
        let key = ProxyHarness.upstreamKey
        let ledgerText = (try? String(contentsOfFile: ledgerPath, encoding: .utf8)) ?? ""
        let places = [response.text, ledgerText] + harness.logs.lines + response.headers.map { "\($0.0): \($0.1)" }
        let decoded = places + places.compactMap(Self.decodingEscapes)
        // The key's distinctive tail too: a leak of part of the key is still a leak.
        return decoded.contains { $0.contains(key) || $0.contains(String(key.suffix(12))) }
    }

    /// `text` with JSON `\uXXXX` and `\/` escapes decoded, so an escaped key is found too.
    private static func decodingEscapes(_ text: String) -> String? {
        guard text.contains("\\") else { return nil }
        var out = ""
        var scalars = text.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            guard scalar == "\\" else {
                out.unicodeScalars.append(scalar)
                continue
            }
            guard let next = scalars.next() else { break }
            if next == "u" {
                var hex = ""
                for _ in 0..<4 { if let digit = scalars.next() { hex.unicodeScalars.append(digit) } }
                if let value = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(value) { out.unicodeScalars.append(decoded) }
            } else {
                out.unicodeScalars.append(next)
            }
        }
        return out
    }
}

/// The upstream fault suite (issue "Trust", case 6): every way an upstream can refuse, break, stall, lie or leak,
/// on every route. Each case asserts what the client gets, the ledger outcome, that the proxy keeps serving, and
/// that the upstream key appears nowhere.
@Suite struct UpstreamFaultTests {
    private func errorCode(_ response: RawHTTPClient.Response) -> String? {
        (response.json?["error"] as? [String: Any])?["code"] as? String
    }

    /// The code of the `event: error` frame a stream ended with.
    private func streamErrorCode(_ response: RawHTTPClient.Response) -> String? {
        let frames = response.text.components(separatedBy: "\n\n").filter { $0.hasPrefix("event: error\n") }
        guard let last = frames.last, let data = last.split(separator: "\n").last?.dropFirst("data: ".count),
            let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any]
        else { return nil }
        return (object["error"] as? [String: Any])?["code"] as? String
    }

    // MARK: The key

    @Test(arguments: ClientRoute.all)
    func upstreamEchoingTheKeyInItsAnswer_neverHandsItToTheClient(route: ClientRoute) throws {
        let rig = try FaultRig(route)
        let response = try rig.request("echo-key")
        #expect(response.status == 200)
        #expect(response.text.contains("[redacted]"))
        #expect(!rig.keyLeaked(in: response))
        #expect(rig.ledger.last?.outcome == "ok")
        #expect(try rig.keepsServing())
    }

    @Test(arguments: ClientRoute.all)
    func upstreamEchoingTheKeyInAFailure_neverHandsItToTheClient(route: ClientRoute) throws {
        let rig = try FaultRig(route)
        let response = try rig.request("echo-key-error")
        #expect(!rig.keyLeaked(in: response))
        #expect(response.text.contains("[redacted]"))
        if route == .responsesBody {
            // A failed run is a legitimate Agent API answer: relayed, scrubbed.
            #expect(response.status == 200)
        } else if route.stream {
            #expect(response.status == 200)
            #expect(response.text.contains("event: error") || route.relaysUpstreamEvents)
            #expect(rig.ledger.last?.outcome == "upstream_error")
        } else {
            #expect(response.status == 502)
            #expect(rig.ledger.last?.outcome == "upstream_error")
        }
        #expect(try rig.keepsServing())
    }

    @Test(arguments: ClientRoute.all)
    func upstreamRefusingTheKeyAndEchoingIt_isABadGatewayWithoutTheKey(route: ClientRoute) throws {
        let rig = try FaultRig(route)
        let response = try rig.request("echo-key-401")
        #expect(response.status == 502)
        #expect(errorCode(response) == "upstream_auth_failed")
        // A retry cannot help when the proxy's own key is refused: the SDKs are told not to.
        #expect(response.header("x-should-retry") == "false")
        #expect(!rig.keyLeaked(in: response))
        #expect(rig.ledger.last?.outcome == "upstream_error")
    }

    // MARK: Garbage called success

    @Test(arguments: ClientRoute.all)
    func htmlPageWithStatus200_isAnInvalidResponse(route: ClientRoute) throws {
        let rig = try FaultRig(route)
        let response = try rig.request("html-200")
        #expect(response.status == 502)
        #expect(errorCode(response) == "upstream_invalid_response")
        #expect(!response.text.contains("<html"))
        #expect(!rig.keyLeaked(in: response))
        #expect(rig.ledger.last?.outcome == "upstream_error")
        #expect(try rig.keepsServing())
    }

    @Test(arguments: ClientRoute.all)
    func errorObjectWithStatus200_isAnInvalidResponse(route: ClientRoute) throws {
        let rig = try FaultRig(route)
        let response = try rig.request("error-200")
        #expect(response.status == 502)
        #expect(errorCode(response) == "upstream_invalid_response")
        #expect(response.text.contains("quota exceeded"))
        #expect(rig.ledger.last?.outcome == "upstream_error")
    }

    @Test(arguments: ClientRoute.translatedStreams)
    func eventWithInvalidUTF8_endsTheStreamWithAnError(route: ClientRoute) throws {
        let rig = try FaultRig(route)
        let response = try rig.request("invalid-utf8")
        #expect(response.status == 200)
        #expect(streamedText(response.body) == "Hello")
        #expect(streamErrorCode(response) == "upstream_invalid_response")
        #expect(rig.ledger.last?.outcome == "upstream_error")
        #expect(try rig.keepsServing())
    }

    @Test(arguments: ClientRoute.translatedStreams)
    func eventWithInvalidJSON_endsTheStreamWithAnError(route: ClientRoute) throws {
        let rig = try FaultRig(route)
        let response = try rig.request("invalid-json")
        #expect(response.status == 200)
        #expect(streamedText(response.body) == "Hello")
        #expect(streamErrorCode(response) == "upstream_invalid_response")
        #expect(rig.ledger.last?.outcome == "upstream_error")
    }

    @Test(arguments: ClientRoute.streams)
    func fiftyMegabyteLine_endsTheStreamWithAnError(route: ClientRoute) throws {
        let rig = try FaultRig(route)
        let response = try rig.request("huge-line")
        #expect(response.status == 200)
        #expect(streamErrorCode(response) == "upstream_invalid_response")
        #expect(response.body.count < 1 << 20)
        #expect(rig.ledger.last?.outcome == "upstream_error")
        #expect(try rig.keepsServing())
    }

    // MARK: Truncation

    @Test(arguments: [
        (ClientRoute.chatFinalStream, "no-finish"), (ClientRoute.chatPassthroughStream, "no-finish"),
        (ClientRoute.agentChatStream, "no-terminal"), (ClientRoute.responsesStream, "no-terminal"),
    ])
    func streamWithoutItsTerminal_endsWithAnError(route: ClientRoute, scenario: String) throws {
        let rig = try FaultRig(route)
        let response = try rig.request(scenario)
        #expect(response.status == 200)
        #expect(streamErrorCode(response) == "upstream_stream_truncated")
        #expect(!response.text.contains("data: [DONE]"))
        #expect(rig.ledger.last?.outcome == "upstream_error")
    }

    @Test(arguments: ClientRoute.streams)
    func resetMidStream_endsWithAnError(route: ClientRoute) throws {
        let rig = try FaultRig(route)
        let response = try rig.request("drop")
        #expect(response.status == 200)
        #expect(streamErrorCode(response) == "upstream_stream_truncated")
        #expect(rig.ledger.last?.outcome == "upstream_error")
        #expect(try rig.keepsServing())
    }

    // MARK: Statuses

    @Test(arguments: ClientRoute.all)
    func redirect_isNeverFollowed(route: ClientRoute) throws {
        let rig = try FaultRig(route)
        let before = rig.harness.mock.statistics.requests
        let response = try rig.request("redirect")
        #expect(response.status == 502)
        #expect(errorCode(response) == "upstream_bad_status")
        #expect(rig.harness.mock.statistics.requests == before + 1)
        #expect(rig.ledger.last?.outcome == "upstream_error")
    }

    @Test(arguments: ClientRoute.all)
    func unavailableWithRetryAfter_keepsTheRetryAfter(route: ClientRoute) throws {
        let rig = try FaultRig(route)
        let response = try rig.request("unavailable-503")
        #expect(response.status == 502)
        #expect(response.header("Retry-After") == "30")
        #expect(rig.ledger.last?.outcome == "upstream_error")
    }

    // MARK: Time

    @Test(arguments: ClientRoute.streams)
    func endlessStream_isCutAtMaxStreamTime(route: ClientRoute) throws {
        let rig = try FaultRig(route) { $0.upstream.maxStreamMs = 1_500 }
        let response = try rig.request("endless")
        #expect(response.status == 200)
        #expect(response.text.contains("tick"))
        #expect(streamErrorCode(response) == "upstream_timeout")
        #expect(rig.ledger.last?.outcome == "upstream_error")
        #expect(try rig.keepsServing())
    }

    @Test(arguments: [ClientRoute.chatFinalStream, .agentChatBody, .responsesStream])
    func upstreamNeverAnswering_isAGatewayTimeout(route: ClientRoute) throws {
        let rig = try FaultRig(route) { $0.upstream.firstByteTimeoutMs = 300 }
        let response = try rig.request("no-response")
        #expect(response.status == 504)
        #expect(errorCode(response) == "upstream_timeout")
        #expect(rig.ledger.last?.outcome == "upstream_error")
    }

    @Test(arguments: ClientRoute.streams)
    func upstreamStallingAfterItsFirstEvent_endsWithAnError(route: ClientRoute) throws {
        let rig = try FaultRig(route) { $0.upstream.idleTimeoutMs = 300 }
        let response = try rig.request("stall")
        #expect(response.status == 200)
        #expect(streamErrorCode(response) == "upstream_timeout")
        #expect(rig.ledger.last?.outcome == "upstream_error")
    }

    @Test(arguments: [ClientRoute.chatBody, .agentChatStream, .responsesBody])
    func upstreamRefusingConnections_isABadGateway(route: ClientRoute) throws {
        let rig = try FaultRig(route) { $0.upstream.url = "http://127.0.0.1:1" }
        let response = try rig.request(nil)
        #expect(response.status == 502)
        #expect(errorCode(response) == "upstream_unreachable")
        #expect(rig.ledger.last?.outcome == "upstream_error")
    }
}
