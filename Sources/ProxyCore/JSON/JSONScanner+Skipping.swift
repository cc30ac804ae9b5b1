extension JSONScanner {
    /// The well-formed value starting exactly at `start`, or nil.
    func span(at start: Int) -> JSONSpan? {
        guard start < bytes.count else { return nil }
        let kind: JSONSpan.Kind
        let end: Int?
        switch bytes[start] {
        case UInt8(ascii: "{"): (kind, end) = (.object, containerEnd(from: start))
        case UInt8(ascii: "["): (kind, end) = (.array, containerEnd(from: start))
        case UInt8(ascii: "\""): (kind, end) = (.string, stringEnd(from: start))
        case UInt8(ascii: "t"): (kind, end) = (.bool, literalEnd("true", at: start))
        case UInt8(ascii: "f"): (kind, end) = (.bool, literalEnd("false", at: start))
        case UInt8(ascii: "n"): (kind, end) = (.null, literalEnd("null", at: start))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): (kind, end) = (.number, numberEnd(from: start))
        default: return nil
        }
        guard let end else { return nil }
        return JSONSpan(kind: kind, range: start..<end)
    }

    private func stringEnd(from quote: Int) -> Int? {
        switch JSONStringSyntax.scan(bytes, openingQuoteAt: quote) {
        case .valid(let end, _): end
        case .invalid: nil
        }
    }

    private func numberEnd(from start: Int) -> Int? {
        switch JSONSyntax.scanNumber(bytes, at: start) {
        case .valid(let end): end
        case .invalid: nil
        }
    }

    private func literalEnd(_ word: StaticString, at start: Int) -> Int? {
        JSONSyntax.matches(word, in: bytes, at: start) ? start + word.utf8CodeUnitCount : nil
    }

    /// What the container walk expects next.
    private enum Expectation {
        case valueOrClose, value, keyOrClose, key, colon, commaOrClose
    }

    /// The index just past the object or array opening at `start`, found without recursion: the open containers
    /// are kept as one bit each (object or array) in a fixed 256-bit stack, which is also the depth limit.
    private func containerEnd(from start: Int) -> Int? {
        var isObject = SIMD4<UInt64>()
        var depth = 0
        var index = start
        var expectation = Expectation.value
        while true {
            index = skipWhitespace(from: index)
            guard index < bytes.count else { return nil }
            let byte = bytes[index]
            let topIsObject = depth > 0 && isObject[(depth - 1) >> 6] & (1 << ((depth - 1) & 63)) != 0
            var closes = false
            switch expectation {
            case .value, .valueOrClose:
                if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    guard depth < JSONValue.maximumDepth else { return nil }
                    let opensObject = byte == UInt8(ascii: "{")
                    let bit: UInt64 = 1 << (depth & 63)
                    if opensObject { isObject[depth >> 6] |= bit } else { isObject[depth >> 6] &= ~bit }
                    depth += 1
                    index += 1
                    expectation = opensObject ? .keyOrClose : .valueOrClose
                } else if byte == UInt8(ascii: "]"), expectation == .valueOrClose {
                    closes = true
                } else {
                    guard let value = span(at: index) else { return nil }
                    index = value.range.upperBound
                    expectation = .commaOrClose
                }
            case .key, .keyOrClose:
                if byte == UInt8(ascii: "}"), expectation == .keyOrClose {
                    closes = true
                } else {
                    guard byte == UInt8(ascii: "\""), let end = stringEnd(from: index) else { return nil }
                    index = end
                    expectation = .colon
                }
            case .colon:
                guard byte == UInt8(ascii: ":") else { return nil }
                index += 1
                expectation = .value
            case .commaOrClose:
                if byte == UInt8(ascii: ",") {
                    index += 1
                    expectation = topIsObject ? .key : .value
                } else {
                    guard byte == (topIsObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else { return nil }
                    closes = true
                }
            }
            if closes {
                depth -= 1
                index += 1
                if depth == 0 { return index }
                expectation = .commaOrClose
            }
        }
    }
}
