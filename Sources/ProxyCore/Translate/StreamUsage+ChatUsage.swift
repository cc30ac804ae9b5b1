extension StreamUsage {
    /// Reads a chat-completions `usage` object: the token counts (total defaults to prompt + completion) and
    /// `cost.total_cost`. Nil unless the bytes are a JSON object.
    init?(chatUsageJSON bytes: UnsafeRawBufferPointer) {
        let json = JSONScanner(bytes)
        guard let usage = json.root(), usage.kind == .object,
            let found = json.members(["prompt_tokens", "completion_tokens", "total_tokens", "cost"], of: usage)
        else { return nil }
        let prompt = TokenCount.clamped(json.int(found[0]) ?? 0)
        let completion = TokenCount.clamped(json.int(found[1]) ?? 0)
        self.init(
            promptTokens: prompt, completionTokens: completion,
            totalTokens: TokenCount.clamped(json.int(found[2]) ?? prompt + completion),
            costUSD: json.double(json.member("total_cost", of: found[3])))
    }

    /// Reads the top-level `usage` object of a chat-completions document (a stream chunk or a `chat.completion`
    /// body). Nil when there is none.
    init?(usageMemberOf document: UnsafeRawBufferPointer) {
        let json = JSONScanner(document)
        guard let usage = json.member("usage", of: json.root()), usage.kind == .object else { return nil }
        self.init(chatUsageJSON: json.rawBytes(usage))
    }
}
