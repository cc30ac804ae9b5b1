/// A request admitted under a member's limits; handed back to `MemberLimiter.finish` when the request ends.
public struct MemberAdmission: Sendable {
    /// The member's name.
    public var member: String
    /// The client-facing model id (its prompt sizes are learned for later estimates).
    public var model: String
    /// Whether the request holds one of the member's concurrent-stream slots.
    public var holdsStreamSlot: Bool
    /// Whether the request holds a reservation against the member's token budget.
    public var holdsTokenReservation: Bool
    /// Tokens reserved at admission.
    public var reservedTokens: Int64
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

    /// Output tokens reserved for a request that sets no limit and whose model has no `max_output_tokens`.
    public static let defaultOutputReservation = 4_096

    public init(stream: Bool, model: String, bodyBytes: Int, outputTokenLimit: Int?) {
        self.stream = stream
        self.model = model
        self.bodyBytes = bodyBytes
        self.outputTokenLimit = outputTokenLimit
    }

    /// The worst case this request may cost in tokens: a prompt estimate (a quarter of the body's bytes, or the
    /// largest prompt the member sent this model today, whichever is larger) plus its output limit. Each part is
    /// clamped (`TokenCount`), so a client's absurd `max_tokens` cannot overflow the sum.
    func tokenEstimate(largestPrompt: Int) -> Int {
        let prompt = TokenCount.clamped(max(bodyBytes / 4, largestPrompt))
        return prompt + TokenCount.clamped(outputTokenLimit ?? Self.defaultOutputReservation)
    }
}
