/// What one call to `HTTPRequestParser.parse` found.
public enum HTTPParseEvent: Sendable {
    /// More bytes are needed.
    case needMore
    /// A complete request; its bytes have been consumed from the buffer.
    case request(HTTPRequest)
    /// The request is malformed or over a limit: answer `status` and close (the stream cannot be resynchronised).
    case failure(HTTPParseFailure)
}

/// An incremental HTTP/1.x request parser: a value-type state machine fed from an `InputBuffer`.
///
/// It handles `Content-Length` and chunked bodies, enforces header and body limits, refuses
/// `Content-Length` together with `Transfer-Encoding` (request smuggling), and reports when the client waits for
/// `100 Continue`. Pipelined requests stay in the buffer until the caller asks for the next one.
public struct HTTPRequestParser: Sendable {
    private enum State: Sendable {
        case head(scannedUpTo: Int)
        case fixedBody(Head, remaining: Int)
        case chunkSize(Head)
        case chunkData(Head, remaining: Int)
        case chunkDataEnd(Head)
        case trailers(Head, seen: Int)
    }

    private struct Head: Sendable {
        var method: String
        var target: String
        var minorVersion: Int
        var headers: HTTPHeaders
    }

    private var state: State = .head(scannedUpTo: 0)
    /// The body being received. Kept out of `state`: an array inside an enum payload is copied whole on every
    /// append (the payload is copied out, so the buffer is shared), which made a 30 MB upload quadratic.
    private var body: [UInt8] = []
    private let limits: HTTPParserLimits
    /// Set when a head with `Expect: 100-continue` was parsed and its body has not fully arrived; the connection
    /// answers `100 Continue` once and clears it with `continueSent()`.
    public private(set) var wantsContinue = false

    public init(limits: HTTPParserLimits) {
        self.limits = limits
    }

    /// Whether part of a request (head or body) has been consumed: a timeout now deserves a 408.
    public var isMidRequest: Bool {
        if case .head = state { return false }
        return true
    }

    /// The head of the request whose body is being received, once its head is complete and until the request
    /// is: a connection can refuse it (a missing key) before reading a body it does not want.
    public var headAwaitingBody: HTTPRequestHead? {
        switch state {
        case .head: return nil
        case .fixedBody(let head, _), .chunkSize(let head), .chunkData(let head, _), .chunkDataEnd(let head), .trailers(let head, _):
            return HTTPRequestHead(method: head.method, target: head.target, minorVersion: head.minorVersion, headers: head.headers)
        }
    }

    /// Reserves room for the whole announced body at once, once its sender was accepted (`headAwaitingBody`):
    /// growing by doubling would hold up to twice the body while copying.
    public mutating func reserveAnnouncedBody() {
        guard case .fixedBody(_, let remaining) = state else { return }
        body.reserveCapacity(body.count + remaining)
    }

    /// Acknowledges that `100 Continue` was written.
    public mutating func continueSent() {
        wantsContinue = false
    }

