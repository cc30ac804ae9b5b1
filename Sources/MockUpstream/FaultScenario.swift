/// Hostile and broken upstream behaviours, served on both APIs in the wire format of the request (chat
/// completions or the Agent API), for the proxy's fault suite (`Tests/IntegrationTests/UpstreamFaultTests.swift`):
/// an upstream that echoes the caller's key everywhere, answers success with garbage, or never ends.
public enum FaultScenario: String, CaseIterable, Sendable {
    /// A successful answer whose text echoes the request's `Authorization` value: raw, every character
    /// `\u`-escaped, mixed, and split across two writes.
    case echoKey = "echo-key"
    /// A failure that echoes the key: an in-stream error (`{"error":…}` / `response.failed`) for streams, an
    /// error object with status 200 (a failed response object on the Agent API) otherwise.
    case echoKeyError = "echo-key-error"
    /// 401 with a JSON body echoing the key.
    case echoKey401 = "echo-key-401"
    /// 200 `text/html` (an interception page), whatever was asked for.
    case html200 = "html-200"
    /// 200 `application/json` holding an error object, whatever was asked for.
    case error200 = "error-200"
    /// A stream with an event whose text is not valid UTF-8, then more text.
    case invalidUTF8 = "invalid-utf8"
    /// A stream with an event that is not valid JSON, then more text.
    case invalidJSON = "invalid-json"
    /// A stream with one 50 MB line.
    case hugeLine = "huge-line"
    /// 302 to somewhere else (never to be followed).
    case redirect
    /// 503 with `Retry-After: 30`.
    case unavailable503 = "unavailable-503"
    /// A stream of text deltas every 20 ms that never reaches a terminal event (up to two minutes).
    case endless

    /// The script for this fault; `agent` picks the Agent API's wire format.
    func steps(agent: Bool, stream: Bool, authorization: String) -> [MockStep] {
        let wire = FaultWire(agent: agent)
        switch self {
        case .echoKey:
            let texts = FaultWire.keyEchoes(authorization)
            guard stream else {
                let joined = "\"" + texts.map { String($0.dropFirst().dropLast()) }.joined(separator: " | ") + "\""
                return MockHTTP.json(status: 200, wire.body(text: joined)).immediateSteps
            }
            var steps: [MockStep] = [.head(status: 200, headers: MockHTTP.eventStreamHeaders())]
            steps.append(.send(wire.start))
            for text in texts { steps.append(.send(wire.delta(jsonLiteral: text))) }
            // The raw key once more, cut in the middle of the key between two writes.
            let split = wire.delta(jsonLiteral: "\"" + authorization + "\"")
            let cut = split.count - authorization.utf8.count / 2 - 6
            steps += [.send(Array(split[..<cut])), .pause(milliseconds: 5), .send(Array(split[cut...]))]
            steps += [.send(wire.finish(echoing: texts[0])), .end]
            return steps
        case .echoKeyError:
            let message = "\"auth was " + authorization + " (escaped: " + FaultWire.escapedEveryCharacter(authorization) + ")\""
            guard stream else { return MockHTTP.json(status: 200, wire.errorBody(messageLiteral: message)).immediateSteps }
            return [
                .head(status: 200, headers: MockHTTP.eventStreamHeaders()), .send(wire.start),
                .send(wire.delta(jsonLiteral: "\"Hello\"")), .send(wire.errorEvent(messageLiteral: message)), .end,
            ]
        case .echoKey401:
            let body = #"{"error":{"message":"invalid key: "# + authorization + #"","type":"invalid_api_key"}}"#
            return MockHTTP.json(status: 401, Array(body.utf8)).immediateSteps
        case .html200:
            let page = "<html><body><h1>Sign in to continue</h1><p>" + authorization + "</p></body></html>"
            return MockHTTP.body(status: 200, contentType: "text/html", Array(page.utf8)).immediateSteps
        case .error200:
            let body = #"{"error":{"message":"quota exceeded for this key","type":"insufficient_quota"}}"#
            return MockHTTP.json(status: 200, Array(body.utf8)).immediateSteps
        case .invalidUTF8:
            var broken = Array("\"caf".utf8) + [0xC3, 0x28] + Array(" au lait\"".utf8)
            broken = wire.delta(rawLiteral: broken)
            return [
                .head(status: 200, headers: MockHTTP.eventStreamHeaders()), .send(wire.start),
                .send(wire.delta(jsonLiteral: "\"Hello\"")), .send(broken), .send(wire.delta(jsonLiteral: "\" more\"")),
                .send(wire.finish(echoing: "\"Hello\"")), .end,
            ]
        case .invalidJSON:
            let broken = Array("data: {\"type\":\"response.output_text.delta\",\"choices\":[{\"delta\":{\"content\":\"lost\n\n".utf8)
            return [
                .head(status: 200, headers: MockHTTP.eventStreamHeaders()), .send(wire.start),
                .send(wire.delta(jsonLiteral: "\"Hello\"")), .send(broken), .send(wire.delta(jsonLiteral: "\" more\"")),
                .send(wire.finish(echoing: "\"Hello\"")), .end,
            ]
        case .hugeLine:
            var steps: [MockStep] = [
                .head(status: 200, headers: MockHTTP.eventStreamHeaders()), .send(wire.start), .send(Array("data: {\"x\":\"".utf8)),
            ]
            let megabyte = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
            for _ in 0..<50 { steps.append(.send(megabyte)) }
            steps += [.send(Array("\"}\n\n".utf8)), .send(wire.finish(echoing: "\"Hello\"")), .end]
            return steps
        case .redirect:
            return [
                .head(status: 302, headers: [MockHeader("Location", "http://127.0.0.1:1/elsewhere"), MockHeader("Content-Length", "0")]),
                .end,
            ]
        case .unavailable503:
            let body = Array(#"{"error":{"message":"down for maintenance","type":"service_unavailable"}}"#.utf8)
            return MockHTTP.json(status: 503, body, extraHeaders: [MockHeader("Retry-After", "30")]).immediateSteps
        case .endless:
            var steps: [MockStep] = [.head(status: 200, headers: MockHTTP.eventStreamHeaders()), .send(wire.start)]
            let tick = wire.delta(jsonLiteral: "\"tick \"")
            for _ in 0..<6_000 { steps += [.pause(milliseconds: 20), .send(tick)] }
            steps.append(.end)
            return steps
        }
    }
}

/// Hand-built frames in either wire format, so a fault can put exact bytes (escapes, invalid UTF-8) on the wire.
private struct FaultWire {
    let agent: Bool

