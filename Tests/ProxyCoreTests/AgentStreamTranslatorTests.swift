import Testing

@testable import ProxyCore

/// Golden tests: each feeds an upstream Agent API stream and asserts the exact client bytes. Every stream is fed
/// twice, whole and one byte per `consume`, and both runs must produce the same bytes and final step.
@Suite struct AgentStreamTranslatorTests {
    typealias F = AgentStreamFixtures

    struct Run {
        var output: String
        var step: StreamStep
        var translator: AgentStreamTranslator
    }

    /// Translates `upstream`; with `endOfStream`, the upstream then reaches EOF (if the stream is still open).
    private func translate(
        _ upstream: String, includeUsage: Bool = false, endOfStream: Bool = false,
        functionCalls: FunctionCallPolicy = FunctionCallPolicy(names: [], parallel: true), sonarShape: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Run {
        func run(_ pieces: [[UInt8]]) -> Run {
            var translator = AgentStreamTranslator(
                clientModel: "sonar", includeUsage: includeUsage, fallbackID: "chatcmpl-fallback",
                created: 1_700_000_000, functionCalls: functionCalls, sonarShape: sonarShape)
            var output: [UInt8] = []
            var step = StreamStep.more
            for piece in pieces {
                step = piece.withUnsafeBytes { translator.consume($0, into: &output) }
            }
            if endOfStream && step == .more {
                translator.upstreamEnded(into: &output)
            }
            return Run(output: String(decoding: output, as: UTF8.self), step: step, translator: translator)
        }
        let bytes = Array(upstream.utf8)
        let whole = run([bytes])
        let byteByByte = run(bytes.map { [$0] })
        #expect(byteByByte.output == whole.output, "byte-by-byte output differs", sourceLocation: sourceLocation)
        #expect(byteByByte.step == whole.step, sourceLocation: sourceLocation)
        return whole
    }

    // MARK: Function calls

    private static let weather = FunctionCallPolicy(names: ["get_weather"], parallel: true)

    private func call(_ id: String, arguments: String = #"{\"city\":\"Paris\"}"#, status: String = "completed") -> String {
        #"{"type":"function_call","id":"fc_"# + id + #"","call_id":""# + id + #"","name":"get_weather","arguments":""#
            + arguments + #"","status":""# + status + #""}"#
    }

    private func added(_ item: String, outputIndex: Int, sequence: Int) -> String {
        F.event("response.output_item.added", #""sequence_number":\#(sequence),"output_index":\#(outputIndex),"item":"# + item)
    }

    private func toolCallChunk(_ id: String, index: Int) -> String {
        F.head + #"{"index":0,"delta":{"tool_calls":[{"index":\#(index),"id":""# + id
            + #"","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":null}]}"#
            + "\n\n"
    }

    @Test func clientFunctionCall_becomesOneToolCallChunk_andFinishReasonToolCalls() {
        let upstream =
            F.preamble + added(call("call_w1"), outputIndex: 2, sequence: 8) + F.itemDone(call("call_w1"), outputIndex: 2, sequence: 9)
            + F.completed(output: [F.searchResultsItem, call("call_w1")])
        let run = translate(upstream, functionCalls: Self.weather)
        #expect(run.output == F.roleChunk + toolCallChunk("call_w1", index: 0) + F.finishChunk("tool_calls") + F.done)
        #expect(run.step == .finished)
    }

    @Test func perplexitysOwnSearchCall_isNeverAToolCall_evenWithClientFunctions() {
        let run = translate(F.canonical, functionCalls: Self.weather)
        #expect(run.output == F.canonicalClient)
        #expect(!run.output.contains("search_web"))
    }

    @Test func callOfAnUndeclaredFunction_isNotSurfaced() {
        let upstream = F.preamble + added(call("call_w1"), outputIndex: 2, sequence: 8) + F.completed(output: [call("call_w1")])
        let run = translate(upstream, functionCalls: FunctionCallPolicy(names: ["other"], parallel: true))
        #expect(!run.output.contains("tool_calls"))
        #expect(run.output.contains(#""finish_reason":"stop""#))
    }

    @Test func callStillBeingWritten_isSurfacedWhenDone() {
        let upstream =
            F.preamble + added(call("call_w1", arguments: "", status: "in_progress"), outputIndex: 2, sequence: 8)
            + F.itemDone(call("call_w1"), outputIndex: 2, sequence: 9) + F.completed(output: [call("call_w1")])
        let run = translate(upstream, functionCalls: Self.weather)
        #expect(run.output == F.roleChunk + toolCallChunk("call_w1", index: 0) + F.finishChunk("tool_calls") + F.done)
    }

    @Test func callsOnlyInTheTerminalOutput_areSurfacedInOrder() {
        let upstream = F.created() + F.completed(output: [call("call_w1"), call("call_w2")], usage: "null")
        let run = translate(upstream, functionCalls: Self.weather)
        #expect(run.output.contains(toolCallChunk("call_w1", index: 0) + toolCallChunk("call_w2", index: 1)))
        #expect(run.output.contains(#""finish_reason":"tool_calls""#))
    }

    @Test func parallelToolCallsFalse_surfacesOnlyTheFirstCall() {
        let upstream = F.created() + F.completed(output: [call("call_w1"), call("call_w2")], usage: "null")
        let run = translate(upstream, functionCalls: FunctionCallPolicy(names: ["get_weather"], parallel: false))
        #expect(run.output.contains(toolCallChunk("call_w1", index: 0)))
        #expect(!run.output.contains("call_w2"))
    }

    // MARK: Sonar's shape

    @Test func sonarShape_firstChunkIsContentWithRole_andEveryChunkCarriesTheSources() {
        let run = translate(F.canonical, sonarShape: true)
        let sources = #","citations":"# + F.citations + #","search_results":"# + F.searchResults
        func sonar(_ chunk: String) -> String { String(chunk.dropLast(3)) + sources + "}\n\n" }
        let first = F.head + #"{"index":0,"delta":{"role":"assistant","content":"The capital"},"finish_reason":null}]}"# + "\n\n"
        let expected =
            sonar(first) + F.deltas.dropFirst().map { sonar(F.contentChunk($0)) }.joined() + F.finishChunk() + F.done
        #expect(run.output == expected)
    }

    private func errorFrame(_ code: String, _ message: String) -> String {
        let error = OpenAIError(status: 502, type: "upstream_error", code: code, message: message)
        return String(decoding: error.sseFrame, as: UTF8.self)
    }

    private func messageRun(_ deltas: [String], _ tail: String) -> String {
        F.created() + deltas.enumerated().map { F.delta($1, sequence: 10 + $0) }.joined() + tail
    }

    // MARK: The canonical run

    @Test func canonicalRun_yieldsCanonicalDeltasCitationsSearchResultsAndUsage() {
        let run = translate(F.canonical)
        #expect(run.output == F.canonicalClient)
        #expect(run.step == .finished)
        #expect(run.translator.chunksEmitted == 9)
        #expect(run.translator.upstreamResponseID == "resp_123")
        #expect(
            run.translator.usage
                == StreamUsage(promptTokens: 9, completionTokens: 14, totalTokens: 23, costUSD: 0.005023))
    }

    @Test func responseCreated_sendsRoleOnlyChunkAtOnce() {
        let run = translate(F.created())
        #expect(run.output == F.roleChunk)
        #expect(run.step == .more)
        #expect(run.translator.upstreamResponseID == "resp_123")
    }

    @Test func textDelta_isSentInTheConsumeCallThatCompletesIt() {
        var translator = AgentStreamTranslator(
            clientModel: "sonar", includeUsage: false, fallbackID: "x", created: 0)
        var output: [UInt8] = []
        let upstream = Array((F.created() + F.delta("The capital", sequence: 8)).utf8)
        _ = upstream.dropLast().withUnsafeBytes { translator.consume($0, into: &output) }
        #expect(String(decoding: output, as: UTF8.self) == F.roleChunk)
        _ = upstream.suffix(1).withUnsafeBytes { translator.consume($0, into: &output) }
        #expect(String(decoding: output, as: UTF8.self) == F.roleChunk + F.contentChunk("The capital"))
    }

    @Test func includeUsage_movesUsageToItsOwnChunkBeforeDone() {
        // As OpenAI does: usage on the `choices: []` chunk only, so clients that add chunks up count it once.
        let run = translate(F.canonical, includeUsage: true)
        let usageChunk = F.head + #"],"usage":"# + F.chatUsage + "}\n\n"
        #expect(
            run.output == F.roleChunk + F.deltas.map(F.contentChunk).joined() + F.finishChunk(usage: nil) + usageChunk + F.done)
    }

