/// The grammar of JSON whitespace, literals and numbers shared by `JSONValue`'s parser and `JSONScanner`, so the
/// two readers accept exactly the same documents.
enum JSONSyntax {
    /// The outcome of scanning a number.
    enum NumberScan {
        /// `end` is the index just past the last digit.
        case valid(end: Int)
        case invalid(offset: Int, message: String)
    }

    /// Whether `byte` is JSON whitespace (space, tab, LF, CR).
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// Whether `word` (`true`, `false`, `null`) is spelled out at `index`.
    static func matches(_ word: StaticString, in bytes: UnsafeRawBufferPointer, at index: Int) -> Bool {
        word.withUTF8Buffer { expected in
            index + expected.count <= bytes.count
                && UnsafeRawBufferPointer(rebasing: bytes[index..<(index + expected.count)]).elementsEqual(expected)
        }
    }

    /// Scans `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` at `index`.
    static func scanNumber(_ bytes: UnsafeRawBufferPointer, at start: Int) -> NumberScan {
        var index = start
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else {
            return .invalid(offset: index, message: "expected a digit")
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                return .invalid(offset: index - 1, message: "leading zeros are not allowed")
            }
        } else {
            index = digitsEnd(bytes, from: index)
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else {
                return .invalid(offset: index, message: "expected a digit after the decimal point")
            }
            index = digitsEnd(bytes, from: index)
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else {
                return .invalid(offset: index, message: "expected a digit in the exponent")
            }
            index = digitsEnd(bytes, from: index)
        }
        return .valid(end: index)
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    private static func digitsEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        return index
    }
}