    /// Parses as far as the buffered bytes allow.
    public mutating func parse(_ buffer: inout InputBuffer) -> HTTPParseEvent {
        while true {
            switch state {
            case .head(let scannedUpTo):
                switch parseHead(&buffer, scannedUpTo: scannedUpTo) {
                case .needMore(let scanned):
                    state = .head(scannedUpTo: scanned)
                    return .needMore
                case .failure(let failure):
                    return .failure(failure)
                case .head(let head, let framing):
                    switch framing {
                    case .none:
                        state = .head(scannedUpTo: 0)
                        return .request(makeRequest(head))
                    case .length(let length):
                        // The length is within the body limit; the buffer grows as bytes arrive, so a client that
                        // announces 32 MiB and sends nothing holds nothing.
                        body.reserveCapacity(min(length, 1 << 20))
                        state = .fixedBody(head, remaining: length)
                    case .chunked:
                        state = .chunkSize(head)
                    }
                    let expectsContinue = head.minorVersion >= 1 && (head.headers["Expect"]?.caseInsensitiveEquals("100-continue") ?? false)
                    wantsContinue = expectsContinue
                }
            case .fixedBody(let head, let remaining):
                let take = min(remaining, buffer.readableCount)
                body.append(contentsOf: buffer.bytes[buffer.readIndex..<(buffer.readIndex + take)])
                buffer.consume(take)
                if take == remaining {
                    state = .head(scannedUpTo: 0)
                    wantsContinue = false
                    return .request(makeRequest(head))
                }
                state = .fixedBody(head, remaining: remaining - take)
                return .needMore
            case .chunkSize(let head):
                guard let line = takeLine(&buffer, limit: 4096) else {
                    // takeLine looks at the line plus its CRLF; fewer bytes than that may still end in time.
                    if buffer.readableCount >= 4096 + 2 { return .failure(.bad("chunk size line too long")) }
                    return .needMore
                }
                guard let size = Self.parseChunkSize(line) else { return .failure(.bad("malformed chunk size")) }
                if size == 0 {
                    state = .trailers(head, seen: 0)
                } else {
                    if body.count + size > limits.maxBodyBytes { return .failure(Self.tooLarge(limits)) }
                    state = .chunkData(head, remaining: size)
                }
            case .chunkData(let head, let remaining):
                let take = min(remaining, buffer.readableCount)
                body.append(contentsOf: buffer.bytes[buffer.readIndex..<(buffer.readIndex + take)])
                buffer.consume(take)
                if take < remaining {
                    state = .chunkData(head, remaining: remaining - take)
                    return .needMore
                }
                state = .chunkDataEnd(head)
            case .chunkDataEnd(let head):
                guard buffer.readableCount >= 2 else {
                    if buffer.readableCount == 1 && buffer.bytes[buffer.readIndex] != UInt8(ascii: "\r") {
                        return .failure(.bad("chunk data not followed by CRLF"))
                    }
                    return .needMore
                }
                guard buffer.bytes[buffer.readIndex] == UInt8(ascii: "\r"), buffer.bytes[buffer.readIndex + 1] == UInt8(ascii: "\n") else {
                    return .failure(.bad("chunk data not followed by CRLF"))
                }
                buffer.consume(2)
                state = .chunkSize(head)
            case .trailers(let head, let seen):
                guard let line = takeLine(&buffer, limit: limits.maxHeaderBytes) else {
                    // One byte of slack: a lone CR may be the start of the final blank line, which costs nothing.
                    if seen + buffer.readableCount > limits.maxHeaderBytes + 1 {
                        return .failure(HTTPParseFailure(status: 431, message: "trailer section too large"))
                    }
                    return .needMore
                }
                if line.isEmpty {
                    state = .head(scannedUpTo: 0)
                    wantsContinue = false
                    return .request(makeRequest(head))
                }
                let total = seen + line.count + 2
                if total > limits.maxHeaderBytes {
                    return .failure(HTTPParseFailure(status: 431, message: "trailer section too large"))
                }
                state = .trailers(head, seen: total)
            }
        }
    }

    /// The finished request, taking the body buffer with it.
    private mutating func makeRequest(_ head: Head) -> HTTPRequest {
        var taken: [UInt8] = []
        swap(&taken, &body)
        return HTTPRequest(method: head.method, target: head.target, minorVersion: head.minorVersion, headers: head.headers, body: taken)
    }

    private static func tooLarge(_ limits: HTTPParserLimits) -> HTTPParseFailure {
        HTTPParseFailure(status: 413, message: "request body is larger than \(limits.maxBodyBytes) bytes")
    }

    // MARK: Head

    private enum Framing { case none, length(Int), chunked }
    private enum HeadOutcome { case needMore(scanned: Int), failure(HTTPParseFailure), head(Head, Framing) }

    private func parseHead(_ buffer: inout InputBuffer, scannedUpTo: Int) -> HeadOutcome {
        // Tolerate empty lines before the request line (RFC 9112 §2.2).
        while buffer.readableCount > 0 {
            let b = buffer.bytes[buffer.readIndex]
            if b == UInt8(ascii: "\r") || b == UInt8(ascii: "\n") { buffer.consume(1) } else { break }
        }
        let bytes = buffer.bytes
        let start = buffer.readIndex
        let end = bytes.count
        var i = max(start, start + scannedUpTo - 3)
        var headEnd = -1
        var bodyStart = -1
        while i < end {
            if bytes[i] == UInt8(ascii: "\n") {
                if i + 1 < end && bytes[i + 1] == UInt8(ascii: "\n") {
                    headEnd = i; bodyStart = i + 2; break
                }
                if i + 2 < end && bytes[i + 1] == UInt8(ascii: "\r") && bytes[i + 2] == UInt8(ascii: "\n") {
                    headEnd = i; bodyStart = i + 3; break
                }
            }
            i += 1
        }
        guard headEnd >= 0 else {
            // Two bytes of slack: "\n\r" may be the start of the terminator, which does not count as header bytes.
            if end - start > limits.maxHeaderBytes + 2 {
                return .failure(
                    HTTPParseFailure(status: 431, message: "request header block is larger than \(limits.maxHeaderBytes) bytes"))
            }
            return .needMore(scanned: end - start)
        }
        if headEnd - start > limits.maxHeaderBytes {
            return .failure(HTTPParseFailure(status: 431, message: "request header block is larger than \(limits.maxHeaderBytes) bytes"))
        }
        let outcome = Self.parseHeadLines(bytes[start..<headEnd])
        buffer.consume(bodyStart - start)
        switch outcome {
        case .failure(let failure): return .failure(failure)
        case .success(let head): return frame(head)
        }
    }

