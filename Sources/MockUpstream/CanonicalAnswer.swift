/// The answer the emulator gives unless a scenario says otherwise; end-to-end tests assert it byte for byte.
public enum CanonicalAnswer {
    /// The text deltas, in order, as both upstream APIs stream them.
    public static let deltas = [
        "The capital", " of France", " is Paris", "[1]", ".", " It lies on", " the Seine", "[2]", ".",
    ]
    /// The full answer text.
    public static let text = deltas.joined()
    /// Source URLs in citation order: `[1]` is the first.
    public static let citations = sources.map(\.url)
    /// The one search query the agent reports.
    public static let query = "capital of France"
    /// Fixed `created` / `created_at` epoch of every response.
    public static let createdEpoch = 1_790_000_000
    /// Tokens of the question; the same for every scenario.
    public static let promptTokens = 9
    /// Tokens of the full canonical answer.
    public static let completionTokens = 14

    /// The search results behind the citations. Britannica's has no dates and an empty snippet, as real
    /// results often do.
    static let sources = [
        SearchSource(
            id: 1, title: "Paris - Wikipedia", url: "https://en.wikipedia.org/wiki/Paris", date: "2026-03-01",
            lastUpdated: "2026-03-02", snippet: "Paris is the capital and largest city of France."),
        SearchSource(
            id: 2, title: "Paris | Britannica", url: "https://www.britannica.com/place/Paris", date: nil,
            lastUpdated: nil, snippet: ""),
    ]

    /// Cumulative completion tokens after each canonical delta (Sonar's usage grows chunk by chunk).
    static let tokensAfterDelta = [2, 4, 6, 7, 8, 11, 12, 13, 14]

    /// Cumulative completion tokens after each of `deltas`: the canonical counts for the canonical answer,
    /// one token per delta otherwise.
    static func cumulativeTokens(for deltas: [String]) -> [Int] {
        deltas == Self.deltas ? tokensAfterDelta : deltas.indices.map { $0 + 1 }
    }
}

/// Billing the emulator applies: one micro-dollar per token plus a flat search fee.
enum MockPricing {
    static let microsPerToken = 1
    /// Sonar's `request_cost` and the Agent API's `search_web` cost per invocation.
    static let searchMicros = 5_000
}
