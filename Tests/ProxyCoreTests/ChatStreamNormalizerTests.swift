import Testing

@testable import ProxyCore

/// Upstream streams in the shapes of perplexity-wire.md §10, and the client streams the normaliser must make
/// of them.
private enum Wire {
    static let id = "3f0c2b6e-0000-4000-8000-000000000001"
    static let citations = #"["https://example.org/a","https://example.org/b"]"#
    static let searchResults =
        #"[{"title":"A","url":"https://example.org/a","date":"2026-03-01","last_updated":"2026-03-02","snippet":"Paris is…","source":"web"},{"title":"B","url":"https://example.org/b","date":null,"last_updated":null,"snippet":"","source":"web"}]"#
    static let usage1 =
        #"{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10,"search_context_size":"low","cost":{"input_tokens_cost":0.0,"output_tokens_cost":0.0,"total_cost":0.0}}"#
    static let usage2 =
        #"{"prompt_tokens":9,"completion_tokens":6,"total_tokens":15,"search_context_size":"low","cost":{"input_tokens_cost":0.0,"output_tokens_cost":0.0,"total_cost":0.0}}"#
    static let finalUsage =
        #"{"prompt_tokens":9,"completion_tokens":6,"total_tokens":15,"search_context_size":"low","cost":{"input_tokens_cost":0.00001,"output_tokens_cost":0.00001,"request_cost":0.005,"total_cost":0.00502}}"#

    static func event(_ json: String) -> String { "data: " + json + "\n\n" }

