/// Rewrites the Agent API's event stream into the event sequence the OpenAI SDKs' Responses stream accumulators
/// (`client.responses.stream()`) accept, for `stream.responses_events: "openai"` on the `/v1/responses` pass-through.
///
/// Perplexity's events differ from OpenAI's in three ways that break those accumulators (perplexity-agent-api.md
/// §5.4–5.5), and this changes exactly those:
/// - a message is announced with `content: null`: sent as `content: []`;
/// - text deltas come without `response.content_part.added` (and `.done`): each content part gets its `added`
///   before its first delta (or its `output_text.done`) and its `done` after `output_text.done`;
/// - Perplexity's own search or fetch call is announced as a `function_call` item and finished as a
///   `search_results` / `fetch_url_results` item at the same index: it is announced as the item it will become.
///
/// Everything else, the terminal events and their `response` objects included, passes unchanged, after the
/// relay underneath (`PassthroughRelay`) has seen it for the usage ledger, the terminal and the run id. Events
/// added by the rewrite reuse the sequence number of the event they accompany.
public struct ResponsesEventNormalizer: StreamTranslator {
    private var relay = PassthroughRelay(wire: .agent)
    private var parser = ServerSentEventParser()
    /// Content parts (output index, content index) announced so far.
    private var openedParts: Set<[Int]> = []
    private var relayed: [UInt8] = []

    public init() {}

    public var chunksEmitted: Int { relay.chunksEmitted }
    public var usage: StreamUsage? { relay.usage }
    public var upstreamResponseID: String? { relay.upstreamResponseID }
    public var failure: OpenAIError? { relay.failure }

    public mutating func consume(_ bytes: UnsafeRawBufferPointer, into output: inout [UInt8]) -> StreamStep {
        relayed.removeAll(keepingCapacity: true)
        let step = relay.consume(bytes, into: &relayed)
        rewrite(into: &output)
        return step
    }

    public mutating func upstreamEnded(into output: inout [UInt8]) {
        relayed.removeAll(keepingCapacity: true)
        relay.upstreamEnded(into: &relayed)
        rewrite(into: &output, ending: true)
    }

    public mutating func upstreamFailed(_ error: OpenAIError, into output: inout [UInt8]) {
        relayed.removeAll(keepingCapacity: true)
        relay.upstreamFailed(error, into: &relayed)
        rewrite(into: &output, ending: true)
    }

    /// Rewrites the whole events the relay released.
    private mutating func rewrite(into output: inout [UInt8], ending: Bool = false) {
        relayed.withUnsafeBytes { parser.append($0) }
        while let event = parser.next() {
            rewrite(event, into: &output)
        }
        if ending {
            while let event = parser.finish() {
                rewrite(event, into: &output)
            }
        }
    }

    private mutating func rewrite(_ event: ServerSentEvent, into output: inout [UInt8]) {
        guard case .object(var members)? = try? JSONValue.parse(event.data), let type = members["type"]?.stringValue else {
            return Self.append(event, into: &output)
        }
        let position = [members["output_index"]?.intValue ?? 0, members["content_index"]?.intValue ?? 0]
        switch type {
        case "response.output_item.added":
            if let item = members["item"], let announced = Self.announced(item) {
                members["item"] = announced
                return Self.append(.object(members), named: event.name != nil, into: &output)
            }
        case "response.output_text.delta":
            openPart(position, like: members, named: event.name != nil, into: &output)
        case "response.output_text.done":
            openPart(position, like: members, named: event.name != nil, into: &output)
            Self.append(event, into: &output)
            var done = Self.partEvent("response.content_part.done", like: members)
            done["part"] = Self.textPart(members["text"]?.stringValue ?? "")
            return Self.append(.object(done), named: event.name != nil, into: &output)
        default:
            break
        }
        Self.append(event, into: &output)
    }

    /// Announces a content part before its first text.
    private mutating func openPart(
        _ position: [Int], like members: [String: JSONValue], named: Bool, into output: inout [UInt8]
    ) {
        guard openedParts.insert(position).inserted else { return }
        var added = Self.partEvent("response.content_part.added", like: members)
        added["part"] = Self.textPart("")
        Self.append(.object(added), named: named, into: &output)
    }

    /// The item an `output_item.added` should have announced, or nil to keep it.
    private static func announced(_ item: JSONValue) -> JSONValue? {
        switch item["type"]?.stringValue {
        case "message":
            guard item["content"] == nil || item["content"] == .null, case .object(var message) = item else { return nil }
            message["content"] = .array([])
            return .object(message)
        case "function_call":
            let arguments = item["arguments"]?.stringValue.flatMap { try? JSONValue.parse(Array($0.utf8)) }
            switch item["name"]?.stringValue {
            case "search_web"?:
                return .object([
                    "type": .string("search_results"), "queries": arguments?["queries"] ?? .array([]), "results": .array([]),
                ])
            case "fetch_url"?:
                return .object(["type": .string("fetch_url_results"), "contents": .array([])])
            default:
                return nil
            }
        default:
            return nil
        }
    }

    /// A `content_part` event for the part `members` (a text event) belongs to.
    private static func partEvent(_ type: String, like members: [String: JSONValue]) -> [String: JSONValue] {
        var event: [String: JSONValue] = ["type": .string(type)]
        for key in ["item_id", "output_index", "content_index", "sequence_number"] {
            if let value = members[key], !value.isNull { event[key] = value }
        }
        if event["content_index"] == nil { event["content_index"] = .number("0") }
        return event
    }

    private static func textPart(_ text: String) -> JSONValue {
        .object(["type": .string("output_text"), "text": .string(text), "annotations": .array([])])
    }

    /// Appends an event as it came (one `data:` line per line of its data).
    private static func append(_ event: ServerSentEvent, into output: inout [UInt8]) {
        if let name = event.name {
            output.append(contentsOf: "event: \(name)\n".utf8)
        }
        for line in event.data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            output.append(contentsOf: "data: ".utf8)
            output.append(contentsOf: line)
            output.append(UInt8(ascii: "\n"))
        }
        output.append(UInt8(ascii: "\n"))
    }

    /// Appends a rewritten or added event; with an `event:` line naming its type when the upstream names events.
    private static func append(_ value: JSONValue, named: Bool, into output: inout [UInt8]) {
        if named, let type = value["type"]?.stringValue {
            output.append(contentsOf: "event: \(type)\n".utf8)
        }
        output.append(contentsOf: "data: ".utf8)
        output.append(contentsOf: value.serialized)
        output.append(contentsOf: "\n\n".utf8)
    }
}
