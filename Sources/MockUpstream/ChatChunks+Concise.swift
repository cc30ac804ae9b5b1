extension SonarChunks {
    /// A `stream_mode: "concise"` stream (perplexity-wire.md §2.6, §10.4): `chat.reasoning`,
    /// `chat.reasoning.done`, one `chat.completion.chunk` per delta with an empty `message`, then
    /// `chat.completion.done` with the full message, search results and priced usage, then `[DONE]`.
    /// Search results and usage appear only on the two `*.done` chunks; no chunk carries `citations`.
    func conciseStream(deltas: [String], tokens: [Int]) -> [[UInt8]] {
        let step: WireJSON = [
            "thought": .string("Searching the web for the \(CanonicalAnswer.query)."), "type": "web_search",
            "web_search": [
                "search_keywords": [.string(CanonicalAnswer.query)],
                "search_results": .array(CanonicalAnswer.sources.map { ["title": .string($0.title), "url": .string($0.url)] }),
            ],
        ]
        let emptyMessage: WireJSON = ["role": "assistant", "content": ""]
        var frames: [[UInt8]] = []
        frames.append(
            frame([
                "id": .string(id), "model": .string(model), "created": stamp(0), "object": "chat.reasoning",
                "type": "message",
                "choices": [
                    [
                        "index": 0, "finish_reason": nil, "message": emptyMessage,
                        "delta": ["role": "assistant", "content": "", "reasoning_steps": [step]],
                    ]
                ],
            ]))
        frames.append(
            frame([
                "id": .string(id), "model": .string(model), "created": stamp(1), "object": "chat.reasoning.done",
                "usage": usage(completionTokens: 0, reasoningTokens: nil, cost: .none), "search_results": searchResults,
                "images": [],
                "choices": [
                    [
                        "index": 0, "finish_reason": nil, "message": emptyMessage.setting("reasoning_steps", to: [step]),
                        "delta": emptyMessage,
                    ]
                ],
            ]))
        for content in deltas {
            frames.append(
                frame([
                    "id": .string(id), "model": .string(model), "created": stamp(2), "object": "chat.completion.chunk",
                    "choices": [["index": 0, "finish_reason": nil, "message": emptyMessage, "delta": delta(content, withRole: true)]],
                ]))
        }
        frames.append(
            frame([
                "id": .string(id), "model": .string(model), "created": stamp(3), "object": "chat.completion.done",
                "usage": usage(completionTokens: tokens.last ?? 0, reasoningTokens: nil, cost: .final),
                "search_results": searchResults, "images": [],
                "choices": [
                    [
                        "index": 0, "finish_reason": "stop",
                        "message": delta(deltas.joined(), withRole: true).setting("reasoning_steps", to: [step]),
                        "delta": emptyMessage,
                    ]
                ],
            ]))
        frames.append(MockHTTP.doneFrame)
        return frames
    }

    /// Concise chunks carry advancing timestamps, one phase per second.
    private func stamp(_ phase: Int) -> WireJSON {
        .int(CanonicalAnswer.createdEpoch + phase)
    }
}
