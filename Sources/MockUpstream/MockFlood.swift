/// The `flood` scenario's content: many large deltas, so a client that does not read makes the proxy's upstream
/// side block (tests that backpressure bounds memory and loses nothing).
public enum MockFlood {
    /// Number of content events.
    public static let events = 2_000
    /// Bytes of content in each event.
    public static let contentBytesPerEvent = 4_000
    /// Total content bytes a client must receive.
    public static var totalContentBytes: Int { events * contentBytesPerEvent }

    static var deltas: [String] {
        let filler = String(repeating: "x", count: contentBytesPerEvent - 8)
        return (0..<events).map { i in
            let label = String(i)
            return String(repeating: "0", count: 8 - label.count) + label + filler
        }
    }
}
