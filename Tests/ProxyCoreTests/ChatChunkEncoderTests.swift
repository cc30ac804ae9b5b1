import Testing

@testable import ProxyCore

@Suite struct ChatChunkEncoderTests {
    private let head =
        #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1790000000,"model":"sonar","choices":["#

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func encoder_firstContentChunk_carriesRoleAndContent() {
        var encoder = ChatChunkEncoder(id: "chatcmpl-1", created: 1_790_000_000, model: "sonar")
        var out: [UInt8] = []
        encoder.appendContent("Paris", into: &out)
        #expect(
            text(out)
                == head + #"{"index":0,"delta":{"role":"assistant","content":"Paris"},"finish_reason":null}]}"# + "\n\n"
        )
        #expect(encoder.contentChunks == 1)
    }

    @Test func encoder_laterContentChunks_carryNoRole() {
        var encoder = ChatChunkEncoder(id: "chatcmpl-1", created: 1_790_000_000, model: "sonar")
        var out: [UInt8] = []
        encoder.appendContent("a", into: &out)
        out.removeAll()
        encoder.appendContent(" b", into: &out)
        #expect(text(out) == head + #"{"index":0,"delta":{"content":" b"},"finish_reason":null}]}"# + "\n\n")
        #expect(encoder.contentChunks == 2)
    }

    @Test func encoder_literalContent_isCopiedVerbatim() {
        var encoder = ChatChunkEncoder(id: "chatcmpl-1", created: 1_790_000_000, model: "sonar")
        var out: [UInt8] = []
        let literal: [UInt8] = Array(#""line\n\"q\" \u00e9""#.utf8)
        literal.withUnsafeBytes { encoder.appendContent(jsonStringLiteral: $0, into: &out) }
        #expect(
            text(out)
                == head
                + #"{"index":0,"delta":{"role":"assistant","content":"line\n\"q\" \u00e9"},"finish_reason":null}]}"#
                + "\n\n")
    }

    @Test func encoder_textContent_isEscaped() {
        var encoder = ChatChunkEncoder(id: "chatcmpl-1", created: 1_790_000_000, model: "sonar")
        var out: [UInt8] = []
        encoder.appendContent("a\"b\\c\n", into: &out)
        #expect(text(out).contains(#""content":"a\"b\\c\n"}"#))
    }

    @Test func encoder_idAndModel_areEscapedOnce() {
        var encoder = ChatChunkEncoder(id: "x\"y", created: 5, model: "m\\n")
        var out: [UInt8] = []
        encoder.appendContent("z", into: &out)
        #expect(
            text(out).hasPrefix(#"data: {"id":"x\"y","object":"chat.completion.chunk","created":5,"model":"m\\n","#))
    }

    @Test func encoder_roleIfNeeded_writesRoleOnlyChunkOnce() {
        var encoder = ChatChunkEncoder(id: "chatcmpl-1", created: 1_790_000_000, model: "sonar")
        var out: [UInt8] = []
        encoder.appendRoleIfNeeded(into: &out)
        encoder.appendRoleIfNeeded(into: &out)
        #expect(
            text(out) == head + #"{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#
                + "\n\n")
        out.removeAll()
        encoder.appendContent("x", into: &out)
        #expect(!text(out).contains("role"))
        #expect(encoder.contentChunks == 1)
    }

    @Test func encoder_roleIfNeeded_afterContent_writesNothing() {
        var encoder = ChatChunkEncoder(id: "chatcmpl-1", created: 1_790_000_000, model: "sonar")
        var out: [UInt8] = []
        encoder.appendContent("x", into: &out)
        out.removeAll()
        encoder.appendRoleIfNeeded(into: &out)
        #expect(out.isEmpty)
    }

    @Test func encoder_finish_carriesMetadataInOrder() {
        var encoder = ChatChunkEncoder(id: "chatcmpl-1", created: 1_790_000_000, model: "sonar")
        var out: [UInt8] = []
        encoder.appendContent("x", into: &out)
        out.removeAll()
        encoder.appendFinish(
            reason: "stop", citations: Array(#"["https://a"]"#.utf8), searchResults: Array(#"[{"title":"A"}]"#.utf8),
            usage: Array(#"{"prompt_tokens":1}"#.utf8),
            extras: [
                (key: "images", rawJSON: Array("[]".utf8)), (key: "related_questions", rawJSON: Array(#"["q"]"#.utf8)),
            ],
            into: &out)
        #expect(
            text(out)
                == head
                + #"{"index":0,"delta":{},"finish_reason":"stop"}],"citations":["https://a"],"search_results":[{"title":"A"}],"usage":{"prompt_tokens":1},"images":[],"related_questions":["q"]}"#
                + "\n\n")
    }

    @Test func encoder_finish_withoutUsage_omitsUsageAndWritesEmptyArrays() {
        var encoder = ChatChunkEncoder(id: "chatcmpl-1", created: 1_790_000_000, model: "sonar")
        var out: [UInt8] = []
        encoder.appendContent("x", into: &out)
        out.removeAll()
        encoder.appendFinish(reason: "length", citations: [], searchResults: [], usage: nil, extras: [], into: &out)
        #expect(
            text(out)
                == head + #"{"index":0,"delta":{},"finish_reason":"length"}],"citations":[],"search_results":[]}"#
                + "\n\n")
    }

    @Test func encoder_finishBeforeContent_writesRoleOnlyChunkFirst() {
        var encoder = ChatChunkEncoder(id: "chatcmpl-1", created: 1_790_000_000, model: "sonar")
        var out: [UInt8] = []
        encoder.appendFinish(reason: "stop", citations: [], searchResults: [], usage: nil, extras: [], into: &out)
        #expect(
            text(out)
                == head + #"{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"# + "\n\n"
                + head + #"{"index":0,"delta":{},"finish_reason":"stop"}],"citations":[],"search_results":[]}"# + "\n\n"
        )
        #expect(encoder.contentChunks == 0)
    }

    @Test func encoder_usageChunk_hasEmptyChoices() {
        let encoder = ChatChunkEncoder(id: "chatcmpl-1", created: 1_790_000_000, model: "sonar")
        var out: [UInt8] = []
        encoder.appendUsageChunk(usage: Array(#"{"total_tokens":3}"#.utf8), into: &out)
        #expect(text(out) == head + #"],"usage":{"total_tokens":3}}"# + "\n\n")
    }

    @Test func encoder_done_isTheDoneFrame() {
        var out: [UInt8] = []
        ChatChunkEncoder.appendDone(into: &out)
        #expect(text(out) == "data: [DONE]\n\n")
    }
}
