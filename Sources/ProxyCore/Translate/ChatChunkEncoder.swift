/// Builds the `chat.completion.chunk` SSE frames of one client stream by appending bytes.
///
/// `id`, `created` and `model` are fixed for the whole stream (CONTRACT "Streams to clients" rule 1), so the frame
/// prefix up to `"choices":[` is rendered once and copied into every frame. The encoder also enforces rule 2: the
/// first chunk it writes carries `"role":"assistant"` and no later one does.
public struct ChatChunkEncoder: Sendable {
    /// `data: {"id":…,"object":"chat.completion.chunk","created":…,"model":…,"choices":[`
    private let prefix: [UInt8]
    private var roleSent = false
    /// Top-level members (`,"citations":[…],"search_results":[…]`) every content and tool-call chunk carries in
    /// Sonar's stream shape; empty otherwise.
    public var chunkMetadata: [UInt8] = []
    /// Content chunks written so far (the role-only chunk is not counted).
    public private(set) var contentChunks = 0

    private static let deltaOpen: [UInt8] = Array(#"{"index":0,"delta":{"#.utf8)
    private static let roleMember: [UInt8] = Array(#""role":"assistant","#.utf8)
    private static let contentKey: [UInt8] = Array(#""content":"#.utf8)
    private static let chunkClose: [UInt8] = Array(#"},"finish_reason":null}]}"#.utf8)
    private static let emptyContent: [UInt8] = Array(#""""#.utf8)
    private static let frameEnd: [UInt8] = Array("\n\n".utf8)

    /// Creates the encoder for a stream whose chunks all carry this `id`, `created` and client-facing `model`.
    public init(id: String, created: Int, model: String) {
        var prefix: [UInt8] = Array(#"data: {"id":"#.utf8)
        JSONEscaping.appendQuoted(id, to: &prefix)
        prefix.append(contentsOf: #","object":"chat.completion.chunk","created":"#.utf8)
        prefix.append(contentsOf: String(created).utf8)
        prefix.append(contentsOf: #","model":"#.utf8)
        JSONEscaping.appendQuoted(model, to: &prefix)
        prefix.append(contentsOf: #","choices":["#.utf8)
        self.prefix = prefix
    }

    /// Appends a content chunk whose `delta.content` is `jsonStringLiteral`: an already-escaped JSON string,
    /// quotes included, copied verbatim (the upstream's own literal, so no decode/re-encode on the hot path).
    public mutating func appendContent(jsonStringLiteral: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        openDelta(into: &out)
        out.append(contentsOf: jsonStringLiteral)
        closeChunk(into: &out)
        contentChunks += 1
    }

    /// Appends a content chunk for `text`, escaping it.
    public mutating func appendContent(_ text: String, into out: inout [UInt8]) {
        openDelta(into: &out)
        JSONEscaping.appendQuoted(text, to: &out)
        closeChunk(into: &out)
        contentChunks += 1
    }

    /// Appends a chunk carrying one whole tool call, `delta.tool_calls[0]` with the call's position among this
    /// answer's calls (`index`), its id, and the function's name and arguments (a JSON text, sent as a string).
    public mutating func appendToolCall(_ call: ClientToolCall, index: Int, into out: inout [UInt8]) {
        out.append(contentsOf: prefix)
        out.append(contentsOf: Self.deltaOpen)
        if !roleSent {
            out.append(contentsOf: Self.roleMember)
            roleSent = true
        }
        out.append(contentsOf: #""tool_calls":["#.utf8)
        call.appendJSON(index: index, to: &out)
        out.append(UInt8(ascii: "]"))
        closeChunk(into: &out)
    }

    /// Appends the role-only chunk `{"role":"assistant","content":""}` if nothing has been written yet, so a
    /// stream that ends before any content still opens with the role.
    public mutating func appendRoleIfNeeded(into out: inout [UInt8]) {
        guard !roleSent else { return }
        openDelta(into: &out)
        out.append(contentsOf: Self.emptyContent)
        closeChunk(into: &out)
    }

    /// Appends the one finish chunk: `"delta":{}`, the `finish_reason`, then the top-level trailing metadata.
    ///
    /// `citations` and `searchResults` are raw JSON arrays (empty bytes are written as `[]`); `usage` is a raw JSON
    /// object and is omitted when nil; each extra (e.g. `images`, `related_questions`) is a raw JSON value. Writes
    /// the role-only chunk first when no chunk has been written yet.
    public mutating func appendFinish(
        reason: String, citations: [UInt8], searchResults: [UInt8], usage: [UInt8]?,
        extras: [(key: String, rawJSON: [UInt8])], into out: inout [UInt8]
    ) {
        appendRoleIfNeeded(into: &out)
        out.append(contentsOf: prefix)
        out.append(contentsOf: #"{"index":0,"delta":{},"finish_reason":"#.utf8)
        JSONEscaping.appendQuoted(reason, to: &out)
        out.append(contentsOf: #"}],"citations":"#.utf8)
        Self.appendArray(citations, to: &out)
        out.append(contentsOf: #","search_results":"#.utf8)
        Self.appendArray(searchResults, to: &out)
        if let usage {
            out.append(contentsOf: #","usage":"#.utf8)
            out.append(contentsOf: usage)
        }
        for extra in extras {
            out.append(UInt8(ascii: ","))
            JSONEscaping.appendQuoted(extra.key, to: &out)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: extra.rawJSON)
        }
        out.append(UInt8(ascii: "}"))
        out.append(contentsOf: Self.frameEnd)
    }

    /// Appends the `stream_options.include_usage` chunk: `"choices":[]` and the raw JSON `usage` object.
    public func appendUsageChunk(usage: [UInt8], into out: inout [UInt8]) {
        out.append(contentsOf: prefix)
        out.append(contentsOf: #"],"usage":"#.utf8)
        out.append(contentsOf: usage)
        out.append(UInt8(ascii: "}"))
        out.append(contentsOf: Self.frameEnd)
    }

    /// Appends `data: [DONE]\n\n`, the frame that ends every successful client stream.
    public static func appendDone(into out: inout [UInt8]) {
        out.append(contentsOf: "data: [DONE]\n\n".utf8)
    }

    /// Writes everything up to the content value: prefix, delta opening and, on the first chunk, the role.
    private mutating func openDelta(into out: inout [UInt8]) {
        out.append(contentsOf: prefix)
        out.append(contentsOf: Self.deltaOpen)
        if !roleSent {
            out.append(contentsOf: Self.roleMember)
            roleSent = true
        }
        out.append(contentsOf: Self.contentKey)
    }

    private func closeChunk(into out: inout [UInt8]) {
        if chunkMetadata.isEmpty {
            out.append(contentsOf: Self.chunkClose)
        } else {
            out.append(contentsOf: Self.chunkClose.dropLast())
            out.append(contentsOf: chunkMetadata)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: Self.frameEnd)
    }

    /// The `chunkMetadata` bytes for these raw JSON arrays (empty bytes are written as `[]`).
    public static func sonarMetadata(citations: [UInt8], searchResults: [UInt8]) -> [UInt8] {
        var out: [UInt8] = Array(#","citations":"#.utf8)
        appendArray(citations, to: &out)
        out.append(contentsOf: #","search_results":"#.utf8)
        appendArray(searchResults, to: &out)
        return out
    }

    private static func appendArray(_ raw: [UInt8], to out: inout [UInt8]) {
        if raw.isEmpty {
            out.append(contentsOf: "[]".utf8)
        } else {
            out.append(contentsOf: raw)
        }
    }
}
