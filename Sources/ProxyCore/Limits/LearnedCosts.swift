/// The most each client-facing model cost in its recent requests: what a dollar budget reserves for a model whose
/// route sets no `max_cost_usd`.
///
/// A window of recent requests rather than an all-time maximum, so one outlier months ago does not keep every later
/// request from fitting; per model, because presets differ by orders of magnitude.
public struct LearnedCosts: Sendable, Equatable {
    /// Requests per model the maximum is taken over.
    static let window = 64
    private var recent: [String: [Int64]] = [:]

    public init() {}

    /// The largest cost among `model`'s recent requests; nil before any had a cost above zero.
    func largest(model: String) -> USDAmount? {
        guard let largest = recent[model]?.max(), largest > 0 else { return nil }
        return USDAmount(nanos: largest)
    }

    /// Records a request's real cost (newest last).
    mutating func observe(model: String, cost: USDAmount) {
        // In place: copying the window out and back would copy it on every request.
        if recent[model]?.count == Self.window { recent[model]?.removeFirst() }
        recent[model, default: []].append(max(0, cost.nanos))
    }

    /// Takes in what an earlier reading learned, oldest first, keeping the newest `window` per model.
    mutating func merge(olderThanThese older: LearnedCosts) {
        for (model, costs) in older.recent {
            recent[model] = Array((costs + recent[model, default: []]).suffix(Self.window))
        }
    }
}
