/// A response as head, body frames and a final step, before pacing turns it into `MockStep`s.
///
/// Scenarios describe *what* upstream says as frames (one SSE event each, or one whole JSON body); the
/// delivery scenarios (split, slow, stall, drop) then reshape *how* it arrives without knowing the content.
struct ScriptedStream {
    var status: Int
    var headers: [MockHeader]
    /// Body pieces; for a stream, one SSE event (or comment) each.
    var frames: [[UInt8]]
    /// `.end`, `.holdOpen` or `.drop`.
    var ending: MockStep

    /// How frames are written.
    enum Pacing {
        /// One write per frame with this pause between frames (0 = none).
        case steady(milliseconds: Int)
        /// All bytes cut into writes of 1–7 bytes with 1 ms between them, so events straddle reads.
        case fragmented
    }

    /// Piece sizes for `.fragmented`, cycled: every size from 1 to 7, in an order that moves cut points around.
    private static let fragmentSizes = [3, 1, 7, 2, 5, 4, 6]

    /// The engine steps for this response.
    func steps(_ pacing: Pacing) -> [MockStep] {
        var steps: [MockStep] = [.head(status: status, headers: headers)]
        switch pacing {
        case .steady(let milliseconds):
            for (position, frame) in frames.enumerated() {
                if position > 0 && milliseconds > 0 { steps.append(.pause(milliseconds: milliseconds)) }
                steps.append(.send(frame))
            }
        case .fragmented:
            let bytes = frames.flatMap { $0 }
            var start = 0
            var piece = 0
            while start < bytes.count {
                if start > 0 { steps.append(.pause(milliseconds: 1)) }
                let end = min(start + Self.fragmentSizes[piece % Self.fragmentSizes.count], bytes.count)
                steps.append(.send(Array(bytes[start..<end])))
                start = end
                piece += 1
            }
        }
        steps.append(ending)
        return steps
    }

    /// The engine steps with no pauses: for errors and other one-shot answers.
    var immediateSteps: [MockStep] {
        steps(.steady(milliseconds: 0))
    }

    /// The first `count` frames, then `ending`: a stream that stalls or breaks after a good start.
    func prefix(_ count: Int, then ending: MockStep) -> ScriptedStream {
        ScriptedStream(status: status, headers: headers, frames: Array(frames.prefix(count)), ending: ending)
    }

    /// Cut off mid-body, then the connection drops: after two events of a stream, or halfway through a
    /// one-frame JSON body (whose Content-Length then promises more than arrives).
    func droppedMidway() -> ScriptedStream {
        guard frames.count == 1, let body = frames.first else { return prefix(2, then: .drop) }
        return ScriptedStream(status: status, headers: headers, frames: [Array(body.prefix(body.count / 2))], ending: .drop)
    }
}
