#if canImport(Glibc)
    import Glibc
#endif

/// Remembers the text already sent for each message content part of an Agent API run, so the full-text copies
/// that follow the deltas add only what the deltas missed.
///
/// The Agent API repeats a part's whole text after its deltas, in `response.output_text.done`, in
/// `response.output_item.done` and in the terminal response (perplexity-agent-api.md §5.1): forwarding a copy
/// shows the answer twice, ignoring the copies loses text no delta carried (§5.2). Each part is tracked on its
/// own because one run can write several messages.
///
/// A part is identified by its message item id and `content_index`; when an event lacks the id (null fields
/// occur, §5.4) the item's `output_index` stands in for it.
struct AgentTextTracker {
    private struct Part {
        /// The message item id (UTF-8), when known.
        var itemID: [UInt8]?
        var outputIndex: Int?
        var contentIndex: Int
        /// What was sent, kept as it went out: the bodies of the JSON string literals, concatenated. Joining
        /// literal bodies yields the body of the joined text's literal, so deltas are recorded without decoding.
        var escapedText: [UInt8] = []

        /// Whether an event's (id, output index, content index) names this part: ids decide when both sides have
        /// one, else output indexes do when both have one, else the content index alone. `idIsEscaped` says
        /// whether `id` is a literal's body (escapes undecoded) or plain UTF-8.
        func matches(_ id: UnsafeRawBufferPointer?, idIsEscaped: Bool, _ outputIndex: Int?, _ contentIndex: Int) -> Bool {
            guard self.contentIndex == contentIndex else { return false }
            if let itemID, let id {
                // Checked on every delta: compare the bytes directly first (ids rarely hold escapes).
                let same =
                    id.count == itemID.count
                    && (id.isEmpty || itemID.withUnsafeBytes { memcmp($0.baseAddress!, id.baseAddress!, id.count) == 0 })
                if same { return true }
                guard idIsEscaped, id.contains(UInt8(ascii: "\\")) else { return false }
                return Array(JSONStringSyntax.decode(id, hasEscapes: true).utf8) == itemID
            }
            if let known = self.outputIndex, let outputIndex { return known == outputIndex }
            return true
        }
    }

    private var parts: [Part] = []

    /// Records that a delta's JSON string literal (quotes included) was sent for a part; `itemIDLiteral` is the
    /// raw `item_id` string literal. No decoding and, once the buffers have grown, no allocation.
    mutating func recordDelta(
        itemIDLiteral: UnsafeRawBufferPointer?, outputIndex: Int?, contentIndex: Int,
        textLiteral: UnsafeRawBufferPointer
    ) {
        let idBody = itemIDLiteral.map { UnsafeRawBufferPointer(rebasing: $0[1..<($0.count - 1)]) }
        let position: Int
        if let found = parts.lastIndex(where: { $0.matches(idBody, idIsEscaped: true, outputIndex, contentIndex) }) {
            position = found
        } else {
            let itemID = idBody.map {
                Array(JSONStringSyntax.decode($0, hasEscapes: $0.contains(UInt8(ascii: "\\"))).utf8)
            }
            parts.append(Part(itemID: itemID, outputIndex: outputIndex, contentIndex: contentIndex))
            position = parts.count - 1
        }
        parts[position].escapedText.append(contentsOf: textLiteral[1..<(textLiteral.count - 1)])
    }

    /// The text of a part's full copy that has not been sent yet, recorded as sent now.
    ///
    /// - Nothing sent for the part: all of `finalText`.
    /// - What was sent is a prefix of `finalText`: the missing suffix.
    /// - Otherwise (the deltas and the copy disagree): nil, since sending either again would duplicate text.
    /// Returns nil too when nothing is missing.
    mutating func missingText(itemID: String?, outputIndex: Int?, contentIndex: Int, finalText: String) -> String? {
        let idBytes = itemID.map { Array($0.utf8) }
        let found = idBytes.withOptionalUnsafeBytes { idBody in
            parts.lastIndex { $0.matches(idBody, idIsEscaped: false, outputIndex, contentIndex) }
        }
        guard let position = found else {
            var part = Part(itemID: idBytes, outputIndex: outputIndex, contentIndex: contentIndex)
            JSONEscaping.appendEscaped(finalText.utf8, to: &part.escapedText)
            parts.append(part)
            return finalText.isEmpty ? nil : finalText
        }
        let sent = parts[position].escapedText.withUnsafeBytes {
            JSONStringSyntax.decode($0, hasEscapes: $0.contains(UInt8(ascii: "\\")))
        }
        guard finalText.utf8.starts(with: sent.utf8), finalText.utf8.count > sent.utf8.count else { return nil }
        // Both texts are whole UTF-8, so a prefix ends on a scalar boundary and the suffix decodes cleanly.
        let suffix = finalText.utf8.dropFirst(sent.utf8.count)
        JSONEscaping.appendEscaped(suffix, to: &parts[position].escapedText)
        return String(decoding: suffix, as: UTF8.self)
    }
}

extension Optional where Wrapped == [UInt8] {
    /// Calls `body` with the bytes when there are some, with nil otherwise.
    fileprivate func withOptionalUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer?) -> Result) -> Result {
        switch self {
        case .some(let bytes): bytes.withUnsafeBytes { body($0) }
        case .none: body(nil)
        }
    }
}
