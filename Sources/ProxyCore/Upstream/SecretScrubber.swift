#if canImport(Glibc)
    import Glibc
#endif

/// Replaces a secret (the upstream key) in bytes that arrive in pieces: the one place where upstream bytes are
/// cleaned before anything else sees them (`UpstreamTransfer` runs every header line, body piece and error text
/// through it).
///
/// The secret is found raw and in the forms a JSON string may give it: any of its ASCII characters written as a
/// `\uXXXX` escape (hex digits in either case) and `/` as `\/`, mixed freely. Each occurrence becomes
/// `[redacted]`, which is valid inside and outside JSON strings. So is a cut-off echo: the first `fragmentLength`
/// characters of the secret or more, even when what follows differs or the stream ends there. A piece that ends
/// with what could be the start of the secret keeps those bytes back until the next piece decides; nothing else is
/// delayed, so an SSE event, which ends in a blank line, always leaves in the piece that completed it.
public struct SecretScrubber: Sendable {
    /// What every occurrence of the secret becomes.
    public static let replacement: [UInt8] = Array("[redacted]".utf8)
    /// A prefix of the secret this long (in characters) is redacted too: enough to identify the key, too long
    /// to occur by chance.
    static let fragmentLength = 16

    private let secret: [UInt8]
    /// The end of the previous piece that may begin an occurrence.
    private var held: [UInt8] = []

    /// A scrubber for `secret`; nil when there is no secret to remove.
    public init?(secret: String?) {
        guard let secret, !secret.isEmpty else { return nil }
        self.secret = Array(secret.utf8)
    }

    /// Scrubs the next piece. Returns true when `input` may be passed on exactly as it is (it holds no occurrence
    /// and nothing was held back); otherwise appends what may be passed on now to `output` (possibly nothing).
    public mutating func scrub(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) -> Bool {
        if held.isEmpty {
            return scrubJoined(input, into: &output)
        }
        var joined = held
        joined.append(contentsOf: input)
        held = []
        return joined.withUnsafeBytes { buffer in
            if scrubJoined(buffer, into: &output) { output.append(contentsOf: buffer) }
            return false
        }
    }

    /// The bytes held back at the end of the stream (a prefix of the secret that never completed), now released;
    /// redacted when the prefix is long enough to give the key away.
    public mutating func finish() -> [UInt8] {
        defer { held = [] }
        let matched = held.withUnsafeBytes { matchedCharacters(in: $0, at: 0) }
        return matched >= min(Self.fragmentLength, secret.count) ? Self.replacement : held
    }

    /// `text` with every occurrence of `secret` replaced, for a complete piece of text (a header line, an error
    /// message).
    public static func scrub(_ text: String, secret: String?) -> String {
        guard var scrubber = SecretScrubber(secret: secret) else { return text }
        var output: [UInt8] = []
        let unchanged = Array(text.utf8).withUnsafeBytes { scrubber.scrub($0, into: &output) }
        if unchanged { return text }
        output.append(contentsOf: scrubber.finish())
        return String(decoding: output, as: UTF8.self)
    }

    // MARK: Matching

    private enum Match {
        case none
        /// The buffer ended while the bytes still matched.
        case partial
        /// An occurrence ends before this offset.
        case full(end: Int)
    }