    private func frame(_ head: Head) -> HeadOutcome {
        let transferEncodings = head.headers.values("Transfer-Encoding")
        let lengths = head.headers.values("Content-Length")
        if !transferEncodings.isEmpty {
            if !lengths.isEmpty {
                return .failure(.bad("Content-Length and Transfer-Encoding must not both be present"))
            }
            if head.minorVersion == 0 {
                return .failure(.bad("Transfer-Encoding is not allowed in HTTP/1.0"))
            }
            let codings = transferEncodings.flatMap { $0.split(separator: ",").map { $0.trimmingSpaces() } }
            guard let last = codings.last, last.caseInsensitiveEquals("chunked") else {
                return .failure(.bad("unsupported Transfer-Encoding (only chunked is accepted)"))
            }
            guard codings.count == 1 else {
                return .failure(HTTPParseFailure(status: 501, message: "transfer codings other than chunked are not implemented"))
            }
            return .head(head, .chunked)
        }
        guard !lengths.isEmpty else { return .head(head, .none) }
        var value: Int?
        for text in lengths.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
            let trimmed = text.trimmingSpaces()
            guard !trimmed.isEmpty, trimmed.utf8.count <= 18, trimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(trimmed)
            else {
                return .failure(.bad("malformed Content-Length"))
            }
            if let previous = value, previous != n { return .failure(.bad("conflicting Content-Length values")) }
            value = n
        }
        guard let length = value else { return .failure(.bad("malformed Content-Length")) }
        if length > limits.maxBodyBytes { return .failure(Self.tooLarge(limits)) }
        return length == 0 ? .head(head, .none) : .head(head, .length(length))
    }

    private static func parseHeadLines(_ block: ArraySlice<UInt8>) -> Result<Head, HTTPParseFailure> {
        var lines = block.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).makeIterator()
        guard var requestLine = lines.next() else { return .failure(.bad("missing request line")) }
        if requestLine.last == UInt8(ascii: "\r") { requestLine = requestLine.dropLast() }
        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty,
            parts[0].allSatisfy(isTokenByte),
            parts[1].allSatisfy({ $0 > 0x20 && $0 != 0x7F })
        else { return .failure(.bad("malformed request line")) }
        let version = parts[2]
        let minor: Int
        switch Array(version) {
        case Array("HTTP/1.1".utf8): minor = 1
        case Array("HTTP/1.0".utf8): minor = 0
        default:
            if version.starts(with: "HTTP/".utf8), version.count == 8 {
                return .failure(HTTPParseFailure(status: 505, message: "HTTP version not supported"))
            }
            return .failure(.bad("malformed request line"))
        }
        var headers = HTTPHeaders()
        while var line = lines.next() {
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.isEmpty { continue }
            if line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t") {
                return .failure(.bad("obsolete header line folding is not accepted"))
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return .failure(.bad("malformed header line")) }
            let name = line[line.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy(isTokenByte) else { return .failure(.bad("malformed header name")) }
            var value = line[(colon + 1)...]
            while let f = value.first, f == UInt8(ascii: " ") || f == UInt8(ascii: "\t") { value = value.dropFirst() }
            while let l = value.last, l == UInt8(ascii: " ") || l == UInt8(ascii: "\t") { value = value.dropLast() }
            guard value.allSatisfy({ $0 != 0 && $0 != UInt8(ascii: "\r") }) else { return .failure(.bad("invalid byte in header value")) }
            headers.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
        }
        return .success(
            Head(
                method: String(decoding: parts[0], as: UTF8.self),
                target: String(decoding: parts[1], as: UTF8.self),
                minorVersion: minor,
                headers: headers))
    }

    private static func isTokenByte(_ b: UInt8) -> Bool {
        tokenBytes[Int(b)]
    }

    /// RFC 9110 `tchar`, as a table: header names are checked byte by byte.
    private static let tokenBytes: [Bool] = (0..<256).map { value in
        let b = UInt8(value)
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }

    // MARK: Chunked

    /// Takes one line (without its CRLF/LF) if a full line is buffered.
    private func takeLine(_ buffer: inout InputBuffer, limit: Int) -> ArraySlice<UInt8>? {
        let bytes = buffer.bytes
        let start = buffer.readIndex
        let end = min(bytes.count, start + limit + 2)
        guard let newline = bytes[start..<end].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        var line = bytes[start..<newline]
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        buffer.consume(newline + 1 - start)
        return line
    }

    private static func parseChunkSize(_ line: ArraySlice<UInt8>) -> Int? {
        let sizePart = line.prefix { $0 != UInt8(ascii: ";") }
        let digits = sizePart.reversed().drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }.reversed()
        guard !digits.isEmpty, digits.count <= 15 else { return nil }
        var value = 0
        for b in digits {
            let d: Int
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = Int(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = Int(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = Int(b - UInt8(ascii: "A") + 10)
            default: return nil
            }
            value = value * 16 + d
        }
        return value
    }
}