    /// The key, or `Bearer key`, as a JSON string literal in the forms a hostile upstream might use.
    static func keyEchoes(_ authorization: String) -> [String] {
        let escaped = escapedEveryCharacter(authorization)
        let half = authorization.utf8.count / 2
        let mixed =
            String(decoding: Array(authorization.utf8)[..<half], as: UTF8.self)
            + escapedEveryCharacter(String(decoding: Array(authorization.utf8)[half...], as: UTF8.self))
        return ["\"auth was " + authorization + "\"", "\" escaped " + escaped + "\"", "\" mixed " + mixed + "\""]
    }

    /// Every character of an ASCII string as a `\uXXXX` escape.
    static func escapedEveryCharacter(_ text: String) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out = ""
        for byte in text.utf8 {
            out += "\\u00" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
        }
        return out
    }

    var start: [UInt8] {
        guard agent else { return chatChunk(#""delta":{"role":"assistant","content":""}"#) }
        return agentEvent(
            "response.created",
            #""sequence_number":0,"response":{"id":"resp_fault","object":"response","created_at":1790000000,"status":"in_progress","output":[],"usage":null}"#
        )
    }

    func delta(jsonLiteral: String) -> [UInt8] {
        delta(rawLiteral: Array(jsonLiteral.utf8))
    }

    func delta(rawLiteral: [UInt8]) -> [UInt8] {
        guard agent else {
            return Array("data: ".utf8)
                + Array(
                    #"{"id":"f-1","object":"chat.completion.chunk","created":1790000000,"model":"sonar","choices":[{"index":0,"delta":{"content":"#
                        .utf8)
                + rawLiteral + Array("}}]}\n\n".utf8)
        }
        return Array("event: response.output_text.delta\ndata: ".utf8)
            + Array(#"{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"#.utf8)
            + rawLiteral + Array("}\n\n".utf8)
    }

    func finish(echoing literal: String) -> [UInt8] {
        guard agent else {
            return chatChunk(
                #""delta":{},"finish_reason":"stop""#, extra: #","usage":{"prompt_tokens":9,"completion_tokens":14,"total_tokens":23}"#)
                + MockHTTP.doneFrame
        }
        return agentEvent(
            "response.completed",
            #""sequence_number":99,"response":{"id":"resp_fault","object":"response","created_at":1790000000,"status":"completed","output":[{"type":"message","id":"msg_1","role":"assistant","status":"completed","content":[{"type":"output_text","text":"#
                + literal
                + #","annotations":[]}]}],"usage":{"input_tokens":9,"output_tokens":14,"total_tokens":23}}"#)
    }

    func errorEvent(messageLiteral: String) -> [UInt8] {
        guard agent else {
            return MockHTTP.dataFrame(Array((#"{"error":{"message":"# + messageLiteral + #","type":"server_error"}}"#).utf8))
        }
        return agentEvent("response.failed", #""sequence_number":50,"error":{"message":"# + messageLiteral + #","code":"internal_error"}"#)
    }

    /// A complete success body whose answer is `text` (a JSON string literal).
    func body(text literal: String) -> [UInt8] {
        guard agent else {
            return Array(
                (#"{"id":"f-1","object":"chat.completion","created":1790000000,"model":"sonar","choices":[{"index":0,"message":{"role":"assistant","content":"#
                    + literal
                    + #"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":14,"total_tokens":23}}"#).utf8)
        }
        return Array(
            (#"{"id":"resp_fault","object":"response","created_at":1790000000,"status":"completed","output":[{"type":"message","id":"msg_1","role":"assistant","status":"completed","content":[{"type":"output_text","text":"#
                + literal + #","annotations":[]}]}],"usage":{"input_tokens":9,"output_tokens":14,"total_tokens":23}}"#).utf8)
    }

    /// A failure with a success status: an error object (chat), a failed response object (Agent API).
    func errorBody(messageLiteral: String) -> [UInt8] {
        guard agent else { return Array((#"{"error":{"message":"# + messageLiteral + #","type":"server_error"}}"#).utf8) }
        return Array(
            (#"{"id":"resp_fault","object":"response","created_at":1790000000,"status":"failed","output":[],"error":{"message":"#
                + messageLiteral + #","code":"internal_error"},"usage":null}"#).utf8)
    }

    private func chatChunk(_ choice: String, extra: String = "") -> [UInt8] {
        MockHTTP.dataFrame(
            Array(
                (#"{"id":"f-1","object":"chat.completion.chunk","created":1790000000,"model":"sonar","choices":[{"index":0,"#
                    + choice + "}]" + extra + "}").utf8))
    }

    private func agentEvent(_ type: String, _ members: String) -> [UInt8] {
        Array(("event: " + type + "\ndata: {\"type\":\"" + type + "\"," + members + "}\n\n").utf8)
    }
}
