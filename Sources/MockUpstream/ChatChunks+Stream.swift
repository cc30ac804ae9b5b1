/// The switches a full-mode Sonar stream varies on (perplexity-wire.md §10.1 "The mock needs switches").
struct SonarStreamShape {
    var era = SonarChunks.Era.current
    /// `delta.role` on every chunk (2026 fixtures) or on the first only (vercel/ai PR #16532).
    var roleOnEveryChunk = true
    /// `citations` and `search_results` on every chunk, or only on the finishing chunk.
    var metadataOnEveryChunk = true
    /// The finishing chunk's `finish_reason`; `nil` leaves the finishing chunk out (the stream just stops).
    var finishReason: String? = "stop"
    /// Whether `data: [DONE]` follows.
    var sendsDoneMarker = true
    /// Whether a `choices: []` chunk with the final usage follows the finishing chunk (`include_usage`, as OpenAI
    /// and compatible servers send it).
    var usageChunk = false
}

extension SonarChunks {
    /// The frames of a full-mode stream of `deltas`, with cumulative usage after each (`tokens[i]` completion
    /// tokens, the first `reasoningDeltas` of them reasoning).
    func stream(deltas: [String], tokens: [Int], reasoningDeltas: Int, shape: SonarStreamShape) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        var soFar = ""
        for (index, content) in deltas.enumerated() {
            soFar += content
            let reasoning = reasoningDeltas > 0 ? min(index + 1, reasoningDeltas) : nil
            switch era {
            case .current:
                let withRole = index == 0 || shape.roleOnEveryChunk
                let choice: WireJSON = ["index": 0, "delta": delta(content, withRole: withRole)]
                frames.append(
                    frame(
                        chunk(
                            index: index, object: "chat.completion.chunk",
                            usage: usage(completionTokens: tokens[index], reasoningTokens: reasoning, cost: .skeleton),
                            metadata: shape.metadataOnEveryChunk, choice: choice)))
            case .legacy:
                frames.append(frame(legacyChunk(index: index, tokens: tokens[index], text: soFar, delta: content, finishReason: nil)))
            }
        }
        if let finishReason = shape.finishReason {
            let total = tokens.last ?? 0
            let reasoning = reasoningDeltas > 0 ? reasoningDeltas : nil
            switch era {
            case .current:
                let choice: WireJSON = [
                    "index": 0, "delta": delta("", withRole: shape.roleOnEveryChunk), "finish_reason": .string(finishReason),
                ]
                frames.append(
                    frame(
                        chunk(
                            index: deltas.count, object: "chat.completion.done",
                            usage: usage(completionTokens: total, reasoningTokens: reasoning, cost: .final),
                            metadata: true, choice: choice)))
            case .legacy:
                frames.append(frame(legacyChunk(index: deltas.count, tokens: total, text: soFar, delta: "", finishReason: finishReason)))
            }
            if shape.usageChunk, era == .current {
                let usage = usage(completionTokens: total, reasoningTokens: reasoning, cost: .final)
                frames.append(
                    frame(
                        [
                            "id": .string(id), "model": .string(model), "created": created(chunk: deltas.count), "usage": usage,
                            "object": "chat.completion.chunk", "choices": [],
                        ]))
            }
        }
        if shape.sendsDoneMarker { frames.append(MockHTTP.doneFrame) }
        return frames
    }

    /// A 2026 chunk in the captured field order: id, model, created, usage, citations, search_results,
    /// object, choices.
    private func chunk(index: Int, object: String, usage: WireJSON, metadata: Bool, choice: WireJSON) -> WireJSON {
        var chunk: WireJSON = ["id": .string(id), "model": .string(model), "created": created(chunk: index), "usage": usage]
        if metadata {
            chunk = chunk.setting("citations", to: citations).setting("search_results", to: searchResults)
        }
        return chunk.setting("object", to: .string(object)).setting("choices", to: [choice])
    }

    /// A legacy chunk: cumulative `message` beside the `delta`, and `finish_reason` always present.
    private func legacyChunk(index: Int, tokens: Int, text: String, delta content: String, finishReason: String?) -> WireJSON {
        [
            "id": .string(id), "model": .string(model), "created": created(chunk: index),
            "usage": usage(completionTokens: tokens, reasoningTokens: nil, cost: .none), "citations": citations,
            "search_results": searchResults, "object": "chat.completion",
            "choices": [
                [
                    "index": 0, "finish_reason": .optional(finishReason), "message": delta(text, withRole: true),
                    "delta": delta(content, withRole: true),
                ]
            ],
        ]
    }
}
