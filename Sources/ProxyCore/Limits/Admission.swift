/// A request admitted under the limits; handed back to `UsageLimiter.finish` when the request ends.
public struct Admission: Sendable {
    /// The caller's name (a member's, or "anonymous").
    public var caller: String
    /// The client-facing model id (its prompt sizes and costs are learned for later estimates).
    public var model: String
    /// Whether the request holds one of the caller's concurrent-stream slots.
    public var holdsStreamSlot: Bool
    /// Whether the request holds a reservation against the member's token budget.
    public var holdsTokenReservation: Bool
    /// Tokens reserved at admission.
    public var reservedTokens: Int64
    /// Whether a dollar budget (the member's or the proxy's) applied at admission: a request that got an answer but
    /// no usage is then charged its dollar reservation.
    public var holdsCostReservation: Bool
    /// Dollars reserved at admission (zero when no dollar budget applied).
    public var reservedCost: USDAmount
}

/// What admission needs to know about a request.
public struct AdmissionRequest: Sendable {
    /// Whether it is a stream (it then takes a concurrent-stream slot).
    public var stream: Bool
    /// The client-facing model id.
    public var model: String
    /// The request body's size, for the prompt estimate.
    public var bodyBytes: Int
    /// The output limit it runs under (`max_tokens`, or the model's `max_output_tokens`), if any.
    public var outputTokenLimit: Int?
    /// The route's `max_cost_usd`, if set.
    public var maxCost: USDAmount?

    /// Output tokens reserved for a request that sets no limit and whose model has no `max_output_tokens`.
    public static let defaultOutputReservation = 4_096
    /// Dollars reserved for a request to a model with no `max_cost_usd` and no recent request with a cost: $0.05,
    /// above what one search-backed answer of the non-research presets costs.
    public static let defaultCostReservation = USDAmount(nanos: 50_000_000)

    public init(stream: Bool, model: String, bodyBytes: Int, outputTokenLimit: Int?, maxCost: USDAmount? = nil) {
        self.stream = stream
        self.model = model
        self.bodyBytes = bodyBytes
        self.outputTokenLimit = outputTokenLimit
        self.maxCost = maxCost
    }

    /// The worst case this request may cost in tokens: a prompt estimate (a quarter of the body's bytes, or the
    /// largest prompt the member sent this model today, whichever is larger) plus its output limit. Each part is
    /// clamped (`TokenCount`), so a client's absurd `max_tokens` cannot overflow the sum.
    func tokenEstimate(largestPrompt: Int) -> Int {
        let prompt = TokenCount.clamped(max(bodyBytes / 4, largestPrompt))
        return prompt + TokenCount.clamped(outputTokenLimit ?? Self.defaultOutputReservation)
    }

    /// The worst case this request may cost in dollars: the route's `max_cost_usd`, else the most the model cost in
    /// its recent requests, else `defaultCostReservation`. Never zero.
    func costEstimate(learned: USDAmount?) -> USDAmount {
        maxCost ?? learned ?? Self.defaultCostReservation
    }
}

/// What a finished request was charged against the budgets.
public struct Charge: Sendable, Equatable {
    /// Tokens charged to the member's token budget.
    public var tokens: Int
    /// Dollars charged to the dollar budgets.
    public var cost: USDAmount
}
