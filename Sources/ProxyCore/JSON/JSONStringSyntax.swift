/// The string-literal grammar shared by `JSONValue`'s parser and `JSONScanner`: where a literal ends, whether it
/// is valid, and how to decode its escapes.
///
/// Both readers accept exactly the same strings, so a value the hot path copies verbatim is one the request
/// parser would also accept: escapes are one of `\" \\ \/ \b \f \n \r \t \uXXXX`, control characters must be
/// escaped, and raw bytes must be well-formed UTF-8 (RFC 3629: no overlongs, no encoded surrogates).
enum JSONStringSyntax {
    /// Why a string literal is invalid.
    enum Failure {
        case unterminated
        case controlCharacter
        case invalidEscape
        case invalidUTF8

        var message: String {
            switch self {
            case .unterminated: "unterminated string"
            case .controlCharacter: "unescaped control character in string"
            case .invalidEscape: "invalid escape sequence in string"
            case .invalidUTF8: "invalid UTF-8 in string"
            }
        }
    }

    /// The outcome of scanning one literal.
    enum Scan {
        /// `end` is the index just past the closing quote.
        case valid(end: Int, hasEscapes: Bool)
        case invalid(offset: Int, Failure)
    }

    /// Scans the literal whose opening quote is at `quote`.
    static func scan(_ bytes: UnsafeRawBufferPointer, openingQuoteAt quote: Int) -> Scan {
        var index = quote + 1
        var hasEscapes = false
        while index < bytes.count {
            index = skipPlainASCII(bytes, from: index)
            guard index < bytes.count else { break }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                return .valid(end: index + 1, hasEscapes: hasEscapes)
            case UInt8(ascii: "\\"):
                guard let length = escapeLength(bytes, at: index) else {
                    return .invalid(offset: index, .invalidEscape)
                }
                hasEscapes = true
                index += length
            case 0..<0x20:
                return .invalid(offset: index, .controlCharacter)
            case 0x20..<0x80:
                index += 1
            default:
                guard let length = utf8SequenceLength(bytes, at: index) else {
                    return .invalid(offset: index, .invalidUTF8)
                }
                index += length
            }
        }
        return .invalid(offset: bytes.count, .unterminated)
    }

    /// The first index at or after `start` whose 8-byte word holds something other than printable ASCII without
    /// `"` and `\\` (or where fewer than 8 bytes remain). Such bytes need no checking, and most of a literal is made
    /// of them, so they are skipped a word at a time.
    @inline(__always)
    private static func skipPlainASCII(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return start }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = start
        while index + 8 <= bytes.count {
            let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            // High bit set in a byte of the result: that byte is non-ASCII, a control character (< 0x20), a quote
            // or a backslash (a zero byte in `quote` or `backslash`).
            let special = word | (word &- ones &* 0x20) | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
            if special & highs != 0 { return index }
            index += 8
        }
        return index
    }

    /// The length of the escape sequence starting with the backslash at `index`, or nil if it is not one.
    private static func escapeLength(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int? {
        guard index + 1 < bytes.count else { return nil }
        switch bytes[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return 2
        case UInt8(ascii: "u"):
            guard index + 6 <= bytes.count else { return nil }
            for offset in 2..<6 where hexValue(bytes[index + offset]) == nil { return nil }
            return 6
        default:
            return nil
        }
    }

    /// The length of the well-formed UTF-8 sequence with lead byte at `index` (≥ 0x80), or nil.
    private static func utf8SequenceLength(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int? {
        let lead = bytes[index]
        // The second byte's allowed range excludes overlong forms and UTF-16 surrogates.
        let length: Int
        let secondRange: ClosedRange<UInt8>
        switch lead {
        case 0xC2...0xDF: (length, secondRange) = (2, 0x80...0xBF)
        case 0xE0: (length, secondRange) = (3, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (length, secondRange) = (3, 0x80...0xBF)
        case 0xED: (length, secondRange) = (3, 0x80...0x9F)
        case 0xF0: (length, secondRange) = (4, 0x90...0xBF)
        case 0xF1...0xF3: (length, secondRange) = (4, 0x80...0xBF)
        case 0xF4: (length, secondRange) = (4, 0x80...0x8F)
        default: return nil
        }
        guard index + length <= bytes.count, secondRange.contains(bytes[index + 1]) else { return nil }
        for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return nil }
        return length
    }

    /// The value of an ASCII hex digit.
    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Decodes the content of a literal that `scan` accepted (the bytes between the quotes) into a `String`.
    ///
    /// A `\u` escape of a lone UTF-16 surrogate becomes U+FFFD: JSON allows it, Swift strings cannot hold it.
    static func decode(_ content: UnsafeRawBufferPointer, hasEscapes: Bool) -> String {
        guard hasEscapes else { return String(decoding: content, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(content.count)
        var index = 0
        while index < content.count {
            let byte = content[index]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                index += 1
                continue
            }
            let escaped = content[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                let unit = codeUnit(content, at: index)
                index += 4
                var scalar = Unicode.Scalar(unit) ?? "\u{FFFD}"
                if (0xD800..<0xDC00).contains(unit), index + 6 <= content.count,
                    content[index] == UInt8(ascii: "\\"), content[index + 1] == UInt8(ascii: "u")
                {
                    let low = codeUnit(content, at: index + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}"
                        index += 6
                    }
                }
                out.append(contentsOf: scalar.utf8)
            default: out.append(escaped)  // `"`, `\` and `/` stand for themselves
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The four validated hex digits at `index` as a UTF-16 code unit.
    private static func codeUnit(_ content: UnsafeRawBufferPointer, at index: Int) -> UInt32 {
        var unit: UInt32 = 0
        for offset in 0..<4 { unit = unit << 4 | hexValue(content[index + offset])! }
        return unit
    }
}