    @Test func streamWithoutCreatedEvent_usesFallbackIDAndCreated() {
        let run = translate(F.delta("Hi", sequence: 1) + F.completed(output: [F.messageItem("Hi")], usage: "null"))
        let head =
            #"data: {"id":"chatcmpl-fallback","object":"chat.completion.chunk","created":1700000000,"model":"sonar","choices":["#
        #expect(run.output.hasPrefix(head + #"{"index":0,"delta":{"role":"assistant","content":""}"#))
        #expect(run.translator.upstreamResponseID == "resp_123")
    }

    // MARK: §5.1 text duplicated from terminal events

    @Test func textCopiesAfterDeltas_areNotSentAgain() {
        let run = translate(
            messageRun(
                ["Hello", " world"],
                F.textDone("Hello world", sequence: 20)
                    + F.itemDone(F.messageItem("Hello world"), outputIndex: 1, sequence: 21)
                    + F.completed(output: [F.messageItem("Hello world")], sequence: 22)))
        #expect(
            run.output
                == F.roleChunk + F.contentChunk("Hello") + F.contentChunk(" world")
                + F.finishChunk(citations: "[]", searchResults: "[]", usage: F.chatUsage) + F.done)
    }

    // MARK: §5.2 text missing if only deltas are forwarded

    @Test func textDoneLongerThanDeltas_sendsOnlyTheMissingSuffix() {
        let run = translate(
            F.preamble + F.delta("The capital", sequence: 8) + F.textDone(F.fullText, sequence: 18)
                + F.itemDone(F.messageItem(F.fullText), outputIndex: 1, sequence: 19) + F.completed())
        #expect(
            run.output
                == F.roleChunk + F.contentChunk("The capital")
                + F.contentChunk(" of France is Paris[1]. It lies on the Seine[2].") + F.finishChunk() + F.done)
    }

    @Test func runWithoutDeltas_sendsTheWholeTextFromTheTerminalOutput() {
        let run = translate(F.preamble + F.completed())
        #expect(run.output == F.roleChunk + F.contentChunk(F.fullText) + F.finishChunk() + F.done)
        #expect(run.translator.chunksEmitted == 1)
    }

    @Test func copyThatDisagreesWithTheDeltas_addsNothing() {
        let run = translate(
            messageRun(["Hello"], F.textDone("Goodbye", sequence: 20) + F.completed(output: [F.messageItem("Goodbye")]))
        )
        #expect(
            run.output
                == F.roleChunk + F.contentChunk("Hello")
                + F.finishChunk(citations: "[]", searchResults: "[]", usage: F.chatUsage) + F.done)
    }

    @Test func severalMessages_areTrackedPartByPart() {
        let upstream =
            F.created() + F.delta("First.", sequence: 1, itemID: "msg_1", outputIndex: 0)
            + F.itemDone(F.messageItem("First.", id: "msg_1"), outputIndex: 0, sequence: 2)
            + F.delta("Sec", sequence: 3, itemID: "msg_2", outputIndex: 1)
            + F.itemDone(F.messageItem("Second.", id: "msg_2"), outputIndex: 1, sequence: 4)
            + F.completed(output: [F.messageItem("First.", id: "msg_1"), F.messageItem("Second.", id: "msg_2")])
        let run = translate(upstream)
        #expect(
            run.output
                == F.roleChunk + F.contentChunk("First.") + F.contentChunk("Sec") + F.contentChunk("ond.")
                + F.finishChunk(citations: "[]", searchResults: "[]", usage: F.chatUsage) + F.done)
    }

    @Test func escapedDeltas_areCopiedVerbatim_andCopiesAreComparedAsText() {
        let upstream =
            F.created()
            + F.event(
                "response.output_text.delta",
                #""sequence_number":1,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"caf\u00e9 \"x\"\n""#
            )
            + F.textDone("café \"x\"\nau lait", sequence: 2, outputIndex: 0)
            + F.completed(output: [F.messageItem("café \"x\"\nau lait")], usage: "null")
        let run = translate(upstream)
        let verbatim = F.head + #"{"index":0,"delta":{"content":"caf\u00e9 \"x\"\n"},"finish_reason":null}]}"# + "\n\n"
        #expect(
            run.output.hasPrefix(
                F.roleChunk + verbatim + F.contentChunk("au lait") + F.head + #"{"index":0,"delta":{},"#))
    }

    // MARK: §5.3 sources emitted more than once

    @Test func sourcesRepeatedAcrossEvents_areListedOncePerURL() {
        // The canonical run carries each source three times: reasoning event, output_item.done, completed output.
        let run = translate(F.canonical)
        #expect(run.output.components(separatedBy: "\"url\":\"https://en.wikipedia.org/wiki/Paris\"").count == 2)
    }

    @Test func fetchedURLFoundLaterBySearch_keepsItsSearchID_andOrderIsByID() {
        let upstream =
            F.created()
            + F.event(
                "response.reasoning.fetch_url_results",
                #""sequence_number":1,"contents":[{"url":"https://b.example/","title":"B fetched","snippet":"page"},{"url":"https://z.example/","title":"Z","snippet":""}]"#
            )
            + F.event(
                "response.reasoning.search_results",
                #""sequence_number":2,"results":[{"id":11,"url":"https://b.example/","title":"B","snippet":"b"},{"id":3,"url":"https://a.example/","title":"A","snippet":"a","date":"2026-01-01"}]"#
            )
            + F.completed(output: [], usage: "null")
        let run = translate(upstream)
        let results =
            #"[{"title":"A","url":"https://a.example/","date":"2026-01-01","last_updated":null,"snippet":"a","source":"web","id":3},"#
            + #"{"title":"B fetched","url":"https://b.example/","date":null,"last_updated":null,"snippet":"page","source":"web","id":11},"#
            + #"{"title":"Z","url":"https://z.example/","date":null,"last_updated":null,"snippet":"","source":"web"}]"#
        #expect(
            run.output
                == F.roleChunk
                + F.finishChunk(
                    citations: #"["https://a.example/","https://b.example/","https://z.example/"]"#,
                    searchResults: results,
                    usage: F.zeroUsage)
                + F.done)
    }

    // MARK: §5.4 null fields

    @Test func nullFieldsAndUnknownEvents_areTolerated() {
        let upstream =
            F.created()
            + F.event("response.keepalive", #""sequence_number":1"#)
            + F.event(
                "response.output_item.added",
                #""sequence_number":2,"output_index":0,"item":{"type":"message","id":"msg_1","role":"assistant","content":null}"#
            )
            + F.event("response.reasoning.search_results", #""sequence_number":3,"results":null,"thought":null"#)
            + F.event("response.reasoning.fetch_url_results", #""sequence_number":4,"contents":null,"thought":null"#)
            + F.event(
                "response.output_text.delta",
                #""sequence_number":5,"item_id":null,"output_index":0,"content_index":null,"delta":"Hi""#)
            + F.event(
                "response.output_text.done",
                #""sequence_number":6,"item_id":"msg_1","output_index":0,"content_index":null,"text":null"#)
            + F.event("response.output_item.done", #""sequence_number":7,"output_index":0,"item":null"#)
            + F.event(
                "response.completed",
                #""sequence_number":8,"response":{"id":"resp_123","status":"completed","output":null,"usage":null,"error":null}"#
            )
        let run = translate(upstream)
        #expect(
            run.output
                == F.roleChunk + F.contentChunk("Hi")
                + F.finishChunk(citations: "[]", searchResults: "[]", usage: F.zeroUsage)
                + F.done)
        #expect(run.translator.usage == nil)
    }

    // MARK: §5.5 output item identity change, §5.6 internal search call, §5.7 model change

    @Test func itemChangingTypeAtTheSameIndex_isAccepted_andTheSearchCallIsNeverSurfaced() {
        let run = translate(F.canonical)
        #expect(!run.output.contains("tool_calls"))
        #expect(!run.output.contains("search_web"))
        #expect(!run.output.contains("function"))
    }

    @Test func upstreamModelChange_isHiddenBehindTheClientModel() {
        let run = translate(F.canonical)
        #expect(!run.output.contains("gpt-6-luna"))
        #expect(!run.output.contains(#""model":"fast""#))
        #expect(run.output.components(separatedBy: #""model":"sonar""#).count == 12)
    }

    // MARK: §5.8 sequence numbers

    @Test func sequenceGapsAreNormal_butReplayedEventsAreSkipped() {
        let upstream =
            F.created() + F.delta("A", sequence: 4) + F.delta("A", sequence: 4) + F.delta("B", sequence: 9)
            + F.delta("C", sequence: 7) + F.completed(output: [F.messageItem("AB")], usage: "null", sequence: 10)
        let run = translate(upstream)
        #expect(
            run.output
                == F.roleChunk + F.contentChunk("A") + F.contentChunk("B")
                + F.finishChunk(citations: "[]", searchResults: "[]", usage: F.zeroUsage) + F.done)
    }

    // MARK: §5.9 terminal handling

    @Test func terminalEvent_endsTheStreamEvenIfTheSocketStaysOpen() {
        var translator = AgentStreamTranslator(clientModel: "sonar", includeUsage: false, fallbackID: "x", created: 0)
        var output: [UInt8] = []
        let upstream = Array((F.canonical + ": ping\n\n" + F.delta("late", sequence: 30)).utf8)
        let step = upstream.withUnsafeBytes { translator.consume($0, into: &output) }
        #expect(step == .finished)
        #expect(String(decoding: output, as: UTF8.self) == F.canonicalClient)
        let again = Array(F.delta("later", sequence: 31).utf8).withUnsafeBytes { translator.consume($0, into: &output) }
        #expect(again == .finished)
        translator.upstreamEnded(into: &output)
        #expect(String(decoding: output, as: UTF8.self) == F.canonicalClient)
    }

    @Test func completedWithStatusIncomplete_finishesWithLength() {
        let run = translate(F.preamble + F.delta("The capital", sequence: 8) + F.completed(status: "incomplete"))
        #expect(
            run.output
                == F.roleChunk + F.contentChunk("The capital")
                + F.contentChunk(" of France is Paris[1]. It lies on the Seine[2].") + F.finishChunk("length") + F.done)
    }

    @Test func completedWithStatusFailed_sendsAnErrorFrame() {
        let response =
            #"{"id":"resp_123","status":"failed","output":[],"usage":null,"error":{"code":"server_error","message":"Model overloaded"}}"#
        let run = translate(F.created() + F.event("response.completed", #""sequence_number":2,"response":"# + response))
        #expect(run.output == F.roleChunk + errorFrame("server_error", "Model overloaded"))
        #expect(run.step == .finished)
    }

    @Test func completedWithStatusCancelled_sendsUpstreamCancelled() {
        let response =
            #"{"id":"resp_123","status":"cancelled","output":[],"error":{"code":"cancelled","message":"Run cancelled"},"incomplete_details":{"reason":"cancelled"}}"#
        let run = translate(F.created() + F.event("response.completed", #""sequence_number":2,"response":"# + response))
        #expect(run.output == F.roleChunk + errorFrame("upstream_cancelled", "Run cancelled"))
    }

    @Test func responseIncomplete_forTheOutputCap_finishesWithLength() {
        let response =
            #"{"id":"resp_123","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"output":[],"usage":{"input_tokens":9,"output_tokens":16,"total_tokens":25,"output_tokens_details":{"reasoning_tokens":16}}}"#
        let run = translate(
            F.created() + F.event("response.incomplete", #""sequence_number":2,"response":"# + response))
        let usage =
            #"{"prompt_tokens":9,"completion_tokens":16,"total_tokens":25,"reasoning_tokens":16,"num_search_queries":0}"#
        #expect(
            run.output == F.roleChunk + F.finishChunk("length", citations: "[]", searchResults: "[]", usage: usage)
                + F.done)
        #expect(
            run.translator.usage == StreamUsage(promptTokens: 9, completionTokens: 16, totalTokens: 25, costUSD: nil))
    }

    @Test func responseIncomplete_forAnotherReason_finishesWithStop() {
        let response =
            #"{"id":"resp_123","status":"incomplete","incomplete_details":{"reason":"content_filter"},"output":[],"usage":null}"#
        let run = translate(
            F.created() + F.event("response.incomplete", #""sequence_number":2,"response":"# + response))
        #expect(
            run.output
                == F.roleChunk + F.finishChunk("stop", citations: "[]", searchResults: "[]", usage: F.zeroUsage)
                + F.done)
    }

    @Test func responseFailed_withTopLevelError_sendsAnErrorFrame() {
        let run = translate(
            F.created() + F.delta("The", sequence: 1)
                + F.event(
                    "response.failed",
                    #""sequence_number":2,"error":{"message":"Search backend unavailable","code":"search_unavailable"}"#
                ))
        #expect(
            run.output == F.roleChunk + F.contentChunk("The")
                + errorFrame("search_unavailable", "Search backend unavailable"))
        #expect(run.step == .finished)
    }

    @Test func responseFailed_withNestedResponseError_sendsAnErrorFrame() {
        let run = translate(
            F.created()
                + F.event(
                    "response.failed",
                    #""sequence_number":2,"response":{"id":"resp_123","status":"failed","error":{"message":"Internal error","code":500}}"#
                ))
        #expect(run.output == F.roleChunk + errorFrame("upstream_failed", "Internal error"))
    }

    @Test func responseCancelled_sendsUpstreamCancelled() {
        let run = translate(
            F.created()
                + F.event(
                    "response.cancelled", #""sequence_number":2,"response":{"id":"resp_123","status":"cancelled"}"#))
        #expect(run.output == F.roleChunk + errorFrame("upstream_cancelled", "The upstream run was cancelled."))
    }

    @Test func bareErrorEvent_withErrorObject_sendsAnErrorFrame() {
        let run = translate(F.created() + F.event("error", #""error":{"message":"Rate limited","code":"rate_limit"}"#))
        #expect(run.output == F.roleChunk + errorFrame("rate_limit", "Rate limited"))
    }

    @Test func bareErrorEvent_withMessageOnly_sendsAnErrorFrame() {
        let run = translate("data: {\"type\":\"error\",\"message\":\"Something broke\"}\n\n")
        #expect(run.output == errorFrame("upstream_failed", "Something broke"))
        #expect(run.step == .finished)
    }

    @Test func endOfStreamWithoutTerminal_isAnError_evenAfterAllText() {
        let upstream =
            F.preamble + F.deltas.enumerated().map { F.delta($1, sequence: 8 + $0) }.joined()
            + F.textDone(F.fullText, sequence: 18)
        let run = translate(upstream, endOfStream: true)
        #expect(
            run.output
                == F.roleChunk + F.deltas.map(F.contentChunk).joined()
                + errorFrame("upstream_stream_truncated", "The upstream stream ended before the run finished."))
        #expect(run.translator.usage == nil)
    }

    @Test func terminalEventWithoutItsBlankLine_stillFinishesAtEndOfStream() {
        let run = translate(String(F.canonical.dropLast(2)), endOfStream: true)
        #expect(run.step == .more)
        #expect(run.output == F.canonicalClient)
    }

    @Test func upstreamFailure_sendsItsErrorFrame() {
        var translator = AgentStreamTranslator(clientModel: "sonar", includeUsage: false, fallbackID: "x", created: 0)
        var output: [UInt8] = []
        _ = Array(F.created().utf8).withUnsafeBytes { translator.consume($0, into: &output) }
        let failure = OpenAIError(status: 504, type: "upstream_error", code: "upstream_timeout", message: "Timed out")
        translator.upstreamFailed(failure, into: &output)
        #expect(
            String(decoding: output, as: UTF8.self) == F.roleChunk + String(decoding: failure.sseFrame, as: UTF8.self))
        translator.upstreamEnded(into: &output)
        #expect(
            String(decoding: output, as: UTF8.self) == F.roleChunk + String(decoding: failure.sseFrame, as: UTF8.self))
    }

    // MARK: Framing

    @Test func crlfCommentsDoneSentinelBlankDataAndKeepAlives_areIgnored() {
        let lf =
            F.created() + ": ping\n\ndata: keep-alive\n\ndata:\n\n" + F.delta("Hi", sequence: 1)
            + "data: [DONE]\n\n" + F.completed(output: [F.messageItem("Hi")], usage: "null")
        let crlf = lf.replacing("\n", with: "\r\n")
        let withoutEventLines = lf.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("event:") }.joined(separator: "\n")
        let expected =
            F.roleChunk + F.contentChunk("Hi") + F.finishChunk(citations: "[]", searchResults: "[]", usage: F.zeroUsage)
            + F.done
        #expect(translate(lf).output == expected)
        #expect(translate(crlf).output == expected)
        #expect(translate(withoutEventLines).output == expected)
    }

    @Test func eventWithInvalidJSON_endsTheStreamWithAnError() {
        let broken = "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"lost\n\n"
        let run = translate(F.created() + F.delta("Hi", sequence: 1) + broken + F.delta(" there", sequence: 3))
        #expect(run.output.hasPrefix(F.roleChunk + F.contentChunk("Hi") + "event: error\n"))
        #expect(run.output.contains("upstream_invalid_response"))
        #expect(!run.output.contains("there"))
        #expect(run.step == .finished)
    }

    @Test func eventWithInvalidUTF8_endsTheStreamWithAnError() {
        var translator = AgentStreamTranslator(clientModel: "sonar", includeUsage: false, fallbackID: "x", created: 1)
        var output: [UInt8] = []
        let bytes =
            Array((F.created() + "data: {\"type\":\"response.output_text.delta\",\"delta\":\"").utf8) + [0xFF, 0xFE]
            + Array("\"}\n\n".utf8)
        let step = bytes.withUnsafeBytes { translator.consume($0, into: &output) }
        #expect(step == .finished)
        #expect(translator.failure?.code == "upstream_invalid_response")
        #expect(String(decoding: output, as: UTF8.self).contains("not valid UTF-8"))
    }

    @Test func eventLineNamingAnotherType_doesNotOverrideTheJSONType() {
        let upstream =
            F.created()
            + "event: response.completed\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"Hi\"}\n\n"
        let run = translate(upstream)
        #expect(run.output == F.roleChunk + F.contentChunk("Hi"))
        #expect(run.step == .more)
    }

    // MARK: §5.11 search not guaranteed, §5.13 split citation markers

    @Test func runWithoutSearch_hasEmptySourcesAndZeroQueries() {
        let usage =
            #"{"input_tokens":5,"output_tokens":2,"total_tokens":7,"cost":{"currency":"USD","input_cost":0.000005,"output_cost":0.000002,"total_cost":0.000007}}"#
        let run = translate(messageRun(["Hi"], F.completed(output: [F.messageItem("Hi")], usage: usage)))
        let chatUsage =
            #"{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7,"reasoning_tokens":0,"num_search_queries":0,"cost":{"input_tokens_cost":0.000005,"output_tokens_cost":0.000002,"search_queries_cost":0,"total_cost":0.000007}}"#
        #expect(
            run.output
                == F.roleChunk + F.contentChunk("Hi")
                + F.finishChunk(citations: "[]", searchResults: "[]", usage: chatUsage)
                + F.done)
    }

    @Test func citationMarkersSplitAcrossDeltas_arePassedOnAsTheyCame() {
        let run = translate(messageRun(["Paris.[", "1", "]"], ""))
        #expect(run.output == F.roleChunk + F.contentChunk("Paris.[") + F.contentChunk("1") + F.contentChunk("]"))
    }

    @Test func cacheCosts_areAddedToTheInputCost() {
        let usage =
            #"{"input_tokens":2754,"output_tokens":13,"total_tokens":2767,"input_tokens_details":{"cache_creation_input_tokens":0,"cache_read_input_tokens":2751,"cached_tokens":2751},"output_tokens_details":{"reasoning_tokens":0},"tool_calls_details":{"search_web":{"cost_usd":0.0025,"invocation":1}},"cost":{"currency":"USD","input_cost":0,"output_cost":0.00003,"cache_read_cost":0.00011,"cache_creation_cost":0.000001,"tool_calls_cost":0.0025,"tool_calls_cost_details":{"search_web":0.0025},"total_cost":0.002641}}"#
        let run = translate(F.created() + F.completed(output: [], usage: usage))
        let chatUsage =
            #"{"prompt_tokens":2754,"completion_tokens":13,"total_tokens":2767,"reasoning_tokens":0,"num_search_queries":1,"cost":{"input_tokens_cost":0.000111,"output_tokens_cost":0.00003,"search_queries_cost":0.0025,"total_cost":0.002641}}"#
        #expect(
            run.output == F.roleChunk + F.finishChunk(citations: "[]", searchResults: "[]", usage: chatUsage) + F.done)
    }
}
