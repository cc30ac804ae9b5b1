/// Turns any chat-completions stream Perplexity has sent (2026 `chat.completion.chunk` + `chat.completion.done`,
/// legacy cumulative `chat.completion`, concise mode's `chat.reasoning*`, with or without `[DONE]`) into the
/// client stream of CONTRACT "Streams to clients": constant `id`/`created`, the client's model, the role once,
/// one content chunk per upstream delta, one finish chunk carrying the last citations, search results and usage,
/// the optional usage chunk (which then alone carries the usage), then `[DONE]`.
///
/// Content literals are copied verbatim from the upstream event, found with `JSONScanner`; nothing is decoded
/// or re-encoded per event.
public struct ChatStreamNormalizer: StreamTranslator {
    /// Used when the upstream's first chunk has no string `id`, which no observed Perplexity stream lacks.
    private static let fallbackID = "chatcmpl-pplx-proxy"
    /// Reported in the usage chunk when the upstream never sent usage, so the chunk the client asked for exists.
    private static let zeroUsage: [UInt8] = Array(#"{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}"#.utf8)

    private let clientModel: String
    private let includeUsage: Bool
    /// Sonar's shape: citations and search results on every content chunk once known.
    private let sonarShape: Bool
    private var parser = ServerSentEventParser()
    /// Created from the first upstream chunk, whose `id` and `created` every client chunk repeats.
    private var encoder: ChatChunkEncoder?
    private var metadata = ChatTrailingMetadata()
    /// The first non-empty `finish_reason`, normalised to "stop" or "length".
    private var finishReason: String?
    /// The finish chunk came without usage: the next event (a generic upstream's `choices: []` usage chunk, which
    /// the proxy asks for) or the end of the body ends the stream.
    private var finishAwaitsUsage = false
    private var finished = false

    /// A normaliser answering as `clientModel`; `includeUsage` adds the `choices: []` usage chunk; `sonarShape`
    /// repeats the citations and search results known so far on every content chunk (`stream.metadata: sonar`).
    public init(clientModel: String, includeUsage: Bool, sonarShape: Bool = false) {
        self.clientModel = clientModel
        self.includeUsage = includeUsage
        self.sonarShape = sonarShape
    }

    /// Content chunks sent to the client so far.
    public var chunksEmitted: Int { encoder?.contentChunks ?? 0 }

    /// The last cumulative usage the upstream reported (final once the stream has finished).
    public var usage: StreamUsage? {
        guard !metadata.usage.isEmpty else { return nil }
        return metadata.usage.withUnsafeBytes { StreamUsage(chatUsageJSON: $0) }
    }

    /// Always nil: a chat-completions upstream has no run to cancel.
    public var upstreamResponseID: String? { nil }

    /// Feeds upstream bytes; appends a client chunk for each event they complete.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer, into output: inout [UInt8]) -> StreamStep {
        guard !finished else { return .finished }
        parser.append(bytes)
        while !finished, let event = parser.next() {
            handle(event, into: &output)
        }
        if !finished, parser.overflowed {
            fail("upstream_invalid_response", "The upstream sent an event larger than \(parser.maxEventBytes) bytes.", into: &output)
        }
        return finished ? .finished : .more
    }

    /// EOF: handles a last event left without its blank line. A stream that ended without its terminal (a
    /// `finish_reason` or `[DONE]`) was cut short, whatever the transport said: the client gets an error frame,
    /// not an invented "stop".
    public mutating func upstreamEnded(into output: inout [UInt8]) {
        while !finished, let event = parser.finish() {
            handle(event, into: &output)
        }
        if !finished, finishReason != nil {
            end(into: &output)
        } else if !finished {
            fail(
                "upstream_stream_truncated", "The upstream stream ended before its finish_reason or [DONE]: the answer is incomplete.",
                into: &output)
        }
    }

    /// Ends the client stream with `error`'s frame (alone, even when nothing was sent yet).
    public mutating func upstreamFailed(_ error: OpenAIError, into output: inout [UInt8]) {
        guard !finished else { return }
        finished = true
        failure = error
        output.append(contentsOf: error.sseFrame)
    }

