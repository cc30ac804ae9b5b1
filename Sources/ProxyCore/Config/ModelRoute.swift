/// How one client-facing model id (what the client puts in `"model"`) is served upstream.
///
/// In agent mode the fields become the Agent API request's `model`, `preset`, `tools`, `tool_choice`,
/// `instructions` and `max_steps`; at least `model` or `preset` must be set. In chat mode only `model` is used:
/// it is the id sent upstream, and the client's id is sent when it is nil.
public struct ModelRoute: Sendable, Equatable {
    /// Agent API `provider/model` (e.g. `perplexity/sonar`), or the upstream model id in chat mode.
    public var model: String?
    /// Agent API preset; fields set beside it override the preset's own.
    public var preset: String?
    /// Agent API tool objects, each with a string `"type"`; sent as they are.
    public var tools: [JSONValue]?
    /// Agent API `tool_choice`: `"none"`, `"auto"`, `"required"` or an object such as `{"type":"web_search"}`.
    public var toolChoice: JSONValue?
    /// System prompt; with a preset it replaces the preset's prompt.
    public var instructions: String?
    /// Agent API `max_steps` (1...100).
    public var maxSteps: Int?
    /// The most output tokens one request to this id may produce: sent upstream when the client sets no
    /// `max_tokens`, a lower limit for clients that ask for more, and what token budgets reserve.
    public var maxOutputTokens: Int?
    /// The most one request to this id may cost (`max_cost_usd`): what dollar budgets reserve for it. Without it
    /// they reserve the most this id cost in its recent requests, or `AdmissionRequest.defaultCostReservation`.
    public var maxCostUSD: USDAmount?
    /// `owned_by` reported for this id by `GET /v1/models`.
    public var ownedBy: String

    public init(
        model: String? = nil, preset: String? = nil, tools: [JSONValue]? = nil, toolChoice: JSONValue? = nil,
        instructions: String? = nil, maxSteps: Int? = nil, maxOutputTokens: Int? = nil, maxCostUSD: USDAmount? = nil,
        ownedBy: String = "perplexity"
    ) {
        self.model = model
        self.preset = preset
        self.tools = tools
        self.toolChoice = toolChoice
        self.instructions = instructions
        self.maxSteps = maxSteps
        self.maxOutputTokens = maxOutputTokens
        self.maxCostUSD = maxCostUSD
        self.ownedBy = ownedBy
    }

    /// Presets the Agent API accepts: the six current ones, then the legacy names it still maps onto the first four.
    /// Any of them may be pinned to a version, as `effort` allows (`fast@2026-10-16.0`).
    public static let presets = [
        "fast", "low", "medium", "high", "xhigh", "wide-research",
        "fast-search", "pro-search", "deep-research", "advanced-deep-research",
    ]

    /// Whether `name` is a preset, bare or pinned to a version (`fast@2026-10-16.0`).
    public static func isPreset(_ name: String) -> Bool {
        let parts = name.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        return presets.contains(String(parts[0])) && (parts.count == 1 || !parts[1].isEmpty)
    }

    /// String forms of `tool_choice`.
    public static let toolChoiceModes = ["none", "auto", "required"]

    /// Allowed range of `max_steps`.
    public static let maxStepsRange = 1...100
}
