/// A parsed JSON document, for request bodies, config and tests (the streaming hot path uses `JSONScanner`).
///
/// Numbers keep their JSON lexeme (`"0.005023"`, `"1e3"`) so values pass through the proxy without a
/// binary-floating-point round trip changing their text. Equality and hashing therefore compare lexemes:
/// `1` and `1.0` are different values.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number's JSON lexeme, exactly as written.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// A number from an integer.
    public static func number(_ value: Int) -> JSONValue {
        .number(String(value))
    }

    /// A number from a double, written as its shortest round-trip text; non-finite values become `null`
    /// because JSON cannot represent them (as JavaScript's `JSON.stringify` does).
    public static func number(_ value: Double) -> JSONValue {
        guard value.isFinite else { return .null }
        return .number(value.description)
    }

    /// The member named `key`, if this is an object that has one.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// The element at `index`, if this is an array and the index is in bounds.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The string, if this is a string.
    public var stringValue: String? {
        guard case .string(let value) = self else { return nil }
        return value
    }

    /// The number as an `Int`, if it is integral (`5`, `5.0`, `5e2`) and fits.
    public var intValue: Int? {
        guard case .number(let lexeme) = self else { return nil }
        if let exact = Int(lexeme) { return exact }
        guard let double = Double(lexeme), double.rounded(.towardZero) == double,
            let exact = Int(exactly: double)
        else { return nil }
        return exact
    }

    /// The number as a `Double` (nearest representable value).
    public var doubleValue: Double? {
        guard case .number(let lexeme) = self else { return nil }
        return Double(lexeme)
    }

    /// The boolean, if this is `true` or `false`.
    public var boolValue: Bool? {
        guard case .bool(let value) = self else { return nil }
        return value
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }

    /// The members, if this is an object.
    public var objectValue: [String: JSONValue]? {
        guard case .object(let members) = self else { return nil }
        return members
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The JSON type name for error messages: "object", "array", "string", "number", "boolean" or "null".
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
