import Testing

@testable import ProxyCore

@Suite struct UTF8ValidationTests {
    private func valid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { UTF8Validation.isValid($0) }
    }

    @Test func wellFormedText_isValid() {
        #expect(valid(Array("plain ascii, longer than eight bytes".utf8)))
        #expect(valid(Array("é ü 東京 🇫🇷 \u{10FFFF}".utf8)))
        #expect(valid([]))
    }

    @Test(
        arguments: [
            [0xC3, 0x28],  // bad continuation
            [0xC0, 0x80],  // overlong NUL
            [0xE0, 0x80, 0x80],  // overlong
            [0xED, 0xA0, 0x80],  // surrogate U+D800
            [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
            [0xFF],
            [0xE2, 0x82],  // truncated
            [0x80],  // lone continuation
        ] as [[UInt8]])
    func malformedSequences_areInvalid(sequence: [UInt8]) {
        #expect(!valid(Array("12345678".utf8) + sequence + Array("abc".utf8)))
        #expect(!valid(sequence))
    }
}
