extension StreamUsage {
    /// Reads a chat-completions `usage` object: the token counts (total defaults to prompt + completion) and
    /// `cost.total_cost`. Nil unless the bytes are a JSON object.
    init?(chatUsageJSON bytes: UnsafeRawBufferPointer) {
        let json = JSONScanner(bytes)
        guard let usage = json.root(), usage.kind == .object else { return nil }
        let prompt = TokenCount.clamped(json.int(json.member("prompt_tokens", of: usage)) ?? 0)
        let completion = TokenCount.clamped(json.int(json.member("completion_tokens", of: usage)) ?? 0)
        self.init(
            promptTokens: prompt, completionTokens: completion,
            totalTokens: TokenCount.clamped(json.int(json.member("total_tokens", of: usage)) ?? prompt + completion),
            costUSD: json.double(json.member("total_cost", of: json.member("cost", of: usage))))
    }

    /// Reads the top-level `usage` object of a chat-completions document (a stream chunk or a `chat.completion`
    /// body). Nil when there is none.
    init?(usageMemberOf document: UnsafeRawBufferPointer) {
        let json = JSONScanner(document)
        guard let usage = json.member("usage", of: json.root()), usage.kind == .object else { return nil }
        self.init(chatUsageJSON: json.rawBytes(usage))
    }
}
