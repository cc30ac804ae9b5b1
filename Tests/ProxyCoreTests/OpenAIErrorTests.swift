import Testing

@testable import ProxyCore

private func text(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
}

@Suite struct OpenAIErrorTests {
    @Test func jsonBody_withoutParam_writesNull() {
        let error = OpenAIError(
            status: 401, type: "authentication_error", code: "invalid_api_key", message: "Incorrect API key provided.")
        #expect(
            text(error.jsonBody)
                == #"{"error":{"message":"Incorrect API key provided.","type":"authentication_error","code":"invalid_api_key","param":null}}"#
        )
    }

    @Test func jsonBody_withParam_writesItAsAString() {
        let error = OpenAIError(
            status: 400, type: "invalid_request_error", code: "missing_field", message: "messages is required",
            param: "messages")
        #expect(
            text(error.jsonBody)
                == #"{"error":{"message":"messages is required","type":"invalid_request_error","code":"missing_field","param":"messages"}}"#
        )
    }

    @Test func jsonBody_escapesQuotesBackslashesAndControlCharacters() {
        let error = OpenAIError(
            status: 400, type: "invalid_request_error", code: "invalid_json",
            message: "bad \"value\" at C:\\tmp\n\tline\r\u{1}\u{1F} – ok", param: "a\"b")
        let expected =
            #"{"error":{"message":"bad \"value\" at C:\\tmp\n\tline\r\u0001\u001f – ok","#
            + #""type":"invalid_request_error","code":"invalid_json","param":"a\"b"}}"#
        #expect(text(error.jsonBody) == expected)
    }

    @Test func jsonBody_parsesBackToTheSameFields() throws {
        let error = OpenAIError(
            status: 502, type: "upstream_error", code: "upstream_timeout", message: "línea \"1\"\nline 2\u{0}",
            param: nil, retryAfterSeconds: 5)
        let value = try JSONValue.parse(error.jsonBody)
        #expect(value.objectValue?.keys.sorted() == ["error"])
        #expect(value["error"]?.objectValue?.count == 4)
        #expect(value["error"]?["message"]?.stringValue == error.message)
        #expect(value["error"]?["type"]?.stringValue == "upstream_error")
        #expect(value["error"]?["code"]?.stringValue == "upstream_timeout")
        #expect(value["error"]?["param"]?.isNull == true)
    }

    @Test func sseFrame_isAnErrorEventWithTheJSONBody() {
        let error = OpenAIError(
            status: 504, type: "upstream_error", code: "upstream_timeout", message: "upstream sent nothing for 30 s")
        let expected =
            "event: error\ndata: "
            + #"{"error":{"message":"upstream sent nothing for 30 s","type":"upstream_error","code":"upstream_timeout","param":null}}"#
            + "\n\n"
        #expect(text(error.sseFrame) == expected)
        #expect(error.sseFrame == Array("event: error\ndata: ".utf8) + error.jsonBody + Array("\n\n".utf8))
    }

    @Test func sseFrame_keepsAMultiLineMessageOnOneDataLine() {
        let error = OpenAIError(status: 502, type: "upstream_error", code: "upstream_error", message: "a\nb\r\nc")
        let frame = text(error.sseFrame)
        #expect(frame.split(separator: "\n", omittingEmptySubsequences: false).count == 4)
        #expect(frame.contains(#""message":"a\nb\r\nc""#))
    }
}

@Suite struct OpenAIErrorRetryHeaderTests {
    @Test func unfixableUpstreamFailures_sayShouldRetryFalse_othersDoNot() {
        for code in ["upstream_auth_failed", "upstream_endpoint_retired"] {
            let response = OpenAIError(status: 502, type: "upstream_error", code: code, message: "m").response()
            #expect(response.headers["x-should-retry"] == "false")
        }
        let transient = OpenAIError(status: 502, type: "upstream_error", code: "upstream_unreachable", message: "m").response()
        #expect(transient.headers["x-should-retry"] == nil)
        let limited = OpenAIError(
            status: 429, type: "rate_limit_error", code: "rate_limit_exceeded", message: "m", retryAfterSeconds: 7
        ).response()
        #expect(limited.headers["Retry-After"] == "7")
    }
}
