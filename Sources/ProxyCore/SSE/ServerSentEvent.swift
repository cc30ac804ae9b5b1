/// One event of a `text/event-stream` body, as dispatched by `ServerSentEventParser`.
public struct ServerSentEvent: Sendable, Equatable {
    /// The `event:` field's value; nil when the event had none (or an empty one), i.e. a plain "message".
    public var name: String?
    /// The `data:` lines' values joined by LF.
    public var data: [UInt8]
    /// The stream byte offset just past the blank line that ended this event (the end of the stream for an
    /// event that `finish()` dispatched).
    public var endOffset: Int

    public init(name: String?, data: [UInt8], endOffset: Int) {
        self.name = name
        self.data = data
        self.endOffset = endOffset
    }

    /// Whether the data is exactly `[DONE]`, the OpenAI-style end-of-stream sentinel.
    public var isDoneSentinel: Bool {
        data.elementsEqual("[DONE]".utf8)
    }
}
