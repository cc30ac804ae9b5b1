import Testing

@testable import ProxyCore

@Suite struct JSONValueTests {
    @Test func parse_readsNestedDocument_throughAccessors() throws {
        let value = try JSONValue.parse(
            #" {"model":"sonar","stream":true,"n":2,"t":0.7,"stop":null,"messages":[{"role":"user"}]} "#)
        #expect(value["model"]?.stringValue == "sonar")
        #expect(value["stream"]?.boolValue == true)
        #expect(value["n"]?.intValue == 2)
        #expect(value["t"]?.doubleValue == 0.7)
        #expect(value["stop"]?.isNull == true)
        #expect(value["messages"]?[0]?["role"]?.stringValue == "user")
        #expect(value["messages"]?[1] == nil)
        #expect(value["messages"]?[-1] == nil)
        #expect(value["missing"] == nil)
        #expect(value["model"]?["x"] == nil)
        #expect(value["messages"]?.arrayValue?.count == 1)
        #expect(value.objectValue?.count == 6)
        #expect(value["n"]?.stringValue == nil)
    }

    @Test func parse_keepsNumberLexemesExactly() throws {
        let text = #"[0.005023,1E+2,-0,0.0,1e-7,123456789012345678901234567890,0.1]"#
        let value = try JSONValue.parse(text)
        #expect(value[0] == .number("0.005023"))
        #expect(value[1] == .number("1E+2"))
        #expect(value[2] == .number("-0"))
        #expect(value.serializedString == text)
    }

    @Test func serialize_isCompactWithSortedKeys() {
        let value = JSONValue.object([
            "b": .array([.number(1), .bool(false), .null]),
            "a": .string("x"),
            "c": .object([:]),
        ])
        #expect(value.serializedString == #"{"a":"x","b":[1,false,null],"c":{}}"#)
        #expect(value.serialized == Array(value.serializedString.utf8))
    }

    @Test func serializeThenParse_roundTripsTheCanonicalUsage() throws {
        let usage =
            #"{"completion_tokens":14,"cost":{"input_tokens_cost":0.000009,"output_tokens_cost":0.000014,"request_cost":0.005,"total_cost":0.005023},"prompt_tokens":9,"search_context_size":"low","total_tokens":23}"#
        let value = try JSONValue.parse(usage)
        #expect(value.serializedString == usage)
        #expect(try JSONValue.parse(value.serialized) == value)
    }

    @Test func parse_decodesEveryEscape() throws {
        let value = try JSONValue.parse(#""\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC""#)
        #expect(value == .string("\"\\/\u{08}\u{0C}\n\r\tAé€"))
    }

    @Test func serialize_escapesQuotesBackslashesAndControlCharacters() {
        let value = JSONValue.string("a\"b\\c\nd\u{01}é😀")
        #expect(value.serializedString == #""a\"b\\c\nd\u0001é😀""#)
    }

    @Test func parse_combinesSurrogatePairs() throws {
        #expect(try JSONValue.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try JSONValue.parse(#""\uD83D\uDE00x""#) == .string("😀x"))
    }

    @Test func parse_replacesLoneSurrogatesWithReplacementCharacter() throws {
        #expect(try JSONValue.parse(#""\ud800""#) == .string("\u{FFFD}"))
        #expect(try JSONValue.parse(#""\ud800x""#) == .string("\u{FFFD}x"))
        #expect(try JSONValue.parse(#""\udc00\ud800""#) == .string("\u{FFFD}\u{FFFD}"))
        #expect(try JSONValue.parse(#""\ud800\u0041""#) == .string("\u{FFFD}A"))
    }

    @Test func parse_keepsRawUTF8() throws {
        #expect(try JSONValue.parse(#""Paris – 🗼""#) == .string("Paris – 🗼"))
    }

    @Test func parse_duplicateKeys_lastWins() throws {
        #expect(try JSONValue.parse(#"{"a":1,"a":2}"#)["a"] == .number("2"))
    }

    @Test func parse_acceptsNonContiguousCollections() throws {
        #expect(try JSONValue.parse(Array("]2,1[".utf8).reversed()) == .array([.number("1"), .number("2")]))
    }

    @Test(arguments: [
        ("", 0, "unexpected end of input, expected a value"),
        ("   ", 3, "unexpected end of input, expected a value"),
        ("[1,]", 3, "unexpected character, expected a value"),
        (#"{"a":1,}"#, 7, "expected a string key"),
        (#"{"a" 1}"#, 5, "expected ':' after object key"),
        (#"{"a":1"#, 6, "unexpected end of input in object"),
        ("[1 2]", 3, "expected ',' or ']' in array"),
        (#"{"a":1 "b":2}"#, 7, "expected ',' or '}' in object"),
        ("{1:2}", 1, "expected a string key"),
        ("01", 0, "leading zeros are not allowed"),
        ("-", 1, "expected a digit"),
        ("1.", 2, "expected a digit after the decimal point"),
        ("1e+", 3, "expected a digit in the exponent"),
        (".5", 0, "unexpected character, expected a value"),
        ("NaN", 0, "unexpected character, expected a value"),
        ("tru", 0, "invalid literal"),
        ("nul", 0, "invalid literal"),
        ("[1] x", 4, "unexpected data after the JSON value"),
        ("// c\n1", 0, "unexpected character, expected a value"),
        (#""abc"#, 4, "unterminated string"),
        (#""a\x""#, 2, "invalid escape sequence in string"),
        (#""a\u00""#, 2, "invalid escape sequence in string"),
        ("\"a\tb\"", 2, "unescaped control character in string"),
    ])
    func parse_rejectsMalformedInput_withOffset(text: String, offset: Int, message: String) {
        #expect(throws: JSONParseError(offset: offset, message: message)) { try JSONValue.parse(text) }
    }

    @Test(
        arguments: [
            [0x22, 0xFF, 0x22],  // not a UTF-8 byte
            [0x22, 0xC0, 0xAF, 0x22],  // overlong "/"
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate
            [0x22, 0xE2, 0x82, 0x22],  // truncated sequence
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // beyond U+10FFFF
        ] as [[UInt8]])
    func parse_rejectsInvalidUTF8(bytes: [UInt8]) {
        #expect(throws: JSONParseError(offset: 1, message: "invalid UTF-8 in string")) { try JSONValue.parse(bytes) }
    }

    @Test func parse_limitsNestingDepth() throws {
        let deepest = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        #expect(try JSONValue.parse(deepest).arrayValue?.count == 1)
        let tooDeep = String(repeating: "[", count: 257) + String(repeating: "]", count: 257)
        #expect(throws: JSONParseError(offset: 256, message: "nesting deeper than 256")) {
            try JSONValue.parse(tooDeep)
        }
        let hostile = String(repeating: #"{"a":"#, count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(hostile) }
    }

    @Test func intValue_acceptsOnlyIntegralValuesThatFit() {
        #expect(JSONValue.number("5").intValue == 5)
        #expect(JSONValue.number("-5").intValue == -5)
        #expect(JSONValue.number("5.0").intValue == 5)
        #expect(JSONValue.number("5e2").intValue == 500)
        #expect(JSONValue.number("9223372036854775807").intValue == Int.max)
        #expect(JSONValue.number("-9223372036854775808").intValue == Int.min)
        #expect(JSONValue.number("5.5").intValue == nil)
        #expect(JSONValue.number("9223372036854775808").intValue == nil)
        #expect(JSONValue.number("1e30").intValue == nil)
        #expect(JSONValue.string("5").intValue == nil)
    }

    @Test func numberFromDouble_usesShortestRoundTripText() {
        #expect(JSONValue.number(0.005023) == .number("0.005023"))
        #expect(JSONValue.number(0.1 + 0.2) == .number("0.30000000000000004"))
        #expect(JSONValue.number(42) == .number("42"))
        #expect(JSONValue.number(Double.infinity) == .null)
        #expect(JSONValue.number(Double.nan) == .null)
        #expect(JSONValue.number(1e-7).doubleValue == 1e-7)
    }

    @Test func numberFromDouble_alwaysSerializesToValidJSON() throws {
        for double in [1e-7, 1e21, -0.0, Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude, 123.456] {
            let reparsed = try JSONValue.parse(JSONValue.number(double).serialized)
            #expect(reparsed.doubleValue == double)
        }
    }

    @Test func kindName_namesEachJSONType() {
        let values: [JSONValue] = [.object([:]), .array([]), .string(""), .number("1"), .bool(true), .null]
        #expect(values.map(\.kindName) == ["object", "array", "string", "number", "boolean", "null"])
    }

    @Test func parseError_describesItselfWithOffset() {
        #expect(JSONParseError(offset: 3, message: "oops").description == "oops at byte 3")
    }
}
