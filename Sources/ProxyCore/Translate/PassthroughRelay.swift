/// Relays a chat-completions upstream stream unchanged (`stream.metadata = "passthrough"`), released event by
/// event: bytes are held only while the event they belong to is incomplete, so the client never sees half an
/// event and every event reaches it in the same turn its last byte arrived.
///
/// The events are also scanned (not altered) for the usage ledger and the chunk counter.
public struct PassthroughRelay: StreamTranslator {
    private var parser = ServerSentEventParser()
    /// Received bytes not yet released: everything after the end of the last complete event.
    private var held: [UInt8] = []
    /// Stream offset of `held[0]`.
    private var heldOffset = 0
    /// The last `usage` object seen.
    private var lastUsage: [UInt8] = []
    private var finished = false

    /// Events carrying non-empty `delta.content` relayed so far.
    public private(set) var chunksEmitted = 0

    /// A relay for one upstream response body.
    public init() {}

    /// The last cumulative usage the upstream reported.
    public var usage: StreamUsage? {
        guard !lastUsage.isEmpty else { return nil }
        return lastUsage.withUnsafeBytes { StreamUsage(chatUsageJSON: $0) }
    }

    /// Always nil: a chat-completions upstream has no run to cancel.
    public var upstreamResponseID: String? { nil }

    /// Feeds upstream bytes; appends the bytes of every event they complete. Finishes after `data: [DONE]`.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer, into output: inout [UInt8]) -> StreamStep {
        guard !finished else { return .finished }
        held.append(contentsOf: bytes)
        parser.append(bytes)
        while !finished, let event = parser.next() {
            release(upTo: event.endOffset, into: &output)
            inspect(event)
        }
        if !finished, parser.overflowed {
            upstreamFailed(
                OpenAIError(
                    status: 502, type: "upstream_error", code: "upstream_stream_error",
                    message: "The upstream sent an event larger than \(parser.maxEventBytes) bytes."),
                into: &output)
        }
        return finished ? .finished : .more
    }

    /// EOF: releases whatever is still held, even an event left without its blank line; adds nothing.
    public mutating func upstreamEnded(into output: inout [UInt8]) {
        guard !finished else { return }
        while let event = parser.finish() {
            inspect(event)
        }
        finished = true
        output.append(contentsOf: held)
        held = []
    }

    /// Drops the held partial event (it would corrupt the frame that follows) and appends `error`'s frame.
    public mutating func upstreamFailed(_ error: OpenAIError, into output: inout [UInt8]) {
        guard !finished else { return }
        finished = true
        held = []
        output.append(contentsOf: error.sseFrame)
    }

    private mutating func release(upTo endOffset: Int, into output: inout [UInt8]) {
        let count = endOffset - heldOffset
        output.append(contentsOf: held[0..<count])
        held.removeFirst(count)
        heldOffset = endOffset
    }

    private mutating func inspect(_ event: ServerSentEvent) {
        if event.isDoneSentinel {
            finished = true
            return
        }
        event.data.withUnsafeBytes { raw in
            let json = JSONScanner(raw)
            guard let fields = ChatEventFields(json) else { return }
            if let usage = fields.usage, usage.kind == .object {
                lastUsage.removeAll(keepingCapacity: true)
                lastUsage.append(contentsOf: json.rawBytes(usage))
            }
            if fields.deltaContent(json) != nil {
                chunksEmitted += 1
            }
        }
    }
}
