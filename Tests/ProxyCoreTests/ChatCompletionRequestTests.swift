import Testing

@testable import ProxyCore

@Suite struct ChatCompletionRequestTests {
    private func parse(_ json: String) -> Result<ChatCompletionRequest, OpenAIError> {
        ChatCompletionRequest.parse(Array(json.utf8))
    }

    private func failure(_ json: String) -> OpenAIError? {
        guard case .failure(let error) = parse(json) else { return nil }
        return error
    }

    @Test func request_minimalStreamingBody_parses() throws {
        let request = try parse(#"{"model":"sonar","messages":[{"role":"user","content":"hi"}],"stream":true}"#).get()
        #expect(request.model == "sonar")
        #expect(request.stream)
        #expect(!request.includeUsage)
    }

    @Test func request_withoutStream_isNotStreaming() throws {
        let request = try parse(#"{"model":"sonar","messages":[{"role":"user","content":"hi"}]}"#).get()
        #expect(!request.stream)
    }

    @Test func request_includeUsage_isReadFromStreamOptions() throws {
        let request = try parse(
            #"{"model":"sonar","messages":[{"role":"user"}],"stream":true,"stream_options":{"include_usage":true}}"#
        ).get()
        #expect(request.includeUsage)
    }

    @Test func request_includeUsage_withoutStreaming_isOff() throws {
        let request = try parse(
            #"{"model":"sonar","messages":[{"role":"user"}],"stream_options":{"include_usage":true}}"#
        ).get()
        #expect(!request.includeUsage)
    }

    @Test func request_malformedJSON_isInvalidJSONSayingWhere() throws {
        let error = try #require(failure(#"{"model": "sonar",}"#))
        #expect(error.status == 400)
        #expect(error.type == "invalid_request_error")
        #expect(error.code == "invalid_json")
        #expect(error.message.contains("at byte 18"))
    }

    @Test func request_emptyBody_isInvalidJSON() throws {
        #expect(try #require(failure("")).code == "invalid_json")
    }

    @Test func request_nonObjectBody_isRejected() throws {
        let error = try #require(failure("[1,2]"))
        #expect(error.status == 400)
        #expect(error.message.contains("array"))
        #expect(error.param == nil)
    }

    @Test(arguments: [
        #"{"messages":[{"role":"user"}]}"#,
        #"{"model":7,"messages":[{"role":"user"}]}"#,
        #"{"model":"","messages":[{"role":"user"}]}"#,
        #"{"model":null,"messages":[{"role":"user"}]}"#,
    ])
    func request_badModel_namesModel(json: String) throws {
        let error = try #require(failure(json))
        #expect(error.status == 400)
        #expect(error.type == "invalid_request_error")
        #expect(error.param == "model")
    }

    @Test(arguments: [
        #"{"model":"sonar"}"#,
        #"{"model":"sonar","messages":[]}"#,
        #"{"model":"sonar","messages":"hi"}"#,
        #"{"model":"sonar","messages":["hi"]}"#,
        #"{"model":"sonar","messages":[{"content":"hi"}]}"#,
        #"{"model":"sonar","messages":[{"role":"user"},{"role":1}]}"#,
    ])
    func request_badMessages_namesMessages(json: String) throws {
        let error = try #require(failure(json))
        #expect(error.status == 400)
        #expect(error.type == "invalid_request_error")
        #expect(error.param == "messages")
    }

    @Test func request_badMessage_saysWhichIndex() throws {
        let error = try #require(failure(#"{"model":"sonar","messages":[{"role":"user"},{"role":1}]}"#))
        #expect(error.message.contains("messages[1]"))
    }

    @Test func request_nonBoolStream_namesStream() throws {
        let error = try #require(failure(#"{"model":"sonar","messages":[{"role":"user"}],"stream":"yes"}"#))
        #expect(error.param == "stream")
        #expect(error.status == 400)
    }

    @Test func request_nonObjectStreamOptions_namesStreamOptions() throws {
        let error = try #require(
            failure(#"{"model":"sonar","messages":[{"role":"user"}],"stream":true,"stream_options":true}"#))
        #expect(error.param == "stream_options")
    }

    @Test func request_manyMessages_areValidatedWithoutATree() throws {
        // 100,000 tiny messages: the request keeps them as the bytes they came in.
        let message = #"{"role":"user","content":"x"}"#
        var body = Array(#"{"model":"sonar","messages":["#.utf8)
        body.reserveCapacity(32 * 100_000)
        for index in 0..<100_000 {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: message.utf8)
        }
        body.append(contentsOf: "]}".utf8)
        let request = try ChatCompletionRequest.parse(body).get()
        #expect(request.messages.count == body.count - #"{"model":"sonar","messages":"#.utf8.count - 1)
        #expect(request.body.keys.sorted() == ["model"])
    }

    @Test func request_messageWithoutRole_isNamedByIndex() throws {
        let error = try #require(failure(#"{"model":"sonar","messages":[{"role":"user","content":"a"},{"content":"b"}]}"#))
        #expect(error.message == "messages[1].role must be a string.")
        #expect(try #require(failure(#"{"model":"sonar","messages":[]}"#)).message == "'messages' must be a non-empty array.")
        #expect(try #require(failure(#"{"model":"sonar","messages":[1]}"#)).message == "messages[0] must be an object, not number.")
    }

    @Test func request_nonBoolIncludeUsage_namesIt() throws {
        let error = try #require(
            failure(
                #"{"model":"sonar","messages":[{"role":"user"}],"stream":true,"stream_options":{"include_usage":1}}"#))
        #expect(error.param == "stream_options.include_usage")
    }

    @Test func request_upstreamBody_replacesModelAndAsksForUsage_andCopiesMessagesAsTheyCame() throws {
        let request = try parse(
            #"{"model":"my-sonar","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":false},"temperature":0.20,"search_mode":"academic"}"#
        ).get()
        let upstream = String(decoding: request.chatUpstreamBody(model: "sonar-pro"), as: UTF8.self)
        // A stream always asks for usage (budgets need it); the client's own choice only decides what it is shown.
        #expect(
            upstream
                == #"{"model":"sonar-pro","search_mode":"academic","stream":true,"stream_options":{"include_usage":true},"temperature":0.20,"messages":[{"role":"user","content":"hi"}]}"#
        )
        let body = try parse(#"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":true}}"#).get()
        #expect(!String(decoding: body.chatUpstreamBody(model: "m"), as: UTF8.self).contains("stream_options"))
    }
}
