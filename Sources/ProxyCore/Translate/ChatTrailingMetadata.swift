/// The trailing metadata of a chat stream, collected event by event for the one finish chunk.
///
/// Perplexity repeats `citations`, `search_results` and a cumulative `usage` on many chunks, and the last values
/// are the complete ones; an empty array later on (concise mode's content chunks) must not wipe out a list already
/// seen. Values are kept as raw JSON and copied into reused buffers, so collecting costs no allocation once the
/// buffers have grown.
struct ChatTrailingMetadata {
    /// The last non-empty `citations` array (empty bytes: none seen).
    private(set) var citations: [UInt8] = []
    /// The last non-empty `search_results` array.
    private(set) var searchResults: [UInt8] = []
    /// The last `usage` object.
    private(set) var usage: [UInt8] = []
    private var images: [UInt8] = []
    private var relatedQuestions: [UInt8] = []
    private var videos: [UInt8] = []

    /// Takes this event's values where it has them.
    mutating func collect(_ fields: ChatEventFields, from json: JSONScanner) {
        Self.keepNonEmptyArray(fields.citations, from: json, in: &citations)
        Self.keepNonEmptyArray(fields.searchResults, from: json, in: &searchResults)
        Self.keepNonEmptyArray(fields.images, from: json, in: &images)
        Self.keepNonEmptyArray(fields.relatedQuestions, from: json, in: &relatedQuestions)
        Self.keepNonEmptyArray(fields.videos, from: json, in: &videos)
        if let span = fields.usage, span.kind == .object {
            Self.replace(&usage, with: json.rawBytes(span))
        }
    }

    /// The `citations` for the finish chunk: the upstream's own, or, when it sent none (concise mode carries only
    /// `search_results`), the search results' URLs in order, so apps reading `chunk.citations` still get sources.
    var finalCitations: [UInt8] {
        guard citations.isEmpty, !searchResults.isEmpty, let results = (try? JSONValue.parse(searchResults))?.arrayValue else {
            return citations
        }
        let urls = results.compactMap { $0["url"]?.stringValue }
        return urls.isEmpty ? citations : JSONValue.array(urls.map { .string($0) }).serialized
    }

    /// The optional top-level lists that were seen, in a fixed order, for `ChatChunkEncoder.appendFinish`.
    var extras: [(key: String, rawJSON: [UInt8])] {
        var extras: [(key: String, rawJSON: [UInt8])] = []
        if !images.isEmpty { extras.append((key: "images", rawJSON: images)) }
        if !relatedQuestions.isEmpty { extras.append((key: "related_questions", rawJSON: relatedQuestions)) }
        if !videos.isEmpty { extras.append((key: "videos", rawJSON: videos)) }
        return extras
    }

    private static func keepNonEmptyArray(_ span: JSONSpan?, from json: JSONScanner, in storage: inout [UInt8]) {
        guard let span, span.kind == .array, json.element(0, of: span) != nil else { return }
        replace(&storage, with: json.rawBytes(span))
    }

    private static func replace(_ storage: inout [UInt8], with bytes: UnsafeRawBufferPointer) {
        storage.removeAll(keepingCapacity: true)
        storage.append(contentsOf: bytes)
    }
}
