/// Writes Agent API stream events: `event: <type>` + `data: <sorted-key JSON>` + blank line (live capture),
/// numbering them with `sequence_number`s that leave gaps the way the real API does.
struct AgentEventWriter {
    /// How events are framed on the wire.
    enum Framing {
        /// `event: <type>\ndata: <json>\n\n`, as captured live.
        case namedEvents
        /// `data: <json>\n\n` only, as Perplexity's own migration notes describe.
        case dataOnly
        /// Named events with `\r\n` line endings.
        case namedEventsCRLF
    }

    var framing: Framing
    /// Extra numbers skipped after the n-th event (cycled), on top of the writer's explicit `skip()`s.
    var extraGaps: [Int] = []
    private var nextSequence = 0
    private var eventsWritten = 0

    init(framing: Framing, extraGaps: [Int] = []) {
        self.framing = framing
        self.extraGaps = extraGaps
    }

    /// One event: `fields` plus `type` and the next `sequence_number`.
    mutating func event(_ type: String, _ fields: WireJSON) -> [UInt8] {
        let payload = fields.setting("type", to: .string(type)).setting("sequence_number", to: .int(nextSequence))
        nextSequence += 1
        if !extraGaps.isEmpty { nextSequence += extraGaps[eventsWritten % extraGaps.count] }
        eventsWritten += 1
        return frame(name: type, data: payload.encoded(.goMap))
    }

    /// An event outside the numbering, such as the bare `error` event.
    func unsequencedEvent(_ type: String, _ fields: WireJSON) -> [UInt8] {
        frame(name: type, data: fields.setting("type", to: .string(type)).encoded(.goMap))
    }

    /// Leaves a hole in the numbering, as the real stream does (e.g. 1 → 3).
    mutating func skip() {
        nextSequence += 1
    }

    /// An SSE comment line such as `: ping`.
    func comment(_ text: String) -> [UInt8] {
        Array((": " + text + newline + newline).utf8)
    }

    /// A `data:` line with non-JSON text, such as a stray `[DONE]`.
    func rawData(_ text: String) -> [UInt8] {
        Array(("data: " + text + newline + newline).utf8)
    }

    private var newline: String {
        switch framing {
        case .namedEvents, .dataOnly: "\n"
        case .namedEventsCRLF: "\r\n"
        }
    }

    private func frame(name: String, data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        switch framing {
        case .namedEvents, .namedEventsCRLF: out.append(contentsOf: ("event: " + name + newline).utf8)
        case .dataOnly: break
        }
        out.append(contentsOf: "data: ".utf8)
        out.append(contentsOf: data)
        out.append(contentsOf: (newline + newline).utf8)
        return out
    }
}
