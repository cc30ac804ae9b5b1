/// The largest prompt each member has sent each client-facing model, in tokens: the Agent API counts the search
/// context it adds as input, which no request body shows, so a member's own recent prompts estimate the next.
///
/// Per member, so one member's huge prompt cannot make another's requests look too expensive to admit.
public struct LearnedPrompts: Sendable, Equatable {
    private var largest: [String: Int] = [:]

    public init() {}

    /// The largest prompt seen for `member` and `model` (0 when none).
    func largest(member: String, model: String) -> Int {
        largest[Self.key(member, model)] ?? 0
    }

    mutating func observe(member: String, model: String, promptTokens: Int) {
        let key = Self.key(member, model)
        let tokens = TokenCount.clamped(promptTokens)
        if tokens > largest[key, default: 0] { largest[key] = tokens }
    }

    mutating func merge(_ other: LearnedPrompts) {
        largest.merge(other.largest) { max($0, $1) }
    }

    private static func key(_ member: String, _ model: String) -> String {
        member + "\u{0}" + model
    }
}