    /// The error the stream ended with, if any.
    public private(set) var failure: OpenAIError?

    private mutating func handle(_ event: ServerSentEvent, into output: inout [UInt8]) {
        if event.isDoneSentinel {
            end(into: &output)
            return
        }
        event.data.withUnsafeBytes { raw in
            guard UTF8Validation.isValid(raw) else {
                fail("upstream_invalid_response", "The upstream sent an event that is not valid UTF-8.", into: &output)
                return
            }
            let json = JSONScanner(raw)
            let fields = ChatEventFields(json)
            if event.name == "error" || (fields?.error.map { !json.isNull($0) } ?? false) {
                fail("upstream_stream_error", upstreamErrorMessage(fields?.error, json), into: &output)
                return
            }
            guard let fields else {
                fail("upstream_invalid_response", "The upstream sent an event that is not a JSON object.", into: &output)
                return
            }
            if encoder == nil {
                encoder = ChatChunkEncoder(
                    id: json.string(fields.id) ?? Self.fallbackID, created: json.int(fields.created) ?? 0,
                    model: clientModel)
            }
            metadata.collect(fields, from: json)
            if sonarShape, fields.citations != nil || fields.searchResults != nil {
                encoder?.chunkMetadata = ChatChunkEncoder.sonarMetadata(
                    citations: metadata.finalCitations, searchResults: metadata.searchResults)
            }
            // Concise mode's reasoning events carry search results and partial usage, never answer text.
            let isReasoning =
                json.stringEquals(fields.object, "chat.reasoning")
                || json.stringEquals(fields.object, "chat.reasoning.done")
            if !isReasoning, let content = fields.deltaContent(json) {
                encoder?.appendContent(jsonStringLiteral: json.rawBytes(content), into: &output)
            }
            let reason = json.member("finish_reason", of: fields.firstChoice(json))
            if reason?.kind == .string, !json.isEmptyString(reason) {
                finishReason = json.stringEquals(reason, "length") ? "length" : "stop"
            }
            let hasUsage = fields.usage?.kind == .object
            if json.stringEquals(fields.object, "chat.completion.done") || (finishReason != nil && (hasUsage || finishAwaitsUsage)) {
                end(into: &output)
            } else if finishReason != nil {
                finishAwaitsUsage = true
            }
        }
    }

    /// Appends the finish chunk, the optional usage chunk and `[DONE]`.
    private mutating func end(into output: inout [UInt8]) {
        guard var encoder else {
            fail("upstream_stream_error", "The upstream ended the stream without sending any chunk.", into: &output)
            return
        }
        finished = true
        let usage = metadata.usage.isEmpty ? nil : metadata.usage
        // With `include_usage`, usage goes on the `choices: []` chunk only, as OpenAI does: clients that add up
        // chunk usage (LangChain) would otherwise count it twice.
        encoder.appendFinish(
            reason: finishReason ?? "stop", citations: metadata.finalCitations, searchResults: metadata.searchResults,
            usage: includeUsage ? nil : usage, extras: metadata.extras, into: &output)
        if includeUsage {
            encoder.appendUsageChunk(usage: usage ?? Self.zeroUsage, into: &output)
        }
        ChatChunkEncoder.appendDone(into: &output)
        self.encoder = encoder
    }

    private mutating func fail(_ code: String, _ message: String, into output: inout [UInt8]) {
        upstreamFailed(ClientErrors.streamError(code: code, message: message), into: &output)
    }

    /// The upstream's own words for an in-stream error (`{"error":{"message":…}}` or `{"error":"…"}`).
    private func upstreamErrorMessage(_ error: JSONSpan?, _ json: JSONScanner) -> String {
        let said = json.string(error) ?? json.string(json.member("message", of: error))
        return "The upstream reported an error mid-stream" + (said.map { ": \($0)" } ?? ".")
    }
}
