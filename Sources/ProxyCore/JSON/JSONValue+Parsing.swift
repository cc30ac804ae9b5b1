extension JSONValue {
    /// The deepest nesting of arrays and objects either JSON reader accepts; deeper input is rejected rather
    /// than risking the stack.
    public static let maximumDepth = 256

    /// Parses a complete JSON document (RFC 8259, strict: no comments, trailing commas, leading zeros, NaN or
    /// trailing data). Duplicate object keys: the last one wins.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        let result =
            bytes.withContiguousStorageIfAvailable { JSONValueParser.parseDocument(UnsafeRawBufferPointer($0)) }
            ?? Array(bytes).withUnsafeBytes { JSONValueParser.parseDocument($0) }
        return try result.get()
    }

    /// Parses a complete JSON document from the UTF-8 of `string`.
    public static func parse(_ string: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(string.utf8))
    }
}

/// Recursive-descent parser behind `JSONValue.parse`; recursion is bounded by `JSONValue.maximumDepth`.
private struct JSONValueParser {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    static func parseDocument(_ bytes: UnsafeRawBufferPointer) -> Result<JSONValue, JSONParseError> {
        var parser = JSONValueParser(bytes)
        return Result { () throws(JSONParseError) in try parser.parseDocument() }
    }

    private mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw error("unexpected data after the JSON value") }
        return value
    }

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character, expected a value")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= JSONValue.maximumDepth else { throw error("nesting deeper than \(JSONValue.maximumDepth)") }
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error(index < bytes.count ? "expected a string key" : "unexpected end of input in object")
            }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("expected ':' after object key")
            }
            index += 1
            members[key] = try parseValue(depth: depth)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in object") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            default: throw error("expected ',' or '}' in object")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= JSONValue.maximumDepth else { throw error("nesting deeper than \(JSONValue.maximumDepth)") }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in array") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            default: throw error("expected ',' or ']' in array")
            }
        }
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        switch JSONStringSyntax.scan(bytes, openingQuoteAt: index) {
        case .valid(let end, let hasEscapes):
            let content = UnsafeRawBufferPointer(rebasing: bytes[(index + 1)..<(end - 1)])
            index = end
            return JSONStringSyntax.decode(content, hasEscapes: hasEscapes)
        case .invalid(let offset, let failure):
            throw JSONParseError(offset: offset, message: failure.message)
        }
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        switch JSONSyntax.scanNumber(bytes, at: index) {
        case .valid(let end):
            let lexeme = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
            index = end
            return .number(lexeme)
        case .invalid(let offset, let message):
            throw JSONParseError(offset: offset, message: message)
        }
    }

    private mutating func parseLiteral(_ word: StaticString, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        guard JSONSyntax.matches(word, in: bytes, at: index) else { throw error("invalid literal") }
        index += word.utf8CodeUnitCount
        return value
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, JSONSyntax.isWhitespace(bytes[index]) { index += 1 }
    }

    private func error(_ message: String) -> JSONParseError {
        JSONParseError(offset: index, message: message)
    }
}
