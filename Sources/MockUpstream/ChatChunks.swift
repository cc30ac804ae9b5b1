/// Builds the chunks and bodies of one Sonar chat-completions response (perplexity-wire.md §2, §4, §10).
struct SonarChunks {
    /// Which era's layout to write.
    enum Era {
        /// 2026: `chat.completion.chunk` + a final `chat.completion.done`, compact JSON, zero-cost "skeleton"
        /// usage on interim chunks.
        case current
        /// 2024–2025: `object: "chat.completion"` on every chunk, cumulative `message`, `finish_reason: null`
        /// on interim chunks, token-only usage, Python separators.
        case legacy
    }

    /// How much of `cost` a usage object carries.
    enum Cost {
        /// No `cost` (legacy chunks, the concise `chat.reasoning.done`).
        case none
        /// Zero input/output/total and no `request_cost`, as on 2026 interim chunks.
        case skeleton
        /// Real amounts including the flat `request_cost`.
        case final
    }

    var id: String
    var model: String
    var era: Era

    private var style: WireJSON.Style {
        switch era {
        case .current: .sonar
        case .legacy: .sonarPython
        }
    }

    /// `data: <chunk>\n\n`.
    func frame(_ chunk: WireJSON) -> [UInt8] {
        MockHTTP.dataFrame(chunk.encoded(style))
    }

    /// The JSON text of a whole (non-streamed) body.
    func encoded(_ body: WireJSON) -> [UInt8] {
        body.encoded(style)
    }

    /// `created` of the `index`-th chunk: the 2026 stream ticks one second after its first chunk, as captured
    /// streams do, which the proxy must not pass on.
    func created(chunk index: Int) -> WireJSON {
        switch era {
        case .current: .int(CanonicalAnswer.createdEpoch + min(index, 1))
        case .legacy: .int(CanonicalAnswer.createdEpoch)
        }
    }

    /// Cumulative usage after `completionTokens` tokens, `reasoningTokens` of them reasoning.
    func usage(completionTokens: Int, reasoningTokens: Int?, cost: Cost) -> WireJSON {
        let prompt = CanonicalAnswer.promptTokens
        var usage: WireJSON = [
            "prompt_tokens": .int(prompt), "completion_tokens": .int(completionTokens),
            "total_tokens": .int(prompt + completionTokens),
        ]
        if let reasoningTokens { usage = usage.setting("reasoning_tokens", to: .int(reasoningTokens)) }
        switch cost {
        case .none:
            if era == .current { usage = usage.setting("search_context_size", to: "low") }
        case .skeleton:
            usage = usage.setting("search_context_size", to: "low")
                .setting(
                    "cost", to: ["input_tokens_cost": .number("0.0"), "output_tokens_cost": .number("0.0"), "total_cost": .number("0.0")])
        case .final:
            let inputMicros = prompt * MockPricing.microsPerToken
            let outputMicros = completionTokens * MockPricing.microsPerToken
            usage = usage.setting("search_context_size", to: "low").setting(
                "cost",
                to: [
                    "input_tokens_cost": .usd(micros: inputMicros, zero: "0.0"),
                    "output_tokens_cost": .usd(micros: outputMicros, zero: "0.0"),
                    "request_cost": .usd(micros: MockPricing.searchMicros, zero: "0.0"),
                    "total_cost": .usd(micros: inputMicros + outputMicros + MockPricing.searchMicros, zero: "0.0"),
                ])
        }
        return usage
    }

    /// The top-level `citations` array.
    var citations: WireJSON {
        .array(CanonicalAnswer.citations.map(WireJSON.string))
    }

    /// The top-level `search_results` array; unknown dates are `null`, as Sonar writes them.
    var searchResults: WireJSON {
        .array(
            CanonicalAnswer.sources.map {
                [
                    "title": .string($0.title), "url": .string($0.url), "date": .optional($0.date),
                    "last_updated": .optional($0.lastUpdated), "snippet": .string($0.snippet), "source": "web",
                ]
            })
    }

    /// `{"role":"assistant","content":…}`, or just the content when the role is left out.
    func delta(_ content: String, withRole: Bool) -> WireJSON {
        withRole ? ["role": "assistant", "content": .string(content)] : ["content": .string(content)]
    }

    /// The non-streamed body (§4): the full message plus the empty `delta` the SDK schema requires.
    func body(text: String, completionTokens: Int, reasoningTokens: Int?, finishReason: String?) -> WireJSON {
        let cost: Cost = era == .legacy ? .none : .final
        return [
            "id": .string(id), "model": .string(model), "created": created(chunk: 0), "object": "chat.completion",
            "usage": usage(completionTokens: completionTokens, reasoningTokens: reasoningTokens, cost: cost),
            "citations": citations, "search_results": searchResults,
            "choices": [
                [
                    "index": 0, "finish_reason": .optional(finishReason),
                    "message": delta(text, withRole: true), "delta": delta("", withRole: true),
                ]
            ],
        ]
    }
}
