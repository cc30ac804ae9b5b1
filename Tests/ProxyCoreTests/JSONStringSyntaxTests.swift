import Testing

@testable import ProxyCore

/// Scans `"` + `content` + `"` + `,` and returns the outcome.
private func scan(_ content: [UInt8]) -> JSONStringSyntax.Scan {
    let literal = [UInt8(ascii: "\"")] + content + [UInt8(ascii: "\""), UInt8(ascii: ",")]
    return literal.withUnsafeBytes { JSONStringSyntax.scan($0, openingQuoteAt: 0) }
}

/// Plain ASCII runs are skipped eight bytes at a time: every special byte must still be found at every position
/// relative to those words.
@Suite struct JSONStringSyntaxTests {
    private let plain = Array("abcdefghijklmnopqrstuvwxyz0123456789 ~{}[]".utf8)

    @Test func controlCharacter_isRejectedAtItsOffset_atEveryPosition() {
        for position in 0..<32 {
            for control: UInt8 in [0x00, 0x01, 0x0A, 0x1F] {
                var content = Array(plain.prefix(32))
                content[position] = control
                guard case .invalid(let offset, .controlCharacter) = scan(content) else {
                    Issue.record("control \(control) at \(position) accepted")
                    continue
                }
                #expect(offset == position + 1)
            }
        }
    }

    @Test func quote_endsTheLiteral_atEveryPosition() {
        for position in 0..<32 {
            var content = Array(plain.prefix(32))
            content[position] = UInt8(ascii: "\"")
            guard case .valid(let end, let hasEscapes) = scan(content) else {
                Issue.record("quote at \(position) not found")
                continue
            }
            #expect(end == position + 2)
            #expect(!hasEscapes)
        }
    }

    @Test func escapesAndUTF8_areDecodedAtEveryPosition_andInvalidBytesRejected() {
        for position in 0..<24 {
            let prefix = Array(plain.prefix(position))
            let suffix = Array(plain.prefix(11))
            guard case .valid(_, true) = scan(prefix + Array("\\n\\u00e9".utf8) + suffix) else {
                Issue.record("escape at \(position) not seen")
                continue
            }
            guard case .valid(let end, false) = scan(prefix + Array("é€𝄞\u{7F}".utf8) + suffix) else {
                Issue.record("UTF-8 at \(position) rejected")
                continue
            }
            #expect(end == prefix.count + 10 + suffix.count + 2)
            guard case .invalid(let offset, .invalidUTF8) = scan(prefix + [0xC0, 0x80] + suffix) else {
                Issue.record("overlong at \(position) accepted")
                continue
            }
            #expect(offset == position + 1)
            guard case .invalid(_, .invalidEscape) = scan(prefix + Array("\\x".utf8) + suffix) else {
                Issue.record("bad escape at \(position) accepted")
                continue
            }
        }
    }

    @Test func unterminatedLongLiteral_isReported() {
        let literal = [UInt8(ascii: "\"")] + plain
        let outcome = literal.withUnsafeBytes { JSONStringSyntax.scan($0, openingQuoteAt: 0) }
        guard case .invalid(let offset, .unterminated) = outcome else {
            Issue.record("unterminated literal accepted")
            return
        }
        #expect(offset == literal.count)
    }
}