    /// An upstream 2026-shape event (§10.1).
    static func chunk2026(
        created: Int = 1_790_000_000, usage: String = usage1, object: String = "chat.completion.chunk",
        delta: String, finish: String? = nil
    ) -> String {
        let finishMember = finish.map { #","finish_reason":"# + $0 } ?? ""
        return event(
            #"{"id":""# + id + #"","model":"sonar","created":\#(created),"usage":"# + usage + #","citations":"#
                + citations + #","search_results":"# + searchResults + #","object":""# + object
                + #"","choices":[{"index":0,"delta":"# + delta + finishMember + "}]}")
    }

    /// §10.1: two content chunks (the second with a later `created`), then `chat.completion.done`; no `[DONE]`.
    static let stream2026 =
        chunk2026(delta: #"{"role":"assistant","content":"Paris"}"#)
        + chunk2026(
            created: 1_790_000_001, usage: usage2, delta: #"{"role":"assistant","content":" is the capital[1]."}"#)
        + chunk2026(
            created: 1_790_000_001, usage: finalUsage, object: "chat.completion.done",
            delta: #"{"role":"assistant","content":""}"#, finish: #""stop""#)

    /// The client stream for `stream2026` with client model "my-sonar".
    static func head(id: String = id, created: Int = 1_790_000_000) -> String {
        #"data: {"id":""# + id
            + #"","object":"chat.completion.chunk","created":\#(created),"model":"my-sonar","choices":["#
    }

    static func content(_ literal: String, role: Bool = false, id: String = id, created: Int = 1_790_000_000)
        -> String
    {
        head(id: id, created: created) + #"{"index":0,"delta":{"# + (role ? #""role":"assistant","# : "")
            + #""content":"# + literal + #"},"finish_reason":null}]}"# + "\n\n"
    }

    static func finish(
        _ reason: String = "stop", citations: String = citations, searchResults: String = searchResults,
        usage: String? = finalUsage, extras: String = "", id: String = id, created: Int = 1_790_000_000
    ) -> String {
        head(id: id, created: created) + #"{"index":0,"delta":{},"finish_reason":""# + reason + #""}],"citations":"#
            + citations + #","search_results":"# + searchResults + (usage.map { #","usage":"# + $0 } ?? "") + extras
            + "}\n\n"
    }

    static let done = "data: [DONE]\n\n"

    static let normalized2026 =
        content(#""Paris""#, role: true) + content(#"" is the capital[1].""#) + finish() + done

    /// §10.2: Python-style separators, `object: chat.completion`, cumulative `message`, role on every delta.
    static let legacy =
        event(
            #"{"id": "8c15", "model": "sonar", "created": 1741689451, "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}, "citations": ["https://example.org/a"], "object": "chat.completion", "choices": [{"index": 0, "finish_reason": null, "message": {"role": "assistant", "content": "Why did"}, "delta": {"role": "assistant", "content": "Why did"}}]}"#
        )
        + event(
            #"{"id": "8c15", "model": "sonar", "created": 1741689451, "usage": {"prompt_tokens": 7, "completion_tokens": 8, "total_tokens": 15}, "citations": ["https://example.org/a"], "object": "chat.completion", "choices": [{"index": 0, "finish_reason": null, "message": {"role": "assistant", "content": "Why did the dog sit?"}, "delta": {"role": "assistant", "content": " the dog sit?"}}]}"#
        )
        + event(
            #"{"id": "8c15", "model": "sonar", "created": 1741689451, "usage": {"prompt_tokens": 7, "completion_tokens": 12, "total_tokens": 19}, "citations": ["https://example.org/a"], "object": "chat.completion", "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Why did the dog sit? To be pawsitive."}, "delta": {"role": "assistant", "content": ""}}]}"#
        )

    static let normalizedLegacy =
        content(#""Why did""#, role: true, id: "8c15", created: 1_741_689_451)
        + content(#"" the dog sit?""#, id: "8c15", created: 1_741_689_451)
        + finish(
            citations: #"["https://example.org/a"]"#, searchResults: "[]",
            usage: #"{"prompt_tokens": 7, "completion_tokens": 12, "total_tokens": 19}"#, id: "8c15",
            created: 1_741_689_451)
        + done

    /// §10.4: concise mode, reasoning events first, `[DONE]` at the end.
    static let conciseSearchResults =
        #"[{"title":"A","url":"https://example.org/a","date":null,"snippet":"","source":"web"}]"#
    static let concise =
        event(
            #"{"id":"c-1","model":"sonar-pro","created":1790000200,"object":"chat.reasoning","type":"message","choices":[{"index":0,"finish_reason":null,"message":{"role":"assistant","content":""},"delta":{"role":"assistant","content":"","reasoning_steps":[{"thought":"Searching the web for tonight","type":"web_search","web_search":{"search_keywords":["tonight"],"search_results":[{"title":"A","url":"https://example.org/a"}]}}]}}]}"#
        )
        + event(
            #"{"id":"c-1","model":"sonar-pro","created":1790000203,"object":"chat.reasoning.done","usage":{"prompt_tokens":6,"completion_tokens":0,"total_tokens":6,"search_context_size":"low"},"search_results":"#
                + conciseSearchResults
                + #","images":[],"choices":[{"index":0,"finish_reason":null,"message":{"role":"assistant","content":"","reasoning_steps":[]},"delta":{"role":"assistant","content":""}}]}"#
        )
        + event(
            #"{"id":"c-1","model":"sonar-pro","created":1790000204,"object":"chat.completion.chunk","choices":[{"index":0,"finish_reason":null,"message":{"role":"assistant","content":""},"delta":{"role":"assistant","content":"Tonight"}}]}"#
        )
        + event(
            #"{"id":"c-1","model":"sonar-pro","created":1790000205,"object":"chat.completion.chunk","choices":[{"index":0,"finish_reason":null,"message":{"role":"assistant","content":""},"delta":{"role":"assistant","content":" it rains[1]."}}]}"#
        )
        + event(
            #"{"id":"c-1","model":"sonar-pro","created":1790000207,"object":"chat.completion.done","usage":{"prompt_tokens":6,"completion_tokens":238,"total_tokens":244,"search_context_size":"low","cost":{"input_tokens_cost":0.0,"output_tokens_cost":0.004,"request_cost":0.006,"total_cost":0.01}},"search_results":"#
                + conciseSearchResults
                + #","images":[],"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"Tonight it rains[1].","reasoning_steps":[]},"delta":{"role":"assistant","content":""}}]}"#
        )
        + done

    static let normalizedConcise =
        content(#""Tonight""#, role: true, id: "c-1", created: 1_790_000_200)
        + content(#"" it rains[1].""#, id: "c-1", created: 1_790_000_200)
        + finish(
            citations: #"["https://example.org/a"]"#, searchResults: conciseSearchResults,
            usage:
                #"{"prompt_tokens":6,"completion_tokens":238,"total_tokens":244,"search_context_size":"low","cost":{"input_tokens_cost":0.0,"output_tokens_cost":0.004,"request_cost":0.006,"total_cost":0.01}}"#,
            id: "c-1", created: 1_790_000_200)
        + done

    /// §10.3: reasoning inline as `<think>` content.
    static let thinkUsage =
        #"{"prompt_tokens":12,"completion_tokens":240,"total_tokens":252,"reasoning_tokens":180,"search_context_size":"low","cost":{"input_tokens_cost":0.00002,"output_tokens_cost":0.0019,"request_cost":0.006,"total_cost":0.00792}}"#
    static let think =
        chunk2026(delta: #"{"role":"assistant","content":"<think>\nThe user asks"}"#)
        + chunk2026(delta: #"{"role":"assistant","content":" about X; sources [1] say…\n</think>\n\n"}"#)
        + chunk2026(delta: #"{"role":"assistant","content":"X is \"Y\"[1]."}"#)
        + chunk2026(
            usage: thinkUsage, object: "chat.completion.done", delta: #"{"role":"assistant","content":""}"#,
            finish: #""stop""#)
    static let normalizedThink =
        content(#""<think>\nThe user asks""#, role: true) + content(#"" about X; sources [1] say…\n</think>\n\n""#)
        + content(#""X is \"Y\"[1].""#) + finish(usage: thinkUsage) + done

    /// 2025-08: the legacy shape whose last event still has `finish_reason: null`, then EOF.
    static let noFinish =
        event(
            #"{"id":"n-1","model":"sonar-pro","created":1755000000,"object":"chat.completion","citations":["https://example.org/a"],"choices":[{"index":0,"finish_reason":null,"message":{"role":"assistant","content":"Hi"},"delta":{"role":"assistant","content":"Hi"}}]}"#
        )
        + event(
            #"{"id":"n-1","model":"sonar-pro","created":1755000000,"object":"chat.completion","citations":["https://example.org/a"],"usage":{"prompt_tokens":2,"completion_tokens":1,"total_tokens":3},"choices":[{"index":0,"finish_reason":null,"message":{"role":"assistant","content":"Hi"},"delta":{"role":"assistant","content":""}}]}"#
        )
    /// What a client gets when the body ends without a finish_reason or `[DONE]`: the content, then an error.
    static let truncatedNoFinish =
        content(#""Hi""#, role: true, id: "n-1", created: 1_755_000_000)
        + String(
            decoding: OpenAIError(
                status: 502, type: "upstream_error", code: "upstream_stream_truncated",
                message: "The upstream stream ended before its finish_reason or [DONE]: the answer is incomplete."
            ).sseFrame, as: UTF8.self)
}

/// Feeds `pieces` to a fresh normaliser, then signals EOF unless a piece finished the stream.
private func normalize(_ pieces: [[UInt8]], includeUsage: Bool = false, sonarShape: Bool = false) -> (
    output: String, finishedBeforeEOF: Bool
) {
    var normalizer = ChatStreamNormalizer(clientModel: "my-sonar", includeUsage: includeUsage, sonarShape: sonarShape)
    var output: [UInt8] = []
    var finished = false
    for piece in pieces {
        let step = piece.withUnsafeBytes { normalizer.consume($0, into: &output) }
        if finished {
            #expect(step == .finished)
        }
        finished = step == .finished
    }
    if !finished {
        normalizer.upstreamEnded(into: &output)
    }
    return (String(decoding: output, as: UTF8.self), finished)
}

private func normalize(_ upstream: String, includeUsage: Bool = false, sonarShape: Bool = false) -> (
    output: String, finishedBeforeEOF: Bool
) {
    normalize([Array(upstream.utf8)], includeUsage: includeUsage, sonarShape: sonarShape)
}

@Suite struct ChatStreamNormalizerTests {
    @Test func normalizer_2026Stream_matchesGolden() {
        let result = normalize(Wire.stream2026)
        #expect(result.output == Wire.normalized2026)
        #expect(result.finishedBeforeEOF)
    }

    @Test func normalizer_2026StreamWithDone_ignoresTheUpstreamDone() {
        let result = normalize(Wire.stream2026 + Wire.done)
        #expect(result.output == Wire.normalized2026)
    }

    @Test func normalizer_legacyStream_usesDeltaNeverMessage() {
        let result = normalize(Wire.legacy)
        #expect(result.output == Wire.normalizedLegacy)
        #expect(result.finishedBeforeEOF)
    }

    @Test func normalizer_conciseStream_dropsReasoningAndKeepsItsSearchResults() {
        let result = normalize(Wire.concise)
        #expect(result.output == Wire.normalizedConcise)
        #expect(result.finishedBeforeEOF)
    }

    @Test func normalizer_thinkContent_passesThroughAsContent() {
        #expect(normalize(Wire.think).output == Wire.normalizedThink)
    }

    @Test func normalizer_eofWithoutFinishReasonOrDone_isTruncation() {
        let result = normalize(Wire.noFinish)
        #expect(result.output == Wire.truncatedNoFinish)
        #expect(!result.finishedBeforeEOF)
    }

    @Test func normalizer_invalidUTF8_endsWithErrorFrame() {
        var bytes = Array(Wire.chunk2026(delta: #"{"content":"a"}"#).utf8)
        bytes += Array(#"data: {"id":"x","choices":[{"index":0,"delta":{"content":"b"#.utf8) + [0xC3, 0x28]
        bytes += Array(#""}}]}"#.utf8) + Array("\n\n".utf8)
        let result = normalize([bytes])
        #expect(
            result.output == Wire.content(#""a""#, role: true)
                + errorFrame("The upstream sent an event that is not valid UTF-8.", code: "upstream_invalid_response"))
    }

    @Test func normalizer_lastEventWithoutBlankLine_isHandledAtEOF() {
        let upstream = String(Wire.stream2026.dropLast(2))
        let result = normalize(upstream)
        #expect(result.output == Wire.normalized2026)
        #expect(!result.finishedBeforeEOF)
    }

    @Test func normalizer_doneSentinel_endsStreamWithoutFinishReason() {
        let upstream = Wire.chunk2026(delta: #"{"role":"assistant","content":"Paris"}"#) + Wire.done
        let result = normalize(upstream)
        #expect(result.output == Wire.content(#""Paris""#, role: true) + Wire.finish(usage: Wire.usage1) + Wire.done)
        #expect(result.finishedBeforeEOF)
    }

    @Test func normalizer_emptyFinishReason_isNotTerminal_doneEndsAsStop() {
        let upstream =
            Wire.chunk2026(delta: #"{"content":"a"}"#, finish: #""""#)
            + Wire.chunk2026(delta: #"{"content":"b"}"#, finish: #""""#)
        let result = normalize(upstream + Wire.done)
        #expect(
            result.output
                == Wire.content(#""a""#, role: true) + Wire.content(#""b""#) + Wire.finish(usage: Wire.usage1)
                + Wire.done)
        #expect(result.finishedBeforeEOF)
        #expect(normalize(upstream).output.contains("upstream_stream_truncated"))
    }

    @Test func normalizer_nullFinishReason_isNotTerminal() {
        let upstream = Wire.chunk2026(delta: #"{"content":"a"}"#, finish: "null")
        #expect(!normalize(upstream).finishedBeforeEOF)
    }

    @Test func normalizer_lengthFinishReason_isKept() {
        let upstream = Wire.chunk2026(delta: #"{"content":"a"}"#, finish: #""length""#)
        #expect(
            normalize(upstream).output == Wire.content(#""a""#, role: true) + Wire.finish("length", usage: Wire.usage1)
                + Wire.done)
    }

    @Test func normalizer_unknownFinishReason_becomesStop() {
        let upstream = Wire.chunk2026(delta: #"{"content":"a"}"#, finish: #""end_turn""#)
        #expect(normalize(upstream).output.contains(#""finish_reason":"stop""#))
    }

    @Test func normalizer_contentOnTerminalChunk_isSentBeforeFinish() {
        let upstream = Wire.chunk2026(delta: #"{"content":"last"}"#, finish: #""stop""#)
        #expect(
            normalize(upstream).output == Wire.content(#""last""#, role: true) + Wire.finish(usage: Wire.usage1)
                + Wire.done)
    }

    @Test func normalizer_finishWithoutContent_sendsRoleOnlyChunkFirst() {
        let upstream = Wire.chunk2026(
            usage: Wire.finalUsage, object: "chat.completion.done", delta: #"{"role":"assistant","content":""}"#,
            finish: #""stop""#)
        #expect(normalize(upstream).output == Wire.content(#""""#, role: true) + Wire.finish() + Wire.done)
    }

    @Test func normalizer_sonarShape_putsSourcesOnEveryContentChunk() {
        let sources = #","citations":"# + Wire.citations + #","search_results":"# + Wire.searchResults
        func sonar(_ chunk: String) -> String { String(chunk.dropLast(3)) + sources + "}\n\n" }
        #expect(
            normalize(Wire.stream2026, sonarShape: true).output
                == sonar(Wire.content(#""Paris""#, role: true)) + sonar(Wire.content(#"" is the capital[1].""#)) + Wire.finish()
                + Wire.done)
    }

    @Test func normalizer_genericUpstream_usageFromTheChunkAfterTheFinish() {
        // An OpenAI-compatible upstream (asked for include_usage) reports usage in a `choices: []` chunk after
        // its finish chunk: the finish chunk the client gets carries it.
        let usage = #"{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}"#
        let upstream =
            Wire.event(#"{"id":"g","created":1,"choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"}}]}"#)
            + Wire.event(#"{"id":"g","created":1,"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#)
            + Wire.event(#"{"id":"g","created":1,"choices":[],"usage":"# + usage + "}") + Wire.done
        let result = normalize(upstream)
        #expect(result.output.contains(#""finish_reason":"stop"}],"citations":[],"search_results":[],"usage":"# + usage))
        #expect(result.output.hasSuffix(Wire.done))
        // Without the usage chunk and without [DONE], the end of the body after the finish is a clean end.
        let bare = normalize(
            Wire.event(#"{"id":"g","created":1,"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}"#))
        #expect(bare.output.hasSuffix(Wire.done))
        #expect(!bare.output.contains("event: error"))
    }

    @Test func normalizer_includeUsage_movesUsageToItsOwnChunkBeforeDone() {
        let result = normalize(Wire.stream2026, includeUsage: true)
        let usageChunk = Wire.head() + #"],"usage":"# + Wire.finalUsage + "}\n\n"
        #expect(
            result.output == Wire.content(#""Paris""#, role: true) + Wire.content(#"" is the capital[1].""#)
                + Wire.finish(usage: nil) + usageChunk + Wire.done)
    }

    @Test func normalizer_includeUsage_withoutUpstreamUsage_reportsZeros() {
        let upstream = Wire.event(#"{"id":"z","created":1,"choices":[{"index":0,"delta":{"content":"a"}}]}"#) + Wire.done
        let output = normalize(upstream, includeUsage: true).output
        let head = #"data: {"id":"z","object":"chat.completion.chunk","created":1,"model":"my-sonar","choices":["#
        #expect(
            output
                == head + #"{"index":0,"delta":{"role":"assistant","content":"a"},"finish_reason":null}]}"# + "\n\n"
                + head + #"{"index":0,"delta":{},"finish_reason":"stop"}],"citations":[],"search_results":[]}"# + "\n\n"
                + head + #"],"usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}"# + "\n\n" + Wire.done)
    }

    @Test func normalizer_metadata_lastNonEmptyValuesWin() {
        let upstream =
            Wire.event(
                #"{"id":"m","created":1,"citations":["a"],"search_results":[{"title":"A","url":"a"}],"choices":[{"index":0,"delta":{"content":"x"}}]}"#
            )
            + Wire.event(
                #"{"id":"m","created":2,"citations":["a","b"],"images":[{"image_url":"i"}],"related_questions":["q?"],"videos":[{"url":"v"}],"choices":[{"index":0,"delta":{"content":"y"}}]}"#
            )
            + Wire.event(
                #"{"id":"m","created":3,"citations":[],"search_results":[],"images":[],"choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}]}"#
            )
        let output = normalize(upstream).output
        #expect(
            output.hasSuffix(
                #""finish_reason":"stop"}],"citations":["a","b"],"search_results":[{"title":"A","url":"a"}],"images":[{"image_url":"i"}],"related_questions":["q?"],"videos":[{"url":"v"}]}"#
                    + "\n\n" + Wire.done))
    }

    @Test func normalizer_everyChunk_keepsFirstIdAndCreated() {
        let output = normalize(Wire.stream2026).output
        #expect(!output.contains("1790000001"))
        #expect(output.split(separator: #""created":1790000000"#, omittingEmptySubsequences: false).count == 4)
    }

    @Test func normalizer_contentChunk_isEmittedInTheCallThatCompletesIt() {
        var normalizer = ChatStreamNormalizer(clientModel: "my-sonar", includeUsage: false)
        var output: [UInt8] = []
        let first = Array(Wire.chunk2026(delta: #"{"role":"assistant","content":"Paris"}"#).utf8)
        let step1 = first.dropLast().withUnsafeBytes { normalizer.consume($0, into: &output) }
        #expect(output.isEmpty)
        #expect(step1 == .more)
        let step2 = first.suffix(1).withUnsafeBytes { normalizer.consume($0, into: &output) }
        #expect(String(decoding: output, as: UTF8.self) == Wire.content(#""Paris""#, role: true))
        #expect(step2 == .more)
        #expect(normalizer.chunksEmitted == 1)
    }

    @Test func normalizer_usage_reportsFinalTokensAndCost() {
        var normalizer = ChatStreamNormalizer(clientModel: "my-sonar", includeUsage: false)
        var output: [UInt8] = []
        _ = Array(Wire.stream2026.utf8).withUnsafeBytes { normalizer.consume($0, into: &output) }
        #expect(
            normalizer.usage == StreamUsage(promptTokens: 9, completionTokens: 6, totalTokens: 15, costUSD: 0.00502))
        #expect(normalizer.chunksEmitted == 2)
        #expect(normalizer.upstreamResponseID == nil)
    }

    @Test func normalizer_afterFinish_ignoresFurtherBytes() {
        var normalizer = ChatStreamNormalizer(clientModel: "my-sonar", includeUsage: false)
        var output: [UInt8] = []
        _ = Array(Wire.stream2026.utf8).withUnsafeBytes { normalizer.consume($0, into: &output) }
        let before = output
        let step = Array("data: not json\n\n".utf8).withUnsafeBytes { normalizer.consume($0, into: &output) }
        normalizer.upstreamEnded(into: &output)
        normalizer.upstreamFailed(UpstreamErrorMapper.map(.truncated), into: &output)
        #expect(step == .finished)
        #expect(output == before)
    }

    private func errorFrame(_ message: String, code: String = "upstream_stream_error") -> String {
        String(decoding: OpenAIError(status: 502, type: "upstream_error", code: code, message: message).sseFrame, as: UTF8.self)
    }

    @Test func normalizer_nonJSONData_endsWithErrorFrame() {
        let upstream =
            Wire.chunk2026(delta: #"{"content":"a"}"#) + "data: <html>oops</html>\n\n"
            + Wire.chunk2026(delta: #"{"content":"b"}"#)
        let result = normalize(upstream)
        #expect(
            result.output == Wire.content(#""a""#, role: true)
                + errorFrame("The upstream sent an event that is not a JSON object.", code: "upstream_invalid_response"))
        #expect(result.finishedBeforeEOF)
    }

    @Test func normalizer_errorObject_endsWithErrorFrameCarryingItsMessage() {
        let upstream = Wire.event(#"{"error":{"message":"overloaded","type":"server_error"}}"#)
        let result = normalize(upstream)
        #expect(result.output == errorFrame("The upstream reported an error mid-stream: overloaded"))
        #expect(result.finishedBeforeEOF)
    }

    @Test func normalizer_errorEvent_endsWithErrorFrame() {
        let upstream = Wire.chunk2026(delta: #"{"content":"a"}"#) + "event: error\ndata: {\"message\":\"boom\"}\n\n"
        #expect(
            normalize(upstream).output == Wire.content(#""a""#, role: true)
                + errorFrame("The upstream reported an error mid-stream."))
    }

    @Test func normalizer_nullErrorMember_isNotAnError() {
        let upstream = Wire.event(
            #"{"id":"e","created":1,"error":null,"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}]}"#
        )
        #expect(normalize(upstream).output.hasSuffix(Wire.done))
    }

    @Test func normalizer_eofWithoutAnyChunk_isAnError() {
        #expect(
            normalize("").output
                == errorFrame(
                    "The upstream stream ended before its finish_reason or [DONE]: the answer is incomplete.",
                    code: "upstream_stream_truncated"))
        #expect(
            normalize(": keep-alive\n\n" + Wire.done).output
                == errorFrame("The upstream ended the stream without sending any chunk."))
    }

    @Test func normalizer_upstreamFailed_beforeAnyChunk_sendsOnlyTheErrorFrame() {
        var normalizer = ChatStreamNormalizer(clientModel: "my-sonar", includeUsage: true)
        var output: [UInt8] = []
        let error = UpstreamErrorMapper.map(.idleTimeout)
        normalizer.upstreamFailed(error, into: &output)
        #expect(output == error.sseFrame)
    }

    @Test func normalizer_upstreamFailed_midStream_appendsErrorFrameWithoutDone() {
        var normalizer = ChatStreamNormalizer(clientModel: "my-sonar", includeUsage: false)
        var output: [UInt8] = []
        _ = Array(Wire.chunk2026(delta: #"{"content":"a"}"#).utf8).withUnsafeBytes {
            normalizer.consume($0, into: &output)
        }
        let error = UpstreamErrorMapper.map(.truncated)
        normalizer.upstreamFailed(error, into: &output)
        #expect(
            String(decoding: output, as: UTF8.self) == Wire.content(#""a""#, role: true)
                + String(decoding: error.sseFrame, as: UTF8.self))
    }

    @Test func normalizer_crlfFraming_isAccepted() {
        let upstream = Wire.stream2026.replacingOccurrences("\n", "\r\n")
        #expect(normalize(upstream).output == Wire.normalized2026)
    }

    static let goldenCases: [(String, String, String)] = [
        ("2026", Wire.stream2026, Wire.normalized2026),
        ("2026+DONE", Wire.stream2026 + Wire.done, Wire.normalized2026),
        ("legacy", Wire.legacy, Wire.normalizedLegacy),
        ("concise", Wire.concise, Wire.normalizedConcise),
        ("think", Wire.think, Wire.normalizedThink),
        ("no finish", Wire.noFinish, Wire.truncatedNoFinish),
    ]

    @Test(arguments: 0..<goldenCases.count)
    func normalizer_everySplitPoint_givesTheSameBytes(index: Int) {
        let (name, upstream, expected) = Self.goldenCases[index]
        let bytes = Array(upstream.utf8)
        for split in 0...bytes.count {
            let output = normalize([Array(bytes[..<split]), Array(bytes[split...])]).output
            #expect(output == expected, "\(name) split at \(split)")
            if output != expected { break }
        }
    }

    @Test(arguments: 0..<goldenCases.count)
    func normalizer_byteByByte_givesTheSameBytes(index: Int) {
        let (name, upstream, expected) = Self.goldenCases[index]
        #expect(normalize(Array(upstream.utf8).map { [$0] }).output == expected, "\(name)")
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
