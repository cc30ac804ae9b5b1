import ProxyCore

/// A JSON value that a JSON Schema accepts, for the emulator's structured answers and function-call arguments.
///
/// Covers what clients generate (pydantic, zod, hand-written schemas): `type` (one or several), `properties`
/// (every property is filled in, so `required` holds), `items`, `enum`, `const`, `anyOf`/`oneOf`/`allOf` (the
/// first non-null option), `$ref` into `$defs`/`definitions`, and numeric `minimum`. Strings are "Paris", the
/// answer's own subject, unless a `format` asks for a date.
enum SchemaSample {
    /// The sample for `schema`; `root` resolves `$ref`s.
    static func value(for schema: JSONValue, root: JSONValue? = nil) -> JSONValue {
        sample(schema, root: root ?? schema, depth: 0)
    }

    /// The sample as compact JSON text.
    static func text(for schema: JSONValue) -> String {
        String(decoding: value(for: schema).serialized, as: UTF8.self)
    }

    private static let maximumDepth = 12

    private static func sample(_ schema: JSONValue, root: JSONValue, depth: Int) -> JSONValue {
        guard depth < maximumDepth, case .object(let members) = schema else { return .null }
        if let reference = members["$ref"]?.stringValue, let target = resolve(reference, in: root) {
            return sample(target, root: root, depth: depth + 1)
        }
        if let constant = members["const"] { return constant }
        if let first = members["enum"]?.arrayValue?.first { return first }
        for combinator in ["anyOf", "oneOf", "allOf"] {
            if let options = members[combinator]?.arrayValue {
                let usable = options.first { $0["type"]?.stringValue != "null" } ?? options.first
                if let usable { return sample(usable, root: root, depth: depth + 1) }
            }
        }
        switch type(of: members) {
        case "object":
            var object: [String: JSONValue] = [:]
            for (name, property) in members["properties"]?.objectValue ?? [:] {
                object[name] = sample(property, root: root, depth: depth + 1)
            }
            return .object(object)
        case "array":
            let item = members["items"].map { sample($0, root: root, depth: depth + 1) } ?? .string("Paris")
            return .array(Array(repeating: item, count: max(1, members["minItems"]?.intValue ?? 1)))
        case "integer", "number":
            // 42, moved into [minimum, maximum] when the schema bounds it.
            var number = 42
            if let maximum = members["maximum"]?.intValue { number = min(number, maximum) }
            if let minimum = members["minimum"]?.intValue { number = max(number, minimum) }
            return .number(String(number))
        case "boolean":
            return .bool(true)
        case "null":
            return .null
        default:
            switch members["format"]?.stringValue {
            case "date"?: return .string("2026-12-05")
            case "date-time"?: return .string("2026-12-05T12:00:00Z")
            default: return .string("Paris")
            }
        }
    }

    /// The schema's type: the first non-null of a list; `object` when it only lists properties.
    private static func type(of members: [String: JSONValue]) -> String {
        switch members["type"] {
        case .string(let type)?: return type
        case .array(let types)?: return types.compactMap(\.stringValue).first { $0 != "null" } ?? "null"
        default: return members["properties"] != nil ? "object" : "string"
        }
    }

    /// `#/$defs/Name` or `#/definitions/Name`.
    private static func resolve(_ reference: String, in root: JSONValue) -> JSONValue? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: JSONValue? = root
        for part in reference.dropFirst(2).split(separator: "/") {
            node = node?[String(part)]
        }
        return node
    }

    /// The first JSON object in `text` that looks like a schema (it has `properties`), as clients that ask for
    /// `json_object` embed one in the prompt (instructor's JSON mode, LangChain's json_mode examples).
    static func embeddedSchema(in text: String) -> JSONValue? {
        let bytes = Array(text.utf8)
        var start = 0
        var tries = 0
        while tries < 64, let open = bytes[start...].firstIndex(of: UInt8(ascii: "{")) {
            tries += 1
            if let end = matchingBrace(bytes, from: open),
                let object = try? JSONValue.parse(Array(bytes[open...end])), object["properties"] != nil
            {
                return object
            }
            start = open + 1
        }
        return nil
    }

    /// The index of the `}` closing the `{` at `open`, skipping braces inside strings.
    private static func matchingBrace(_ bytes: [UInt8], from open: Int) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        for index in open..<bytes.count {
            let byte = bytes[index]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "}"):
                depth -= 1
                if depth == 0 { return index }
            default: break
            }
        }
        return nil
    }
}
