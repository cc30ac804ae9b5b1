/// How a scenario's response travels, independent of what it says.
enum Delivery {
    /// One write per frame, `eventDelayMs` apart.
    case normal
    /// Bytes cut into 1–7-byte writes with 1 ms pauses (events straddle reads).
    case fragmented
    /// 250 ms between events (between head and body, for a one-frame body).
    case slow
    /// The head and the first event, then silence with the connection open (for a body: the head only).
    case stall
    /// Cut off mid-body, then the connection drops.
    case drop
    /// No response at all: the connection stays open and silent.
    case silence

    static let slowPauseMs = 250

    /// The engine steps that deliver `response` this way.
    func steps(for response: ScriptedStream, eventDelayMs: Int) -> [MockStep] {
        switch self {
        case .normal:
            return response.steps(.steady(milliseconds: eventDelayMs))
        case .fragmented:
            return response.steps(.fragmented)
        case .slow:
            var steps = response.steps(.steady(milliseconds: Self.slowPauseMs))
            if response.frames.count == 1 { steps.insert(.pause(milliseconds: Self.slowPauseMs), at: 1) }
            return steps
        case .stall:
            return response.prefix(response.frames.count > 1 ? 1 : 0, then: .holdOpen).immediateSteps
        case .drop:
            return response.droppedMidway().steps(.steady(milliseconds: eventDelayMs))
        case .silence:
            return [.holdOpen]
        }
    }
}
