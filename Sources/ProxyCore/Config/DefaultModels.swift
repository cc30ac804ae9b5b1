/// The model table used when the config file has no `models` object: the four Sonar ids apps already send.
///
/// The Agent API refuses bare Sonar ids, so in agent mode each needs a route (perplexity-agent-api.md §2,
/// "Mapping from Sonar chat-completions parameters" and "How others map model ids to presets"):
/// - `sonar` keeps Sonar's always-search contract on Perplexity's own model: `perplexity/sonar` with `web_search`
///   offered and forced, since a tool that is merely offered is often not used. `preset: "fast"` would resolve
///   to a third-party model.
/// - `sonar-pro` uses the `low` preset as Perplexity's migration guide does, with `model` pinned to
///   `perplexity/sonar` as TrueFoundry does, because a preset alone can resolve to a third-party model and
///   answers would stop being Perplexity's.
/// - `sonar-reasoning-pro` → `medium` and `sonar-deep-research` → `high`, as in Perplexity's migration guide and
///   its own MCP server; these tiers are the multi-step research the old ids stood for, so they keep the preset's
///   model.
///
/// A chat-completions upstream knows the ids themselves, so in chat mode they are sent unchanged.
public enum DefaultModels {
    /// Client-facing id → Agent API route.
    public static let agent: [String: ModelRoute] = [
        "sonar": ModelRoute(
            model: "perplexity/sonar",
            tools: [.object(["type": .string("web_search")])],
            toolChoice: .object(["type": .string("web_search")])
        ),
        "sonar-pro": ModelRoute(model: "perplexity/sonar", preset: "low"),
        "sonar-reasoning-pro": ModelRoute(preset: "medium"),
        "sonar-deep-research": ModelRoute(preset: "high"),
    ]

    /// Client-facing id → chat-completions route (the id is passed through).
    public static let chat: [String: ModelRoute] = [
        "sonar": ModelRoute(),
        "sonar-pro": ModelRoute(),
        "sonar-reasoning-pro": ModelRoute(),
        "sonar-deep-research": ModelRoute(),
    ]

    /// The defaults for an upstream protocol.
    public static func routes(for api: UpstreamAPI) -> [String: ModelRoute] {
        switch api {
        case .agent: agent
        case .chat: chat
        }
    }
}
