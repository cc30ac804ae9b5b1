import Testing

@testable import ProxyCore

/// The key never gets through, in whatever form a hostile or careless upstream writes it and however the bytes are
/// cut into pieces.
@Suite struct SecretScrubberTests {
    private static let key = "pplx-SECRET/123"

    /// Feeds `pieces` through one scrubber as `UpstreamTransfer` does, then releases the held tail.
    private func scrub(_ pieces: [[UInt8]], key: String = Self.key) -> String {
        guard var scrubber = SecretScrubber(secret: key) else { return "" }
        var out: [UInt8] = []
        for piece in pieces {
            var cleaned: [UInt8] = []
            let unchanged = piece.withUnsafeBytes { scrubber.scrub($0, into: &cleaned) }
            out += unchanged ? piece : cleaned
        }
        out += scrubber.finish()
        return String(decoding: out, as: UTF8.self)
    }

    private func scrub(_ text: String) -> String {
        scrub([Array(text.utf8)])
    }

    @Test func scrub_replacesRawKeyAndBearerHeader() {
        #expect(scrub("auth was Bearer pplx-SECRET/123 (pplx-SECRET/123)") == "auth was Bearer [redacted] ([redacted])")
        #expect(scrub("pplx-SECRET/123pplx-SECRET/123") == "[redacted][redacted]")
        #expect(scrub("key=pplx-SECRET/123\u{301}") == "key=[redacted]\u{301}")
    }

    @Test func scrub_leavesTextWithoutTheKeyAlone() {
        #expect(scrub("pplx-SECRET/12") == "pplx-SECRET/12")
        #expect(scrub("pppplx-SECRET/124 \\u0041 \\/ \\") == "pppplx-SECRET/124 \\u0041 \\/ \\")
        #expect(scrub("") == "")
    }

    @Test(arguments: [
        #"\u0070\u0070\u006c\u0078\u002d\u0053\u0045\u0043\u0052\u0045\u0054\u002f\u0031\u0032\u0033"#,
        #"\u0070plx-SECRET\/123"#,
        #"pplx-\u0053ECRET\/12\u0033"#,
        #"pplx-SECRET\u002F123"#,
        #"\u0070\u0070lx-S\u0045CRET/123"#,
    ])
    func scrub_findsJSONEscapedSpellings(spelled: String) {
        let json = #"{"error":{"message":"auth was Bearer "# + spelled + #""}}"#
        #expect(scrub(json) == #"{"error":{"message":"auth was Bearer [redacted]"}}"#)
    }

    @Test func scrub_keySplitAtEveryByte_isStillFound() {
        let text = Array(#"data: {"msg":"Bearer pplx-SECRET\/123 and \u0070plx-SECRET/123"}"#.utf8) + Array("\n\n".utf8)
        let expected = #"data: {"msg":"Bearer [redacted] and [redacted]"}"# + "\n\n"
        for cut in 0...text.count {
            #expect(scrub([Array(text[..<cut]), Array(text[cut...])]) == expected, "cut at \(cut)")
        }
        #expect(scrub(text.map { [$0] }) == expected, "byte by byte")
    }

    @Test func scrub_holdsBackOnlyAPossibleStartOfTheKey() {
        guard var scrubber = SecretScrubber(secret: Self.key) else { return }
        var out: [UInt8] = []
        let piece = Array("data: {\"a\":1}\n\nnext pplx-SE".utf8)
        let unchanged = piece.withUnsafeBytes { scrubber.scrub($0, into: &out) }
        #expect(!unchanged)
        #expect(String(decoding: out, as: UTF8.self) == "data: {\"a\":1}\n\nnext ")
        #expect(String(decoding: scrubber.finish(), as: UTF8.self) == "pplx-SE")
    }

    @Test func scrub_eventsEndingInABlankLine_passUnchanged() {
        guard var scrubber = SecretScrubber(secret: Self.key) else { return }
        var out: [UInt8] = []
        let piece = Array("data: {\"delta\":\"p pp ppl \\\\ \\n\"}\n\n".utf8)
        #expect(piece.withUnsafeBytes { scrubber.scrub($0, into: &out) })
        #expect(out.isEmpty)
    }

    @Test func scrub_aCutOffEchoOfTheKey_isRedactedToo() {
        let key = "pplx-0123456789abcdefghijklmnopqrstuvwxyz"
        var scrubber = SecretScrubber(secret: key)!
        var out: [UInt8] = []
        // The first 24 characters, then something else.
        _ = Array(("echo " + key.prefix(24) + "!!").utf8).withUnsafeBytes { scrubber.scrub($0, into: &out) }
        #expect(String(decoding: out, as: UTF8.self) == "echo [redacted]!!")
        // A stream that ends in the middle of the key.
        var tail = SecretScrubber(secret: key)!
        out = []
        _ = Array(("cut " + key.prefix(30)).utf8).withUnsafeBytes { tail.scrub($0, into: &out) }
        out += tail.finish()
        #expect(String(decoding: out, as: UTF8.self) == "cut [redacted]")
        // A short prefix is not the key.
        #expect(SecretScrubber.scrub("see pplx-0123 docs", secret: key) == "see pplx-0123 docs")
    }

    @Test func scrub_withoutASecret_isNoScrubber() {
        #expect(SecretScrubber(secret: nil) == nil)
        #expect(SecretScrubber(secret: "") == nil)
        #expect(SecretScrubber.scrub("Bearer x", secret: nil) == "Bearer x")
    }

    @Test func scrub_wholeText_helper() {
        #expect(SecretScrubber.scrub("refused pplx-SECRET/123", secret: Self.key) == "refused [redacted]")
    }
}
