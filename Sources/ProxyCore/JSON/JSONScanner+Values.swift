extension JSONScanner {
    /// The decoded text of a string value, or nil if `span` is nil or not a string.
    public func string(_ span: JSONSpan?) -> String? {
        guard let content = stringContent(span) else { return nil }
        return JSONStringSyntax.decode(content, hasEscapes: content.contains(UInt8(ascii: "\\")))
    }

    /// Whether `span` is the string `literal` (compared after decoding escapes).
    public func stringEquals(_ span: JSONSpan?, _ literal: StaticString) -> Bool {
        guard let content = stringContent(span) else { return false }
        return literal.withUTF8Buffer { expected in
            if content.contains(UInt8(ascii: "\\")) {
                return JSONStringSyntax.decode(content, hasEscapes: true).utf8.elementsEqual(expected)
            }
            return content.elementsEqual(expected)
        }
    }

    /// Whether `span` is the empty string `""`.
    public func isEmptyString(_ span: JSONSpan?) -> Bool {
        guard let span else { return false }
        return span.kind == .string && span.range.count == 2
    }

    /// A number's value as an `Int`, if it is integral (`5`, `5.0`, `5e2`) and fits; as `JSONValue.intValue`.
    public func int(_ span: JSONSpan?) -> Int? {
        guard let span, span.kind == .number, owns(span) else { return nil }
        let lexeme = rawBytes(span)
        let negative = lexeme[0] == UInt8(ascii: "-")
        var value = 0
        for byte in lexeme.dropFirst(negative ? 1 : 0) {
            guard JSONSyntax.isDigit(byte) else { return integralValue(of: span) }
            let (shifted, overflowShift) = value.multipliedReportingOverflow(by: 10)
            let digit = Int(byte - UInt8(ascii: "0"))
            // Accumulating negatively reaches Int.min, whose magnitude Int.max cannot hold.
            let (next, overflowAdd) =
                negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflowShift, !overflowAdd else { return integralValue(of: span) }
            value = next
        }
        return value
    }

    /// A number's value as the nearest `Double`.
    public func double(_ span: JSONSpan?) -> Double? {
        guard let span, span.kind == .number, owns(span) else { return nil }
        // Number lexemes are short, so this String is usually stored inline, without a heap allocation.
        return Double(String(decoding: rawBytes(span), as: UTF8.self))
    }

    /// The value of `true` or `false`, or nil for anything else.
    public func bool(_ span: JSONSpan?) -> Bool? {
        guard let span, span.kind == .bool, owns(span) else { return nil }
        return bytes[span.range.lowerBound] == UInt8(ascii: "t")
    }

    /// Whether `span` is `null`.
    public func isNull(_ span: JSONSpan?) -> Bool {
        span?.kind == .null
    }

    /// The bytes between a string's quotes.
    private func stringContent(_ span: JSONSpan?) -> UnsafeRawBufferPointer? {
        guard let span, span.kind == .string, owns(span), span.range.count >= 2 else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[(span.range.lowerBound + 1)..<(span.range.upperBound - 1)])
    }

    /// The slow path of `int` for fractions, exponents and out-of-range digit strings.
    private func integralValue(of span: JSONSpan) -> Int? {
        guard let double = double(span), double.rounded(.towardZero) == double else { return nil }
        return Int(exactly: double)
    }
}
