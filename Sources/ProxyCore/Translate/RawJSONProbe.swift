import CPosixShims

/// Byte searches that answer two questions about one chat event without scanning its JSON: does it carry a
/// `usage` object, and does its delta carry text. Passthrough relays only need these, per event, on the hot path.
///
/// A key in JSON is a quoted string, and inside string values every quote is escaped, so a quoted key pattern
/// (`"usage"`) can only match a real key. Whitespace after the colon is allowed (Python-style separators).
enum RawJSONProbe {
    /// Whether `key` (quoted, e.g. `"usage"`) occurs and its value starts with `{`.
    static func memberStartsObject(_ key: StaticString, in raw: UnsafeRawBufferPointer) -> Bool {
        guard let valueStart = valueStart(after: key, in: raw, from: 0) else { return false }
        return raw[valueStart] == UInt8(ascii: "{")
    }

    /// Whether the first `"content"` after `"delta"` is a non-empty string.
    static func deltaHasContent(_ raw: UnsafeRawBufferPointer) -> Bool {
        guard let delta = find("\"delta\"", in: raw, from: 0),
            let valueStart = valueStart(after: "\"content\"", in: raw, from: delta),
            valueStart + 1 < raw.count
        else { return false }
        return raw[valueStart] == UInt8(ascii: "\"") && raw[valueStart + 1] != UInt8(ascii: "\"")
    }

    /// Whether a `"finish_reason"` member holds a non-empty string.
    static func finishReasonIsSet(_ raw: UnsafeRawBufferPointer) -> Bool {
        guard let valueStart = valueStart(after: "\"finish_reason\"", in: raw, from: 0), valueStart + 1 < raw.count else {
            return false
        }
        return raw[valueStart] == UInt8(ascii: "\"") && raw[valueStart + 1] != UInt8(ascii: "\"")
    }

    /// Whether `"choices"` holds an empty array: the `stream_options.include_usage` chunk.
    static func choicesAreEmpty(_ raw: UnsafeRawBufferPointer) -> Bool {
        guard let valueStart = valueStart(after: "\"choices\"", in: raw, from: 0), raw[valueStart] == UInt8(ascii: "[") else {
            return false
        }
        var i = valueStart + 1
        while i < raw.count, JSONSyntax.isWhitespace(raw[i]) { i += 1 }
        return i < raw.count && raw[i] == UInt8(ascii: "]")
    }

    /// The offset of the value after `key` and its colon (spaces skipped), or nil.
    private static func valueStart(after key: StaticString, in raw: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let found = find(key, in: raw, from: start) else { return nil }
        var i = found + key.utf8CodeUnitCount
        while i < raw.count, raw[i] == UInt8(ascii: " ") || raw[i] == UInt8(ascii: ":") { i += 1 }
        return i < raw.count ? i : nil
    }

    private static func find(_ needle: StaticString, in raw: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = raw.baseAddress, start < raw.count else { return nil }
        let offset = pplx_find(base + start, UInt(raw.count - start), needle.utf8Start, UInt(needle.utf8CodeUnitCount))
        return offset >= 0 ? start + offset : nil
    }
}