    /// Scrubs one contiguous buffer (held bytes already joined in front). True when it needs no change.
    private mutating func scrubJoined(_ buffer: UnsafeRawBufferPointer, into output: inout [UInt8]) -> Bool {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return true }
        var candidates = Candidates(buffer: buffer, first: secret[0])
        var copiedUpTo = 0
        while let candidate = candidates.next() {
            switch match(in: buffer, at: candidate) {
            case .none:
                continue
            case .partial:
                output.append(contentsOf: UnsafeRawBufferPointer(start: base + copiedUpTo, count: candidate - copiedUpTo))
                held = Array(UnsafeRawBufferPointer(rebasing: buffer[candidate...]))
                return false
            case .full(let end):
                output.append(contentsOf: UnsafeRawBufferPointer(start: base + copiedUpTo, count: candidate - copiedUpTo))
                output.append(contentsOf: Self.replacement)
                copiedUpTo = end
                candidates.skip(to: end)
            }
        }
        guard copiedUpTo > 0 else { return true }
        output.append(contentsOf: UnsafeRawBufferPointer(start: base + copiedUpTo, count: buffer.count - copiedUpTo))
        return false
    }

    /// Offsets where an occurrence may start, in order: the secret's first byte, or a backslash (an escape may
    /// spell the first character). Each kind is found with `memchr`, and each search resumes where it stopped, so
    /// a buffer is scanned about twice however many candidates it holds.
    private struct Candidates {
        let buffer: UnsafeRawBufferPointer
        let first: UInt8
        private var nextFirst: Int?
        private var nextEscape: Int?
        private var position = 0

        init(buffer: UnsafeRawBufferPointer, first: UInt8) {
            self.buffer = buffer
            self.first = first
            nextFirst = Self.find(first, in: buffer, from: 0)
            nextEscape = first < 0x80 ? Self.find(UInt8(ascii: "\\"), in: buffer, from: 0) : nil
        }

        mutating func next() -> Int? {
            if let found = nextFirst, found < position { nextFirst = Self.find(first, in: buffer, from: position) }
            if let found = nextEscape, found < position {
                nextEscape = Self.find(UInt8(ascii: "\\"), in: buffer, from: position)
            }
            let candidate: Int
            switch (nextFirst, nextEscape) {
            case (let a?, let b?): candidate = min(a, b)
            case (let a?, nil): candidate = a
            case (nil, let b?): candidate = b
            case (nil, nil): return nil
            }
            position = candidate + 1
            return candidate
        }

        /// Continues after an occurrence that ends before `offset`.
        mutating func skip(to offset: Int) {
            position = max(position, offset)
        }

        private static func find(_ byte: UInt8, in buffer: UnsafeRawBufferPointer, from start: Int) -> Int? {
            guard start < buffer.count, let base = buffer.baseAddress else { return nil }
            guard let found = memchr(base + start, Int32(byte), buffer.count - start) else { return nil }
            return UnsafeRawPointer(found) - base
        }
    }

    private func match(in buffer: UnsafeRawBufferPointer, at start: Int) -> Match {
        var index = 0
        var offset = start
        while index < secret.count {
            guard offset < buffer.count else { return .partial }
            let expected = secret[index]
            let byte = buffer[offset]
            if byte == expected {
                offset += 1
            } else if byte == UInt8(ascii: "\\"), expected < 0x80,
                let length = escapeLength(in: buffer, at: offset, spelling: expected)
            {
                if length == 0 { return .partial }
                offset += length
            } else {
                // A long enough prefix is the key given away, cut off or not.
                return index >= Self.fragmentLength ? .full(end: offset) : .none
            }
            index += 1
        }
        return .full(end: offset)
    }

    /// How many characters of the secret the bytes at `start` spell before they differ or end.
    private func matchedCharacters(in buffer: UnsafeRawBufferPointer, at start: Int) -> Int {
        var index = 0
        var offset = start
        while index < secret.count, offset < buffer.count {
            let expected = secret[index]
            if buffer[offset] == expected {
                offset += 1
            } else if buffer[offset] == UInt8(ascii: "\\"), expected < 0x80,
                let length = escapeLength(in: buffer, at: offset, spelling: expected), length > 0
            {
                offset += length
            } else {
                break
            }
            index += 1
        }
        return index
    }

    /// The length of the JSON escape at `offset` if it spells `character`; 0 when the buffer ends before that can
    /// be told; nil when it does not.
    private func escapeLength(in buffer: UnsafeRawBufferPointer, at offset: Int, spelling character: UInt8) -> Int? {
        guard offset + 1 < buffer.count else { return 0 }
        switch buffer[offset + 1] {
        case UInt8(ascii: "/"):
            return character == UInt8(ascii: "/") ? 2 : nil
        case UInt8(ascii: "u"):
            var value: UInt32 = 0
            for digit in 0..<4 {
                guard offset + 2 + digit < buffer.count else { return 0 }
                guard let nibble = Self.hexValue(buffer[offset + 2 + digit]) else { return nil }
                value = value << 4 | nibble
            }
            return value == UInt32(character) ? 6 : nil
        default:
            return nil
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
