/// Where one JSON value lies in the buffer a `JSONScanner` reads.
///
/// Only a scanner creates spans, and only for well-formed values, so a span's bytes can be copied into output
/// verbatim as valid JSON.
public struct JSONSpan: Sendable, Hashable {
    /// The JSON type of a value.
    public enum Kind: Sendable, Hashable {
        case object, array, string, number, bool, null
    }

    /// The value's type.
    public let kind: Kind
    /// The whole value's byte range in the scanner's buffer; a string's range includes its quotes.
    public let range: Range<Int>
}

extension JSONSpan.Kind {
    /// The type's name in messages ("object", "array", …), as `JSONValue.kindName` says it.
    public var name: String {
        switch self {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .number: "number"
        case .bool: "boolean"
        case .null: "null"
        }
    }
}
