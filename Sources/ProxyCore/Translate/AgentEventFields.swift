/// The members of an Agent API event read straight from its bytes, found in one pass over the object.
///
/// Enough to classify every event and to forward a text delta without parsing it into a tree.
struct AgentEventFields {
    var type: JSONSpan?
    var sequenceNumber: JSONSpan?
    var itemID: JSONSpan?
    var outputIndex: JSONSpan?
    var contentIndex: JSONSpan?
    var delta: JSONSpan?

    /// The fields of the event `json` holds; nil unless it is a JSON object (keep-alive text, `[DONE]`).
    init?(_ json: JSONScanner) {
        guard let root = json.root(), root.kind == .object else { return nil }
        _ = json.forEachMember(of: root) { key, value in
            if json.stringEquals(key, "type") {
                type = value
            } else if json.stringEquals(key, "delta") {
                delta = value
            } else if json.stringEquals(key, "item_id") {
                itemID = value
            } else if json.stringEquals(key, "output_index") {
                outputIndex = value
            } else if json.stringEquals(key, "content_index") {
                contentIndex = value
            } else if json.stringEquals(key, "sequence_number") {
                sequenceNumber = value
            }
            return true
        }
    }
}
