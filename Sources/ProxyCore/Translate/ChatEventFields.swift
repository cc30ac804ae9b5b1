/// The top-level members of one upstream chat-completions event that the proxy reads, found in a single pass
/// over the event's JSON (each `JSONScanner.member` lookup would walk the object again).
struct ChatEventFields {
    var id: JSONSpan?
    var created: JSONSpan?
    var object: JSONSpan?
    var choices: JSONSpan?
    var usage: JSONSpan?
    var citations: JSONSpan?
    var searchResults: JSONSpan?
    var images: JSONSpan?
    var relatedQuestions: JSONSpan?
    var videos: JSONSpan?
    var error: JSONSpan?

    /// Reads the document's root object; nil unless the buffer is exactly one well-formed JSON object.
    init?(_ json: JSONScanner) {
        guard let root = json.root(), root.kind == .object else { return nil }
        var fields = ChatEventFields()
        let wellFormed = json.forEachMember(of: root) { key, value in
            // Duplicate keys: the last one wins, as in `JSONValue` and `JSONScanner.member`.
            if json.stringEquals(key, "choices") {
                fields.choices = value
            } else if json.stringEquals(key, "object") {
                fields.object = value
            } else if json.stringEquals(key, "usage") {
                fields.usage = value
            } else if json.stringEquals(key, "citations") {
                fields.citations = value
            } else if json.stringEquals(key, "search_results") {
                fields.searchResults = value
            } else if json.stringEquals(key, "id") {
                fields.id = value
            } else if json.stringEquals(key, "created") {
                fields.created = value
            } else if json.stringEquals(key, "images") {
                fields.images = value
            } else if json.stringEquals(key, "related_questions") {
                fields.relatedQuestions = value
            } else if json.stringEquals(key, "videos") {
                fields.videos = value
            } else if json.stringEquals(key, "error") {
                fields.error = value
            }
            return true
        }
        guard wellFormed else { return nil }
        self = fields
    }

    private init() {}

    /// `choices[0]`, the only choice a Perplexity stream has.
    func firstChoice(_ json: JSONScanner) -> JSONSpan? {
        json.element(0, of: choices)
    }

    /// `choices[0].delta.content` when it is a non-empty string: the span of its JSON literal, quotes included.
    func deltaContent(_ json: JSONScanner) -> JSONSpan? {
        guard let content = json.member("content", of: json.member("delta", of: firstChoice(json))),
            content.kind == .string, !json.isEmptyString(content)
        else { return nil }
        return content
    }
}
