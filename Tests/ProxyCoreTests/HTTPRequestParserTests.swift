import Testing

@testable import ProxyCore

/// A request reduced to comparable parts.
private struct Parsed: Equatable, CustomStringConvertible {
    var method: String
    var target: String
    var minorVersion: Int
    var headers: [String]
    var body: [UInt8]

    init(_ request: HTTPRequest) {
        method = request.method
        target = request.target
        minorVersion = request.minorVersion
        headers = request.headers.fields.map { "\($0.name): \($0.value)" }
        body = request.body
    }

    init(_ method: String, _ target: String, minor: Int = 1, headers: [String] = [], body: String = "") {
        self.method = method
        self.target = target
        self.minorVersion = minor
        self.headers = headers
        self.body = Array(body.utf8)
    }

    var description: String {
        "\(method) \(target) HTTP/1.\(minorVersion) \(headers) body=\(String(decoding: body, as: UTF8.self).debugDescription)"
    }
}

/// How feeding a byte stream ended.
private enum End: Equatable {
    /// Every byte was offered; the parser waits for more with these bytes still unread.
    case needMore(unread: [UInt8], wantsContinue: Bool)
    case failure(status: Int, message: String)
}

/// Everything a connection would see when the stream arrives in `pieces`.
private struct Outcome: Equatable {
    var requests: [Parsed] = []
    var end: End = .needMore(unread: [], wantsContinue: false)
}

private let testLimits = HTTPParserLimits()

/// Feeds `pieces` in order, parsing after each until the parser needs more; stops at the first failure.
private func feed(_ pieces: [ArraySlice<UInt8>], limits: HTTPParserLimits = testLimits) -> Outcome {
    var parser = HTTPRequestParser(limits: limits)
    var buffer = InputBuffer()
    var outcome = Outcome()
    for piece in pieces {
        buffer.append(Array(piece))
        parsing: while true {
            switch parser.parse(&buffer) {
            case .needMore: break parsing
            case .request(let request): outcome.requests.append(Parsed(request))
            case .failure(let failure):
                outcome.end = .failure(status: failure.status, message: failure.message)
                return outcome
            }
        }
    }
    outcome.end = .needMore(unread: Array(buffer.bytes[buffer.readIndex...]), wantsContinue: parser.wantsContinue)
    return outcome
}

private func feed(_ text: String, limits: HTTPParserLimits = testLimits) -> Outcome {
    feed([Array(text.utf8)[...]], limits: limits)
}

/// `bytes` split at `cuts` (sorted offsets).
private func pieces(_ bytes: [UInt8], cuts: [Int]) -> [ArraySlice<UInt8>] {
    var result: [ArraySlice<UInt8>] = []
    var start = 0
    for cut in cuts + [bytes.count] {
        result.append(bytes[start..<cut])
        start = cut
    }
    return result
}

/// Checks that every single split point, and byte-by-byte feeding, gives the same outcome as one piece.
private func expectSplitIndependent(
    _ text: String, limits: HTTPParserLimits = testLimits, sourceLocation: SourceLocation = #_sourceLocation
) -> Outcome {
    let bytes = Array(text.utf8)
    let whole = feed([bytes[...]], limits: limits)
    for cut in 0...bytes.count {
        let split = feed(pieces(bytes, cuts: [cut]), limits: limits)
        #expect(split == whole, "split at \(cut)", sourceLocation: sourceLocation)
        if split != whole { break }
    }
    let bytewise = feed(bytes.indices.map { bytes[$0...$0] }, limits: limits)
    #expect(bytewise == whole, "byte by byte", sourceLocation: sourceLocation)
    return whole
}

private func failure(_ status: Int, _ message: String) -> End {
    .failure(status: status, message: message)
}

private let bad = 400

@Suite struct HTTPRequestParserTests {
    // MARK: Well-formed requests

    @Test func simpleGet_yieldsMethodTargetVersionAndHeadersInOrder() {
        var parser = HTTPRequestParser(limits: testLimits)
        var buffer = InputBuffer()
        buffer.append(Array("GET /v1/models?limit=5 HTTP/1.1\r\nHost: localhost:8080\r\nAccept: */*\r\n\r\n".utf8))
        guard case .request(let request) = parser.parse(&buffer) else {
            Issue.record("expected a request")
            return
        }
        #expect(request.method == "GET")
        #expect(request.target == "/v1/models?limit=5")
        #expect(request.path == "/v1/models")
        #expect(request.minorVersion == 1)
        #expect(request.headers == HTTPHeaders([("Host", "localhost:8080"), ("Accept", "*/*")]))
        #expect(request.body.isEmpty)
        #expect(request.keepAlive)
        #expect(buffer.readableCount == 0)
        #expect(!parser.isMidRequest)
        #expect(!parser.wantsContinue)
        guard case .needMore = parser.parse(&buffer) else {
            Issue.record("an empty buffer needs more")
            return
        }
    }

    @Test func headerValues_areTrimmed_andLookedUpCaseInsensitively() {
        var parser = HTTPRequestParser(limits: testLimits)
        var buffer = InputBuffer()
        buffer.append(Array("GET / HTTP/1.1\r\nX-Pad: \t spaced out \t\r\nx-multi: a\r\nX-Empty:\r\nX-MULTI: b\r\n\r\n".utf8))
        guard case .request(let request) = parser.parse(&buffer) else {
            Issue.record("expected a request")
            return
        }
        #expect(request.headers["x-pad"] == "spaced out")
        #expect(request.headers["X-Empty"] == "")
        #expect(request.headers["X-Multi"] == "a")
        #expect(request.headers.values("x-MULTI") == ["a", "b"])
        #expect(request.headers["Missing"] == nil)
        #expect(request.headers.fields.map(\.name) == ["X-Pad", "x-multi", "X-Empty", "X-MULTI"])
    }

    @Test(arguments: [("/a/b?x=1?y", "/a/b"), ("/plain", "/plain"), ("?only", ""), ("/trailing?", "/trailing")])
    func path_dropsTheQueryString(target: String, path: String) {
        let request = HTTPRequest(method: "GET", target: target, minorVersion: 1, headers: HTTPHeaders(), body: [])
        #expect(request.path == path)
    }

    @Test func postWithContentLength_readsExactlyThatManyBodyBytes() {
        let outcome = feed("POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 11\r\n\r\n{\"a\":true}\nGET")
        #expect(
            outcome.requests == [
                Parsed("POST", "/v1/chat/completions", headers: ["Content-Length: 11"], body: "{\"a\":true}\n")
            ])
        #expect(outcome.end == .needMore(unread: Array("GET".utf8), wantsContinue: false))
    }

    @Test func bodyArrivingLater_isMidRequestUntilComplete() {
        var parser = HTTPRequestParser(limits: testLimits)
        var buffer = InputBuffer()
        buffer.append(Array("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhe".utf8))
        guard case .needMore = parser.parse(&buffer) else {
            Issue.record("the body is incomplete")
            return
        }
        #expect(parser.isMidRequest)
        #expect(buffer.readableCount == 0)
        buffer.append(Array("llo".utf8))
        guard case .request(let request) = parser.parse(&buffer) else {
            Issue.record("the body is complete")
            return
        }
        #expect(request.body == Array("hello".utf8))
        #expect(!parser.isMidRequest)
    }

    @Test func contentLengthZero_isARequestWithAnEmptyBody() {
        let outcome = feed("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        #expect(outcome.requests == [Parsed("POST", "/", headers: ["Content-Length: 0"])])
        #expect(outcome.end == .needMore(unread: [], wantsContinue: false))
    }

    @Test func repeatedEqualContentLengths_areAccepted() {
        let outcome = feed("POST / HTTP/1.1\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc")
        #expect(outcome.requests.map(\.body) == [Array("abc".utf8)])
        #expect(outcome.end == .needMore(unread: [], wantsContinue: false))
    }

    @Test func chunkedBody_isDechunked_ignoringExtensionsAndTrailers() {
        let text =
            "POST /v1/chat/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "4;name=value\r\nWiki\r\n5 ; quoted=\"a;b\"\r\npedia\r\ne\r\n in\r\n\r\nchunks.\r\nA\r\n0123456789\r\n"
            + "0;last\r\nExpires: never\r\nX-Trailer: yes\r\n\r\n"
        let outcome = feed(text)
        #expect(
            outcome.requests == [
                Parsed(
                    "POST", "/v1/chat/completions", headers: ["Transfer-Encoding: chunked"],
                    body: "Wikipedia in\r\n\r\nchunks.0123456789")
            ])
        #expect(outcome.end == .needMore(unread: [], wantsContinue: false))
    }

    @Test func chunkedBody_withoutTrailers_endsAtTheBlankLine() {
        let outcome = feed("POST / HTTP/1.1\r\ntransfer-encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n")
        #expect(outcome.requests.map(\.body) == [Array("abc".utf8)])
        #expect(outcome.end == .needMore(unread: Array("GET / HTTP/1.1\r\n".utf8), wantsContinue: false))
    }

    @Test func chunkedBody_withOnlyTheLastChunk_isEmpty() {
        let outcome = feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        #expect(outcome.requests.map(\.body) == [[]])
    }

    @Test func chunkSizeAndTrailerLines_acceptBareLF() {
        let outcome = feed("POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n3\nabc\r\n0\nX-T: 1\n\n")
        #expect(outcome.requests.map(\.body) == [Array("abc".utf8)])
        #expect(outcome.end == .needMore(unread: [], wantsContinue: false))
    }

    @Test func bareLFLineEndings_areAccepted() {
        let outcome = feed("POST /x HTTP/1.1\nHost: h\nContent-Length: 2\n\nhi")
        #expect(outcome.requests == [Parsed("POST", "/x", headers: ["Host: h", "Content-Length: 2"], body: "hi")])
    }

    @Test func leadingEmptyLines_areTolerated_beforeAndBetweenRequests() {
        let outcome = feed("\r\n\n\r\nGET /a HTTP/1.1\r\n\r\n\r\n\r\nGET /b HTTP/1.1\r\n\r\n\r\n")
        #expect(outcome.requests == [Parsed("GET", "/a"), Parsed("GET", "/b")])
        #expect(outcome.end == .needMore(unread: [], wantsContinue: false))
    }

    // MARK: Splitting and pipelining

    @Test func sameStream_splitAtEveryByteBoundary_yieldsTheSameRequests() {
        let stream =
            "GET /v1/models HTTP/1.1\r\nHost: a\r\n\r\n"
            + "\r\nPOST /v1/chat/completions HTTP/1.1\r\nContent-Length: 13\r\nExpect: 100-continue\r\n\r\n{\"model\":\"x\"}"
            + "POST /chunked HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;ext=1\r\nhello\r\n1 \r\n,\r\n6\r\n world\r\n0\r\nTrailer-A: 1\r\n\r\n"
            + "GET /lf HTTP/1.0\nConnection: keep-alive\n\n"
            + "POST /tail HTTP/1.1\r\nContent-Length: 10\r\n\r\n01234"
        let outcome = expectSplitIndependent(stream)
        #expect(
            outcome.requests == [
                Parsed("GET", "/v1/models", headers: ["Host: a"]),
                Parsed(
                    "POST", "/v1/chat/completions", headers: ["Content-Length: 13", "Expect: 100-continue"],
                    body: "{\"model\":\"x\"}"),
                Parsed("POST", "/chunked", headers: ["Transfer-Encoding: chunked"], body: "hello, world"),
                Parsed("GET", "/lf", minor: 0, headers: ["Connection: keep-alive"]),
            ])
        #expect(outcome.end == .needMore(unread: [], wantsContinue: false))
    }

    @Test func pipelinedRequests_comeOutInOrder_leavingTheRemainderBuffered() {
        let first = "GET /1 HTTP/1.1\r\n\r\n"
        let second = "POST /2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
        let third = "DELETE /3 HTTP/1.1\r\n\r\n"
        let partial = "GET /4 HTTP/1.1\r\nHo"
        var parser = HTTPRequestParser(limits: testLimits)
        var buffer = InputBuffer()
        buffer.append(Array((first + second + third + partial).utf8))

        guard case .request(let one) = parser.parse(&buffer) else {
            Issue.record("expected /1")
            return
        }
        #expect(one.target == "/1")
        #expect(Array(buffer.bytes[buffer.readIndex...]) == Array((second + third + partial).utf8))

        guard case .request(let two) = parser.parse(&buffer) else {
            Issue.record("expected /2")
            return
        }
        #expect(two.target == "/2")
        #expect(two.body == Array("abc".utf8))
        #expect(Array(buffer.bytes[buffer.readIndex...]) == Array((third + partial).utf8))

        guard case .request(let three) = parser.parse(&buffer) else {
            Issue.record("expected /3")
            return
        }
        #expect(three.method == "DELETE")
        #expect(Array(buffer.bytes[buffer.readIndex...]) == Array(partial.utf8))

        guard case .needMore = parser.parse(&buffer) else {
            Issue.record("/4 is incomplete")
            return
        }
        #expect(Array(buffer.bytes[buffer.readIndex...]) == Array(partial.utf8))
        #expect(!parser.isMidRequest)
    }

    // MARK: Connection persistence

    @Test(
        arguments: [
            ("1.1", nil, true),
            ("1.1", "close", false),
            ("1.1", "CLOSE", false),
            ("1.1", "keep-alive, Close", false),
            ("1.1", "keep-alive", true),
            ("1.1", "Upgrade", true),
            ("1.0", nil, false),
            ("1.0", "keep-alive", true),
            ("1.0", "Keep-Alive", true),
            ("1.0", " foo ,  keep-alive ", true),
            ("1.0", "close", false),
        ] as [(String, String?, Bool)])
    func keepAlive_followsVersionDefaultAndConnectionTokens(version: String, connection: String?, expected: Bool) {
        var parser = HTTPRequestParser(limits: testLimits)
        var buffer = InputBuffer()
        let header = connection.map { "Connection: \($0)\r\n" } ?? ""
        buffer.append(Array("GET / HTTP/\(version)\r\n\(header)\r\n".utf8))
        guard case .request(let request) = parser.parse(&buffer) else {
            Issue.record("expected a request")
            return
        }
        #expect(request.minorVersion == (version == "1.0" ? 0 : 1))
        #expect(request.keepAlive == expected)
    }

    // MARK: Expect: 100-continue

    @Test func expectContinue_isWantedUntilTheBodyArrives() {
        var parser = HTTPRequestParser(limits: testLimits)
        var buffer = InputBuffer()
        buffer.append(Array("POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 4\r\n\r\n".utf8))
        guard case .needMore = parser.parse(&buffer) else {
            Issue.record("the body is missing")
            return
        }
        #expect(parser.wantsContinue)
        #expect(parser.isMidRequest)
        parser.continueSent()
        #expect(!parser.wantsContinue)
        buffer.append(Array("da".utf8))
        guard case .needMore = parser.parse(&buffer) else {
            Issue.record("the body is incomplete")
            return
        }
        #expect(!parser.wantsContinue)
        buffer.append(Array("ta".utf8))
        guard case .request(let request) = parser.parse(&buffer) else {
            Issue.record("the body is complete")
            return
        }
        #expect(request.body == Array("data".utf8))
        #expect(!parser.wantsContinue)
    }

    @Test func expectContinue_isClearedWhenTheBodyArrivesWithoutAContinue() {
        var parser = HTTPRequestParser(limits: testLimits)
        var buffer = InputBuffer()
        buffer.append(Array("POST / HTTP/1.1\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n".utf8))
        guard case .needMore = parser.parse(&buffer) else {
            Issue.record("the body is missing")
            return
        }
        #expect(parser.wantsContinue)
        buffer.append(Array("2\r\nok\r\n".utf8))
        _ = parser.parse(&buffer)
        #expect(parser.wantsContinue)
        buffer.append(Array("0\r\n\r\n".utf8))
        guard case .request(let request) = parser.parse(&buffer) else {
            Issue.record("the body is complete")
            return
        }
        #expect(request.body == Array("ok".utf8))
        #expect(!parser.wantsContinue)
    }

    @Test(arguments: [
        "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
        "POST / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n",
        "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n",
    ])
    func expectContinue_isNotWanted_whenNoBodyIsOutstanding(text: String) {
        let outcome = feed(text)
        #expect(outcome.requests.count == 1)
        #expect(outcome.end == .needMore(unread: [], wantsContinue: false))
    }

    @Test(arguments: [
        "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n",
        "POST / HTTP/1.1\r\nExpect: something-else\r\nContent-Length: 2\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n",
    ])
    func expectContinue_isNotWanted_forHTTP10OrOtherExpectations(text: String) {
        let outcome = feed(text)
        #expect(outcome.requests.isEmpty)
        #expect(outcome.end == .needMore(unread: [], wantsContinue: false))
    }

    // MARK: Limits

    /// A head whose block (request line through the last header's CR) is `size` bytes.
    private static func head(blockSize size: Int) -> String {
        let prefix = "GET / HTTP/1.1\r\nX-Fill: "
        return prefix + String(repeating: "f", count: size - prefix.utf8.count - 1) + "\r\n\r\n"
    }

    @Test func headerBlock_exactlyAtTheLimit_isAccepted_howeverItIsSplit() {
        let limits = HTTPParserLimits(maxHeaderBytes: 100, maxBodyBytes: 100)
        let outcome = expectSplitIndependent(Self.head(blockSize: 100), limits: limits)
        #expect(outcome.requests.count == 1)
        #expect(outcome.end == .needMore(unread: [], wantsContinue: false))
    }

    @Test func headerBlock_overTheLimit_whenTheTerminatorComesTooLate_is431() {
        let limits = HTTPParserLimits(maxHeaderBytes: 100, maxBodyBytes: 100)
        let outcome = expectSplitIndependent(Self.head(blockSize: 101), limits: limits)
        #expect(outcome.requests.isEmpty)
        #expect(outcome.end == failure(431, "request header block is larger than 100 bytes"))
    }

    @Test func headerBlock_overTheLimit_whenTheTerminatorNeverComes_is431() {
        let limits = HTTPParserLimits(maxHeaderBytes: 100, maxBodyBytes: 100)
        var parser = HTTPRequestParser(limits: limits)
        var buffer = InputBuffer()
        buffer.append(Array("GET / HTTP/1.1\r\nX-Fill: ".utf8))
        var fed = buffer.readableCount
        var result = parser.parse(&buffer)
        while case .needMore = result, fed < 10_000 {
            buffer.append([UInt8(ascii: "f")])
            fed += 1
            result = parser.parse(&buffer)
        }
        guard case .failure(let failure) = result else {
            Issue.record("an endless header block must fail")
            return
        }
        #expect(failure == HTTPParseFailure(status: 431, message: "request header block is larger than 100 bytes"))
        // Two bytes of slack: they could have been the start of the blank line that ends the block.
        #expect(fed == 103)
    }

    @Test func contentLength_overTheBodyLimit_is413_beforeTheBodyArrives() {
        let limits = HTTPParserLimits(maxHeaderBytes: 1024, maxBodyBytes: 64)
        #expect(
            feed("POST / HTTP/1.1\r\nContent-Length: 65\r\n\r\n", limits: limits).end
                == failure(413, "request body is larger than 64 bytes"))
        #expect(
            feed("POST / HTTP/1.1\r\nContent-Length: 64\r\n\r\n", limits: limits).end
                == .needMore(unread: [], wantsContinue: false))
        #expect(
            feed("POST / HTTP/1.1\r\nContent-Length: 999999999999999999\r\n\r\n", limits: limits).end
                == failure(413, "request body is larger than 64 bytes"))
    }

    @Test func chunkedBody_growingPastTheLimit_is413_atTheChunkSizeLine() {
        let limits = HTTPParserLimits(maxHeaderBytes: 1024, maxBodyBytes: 64)
        let head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        let forty = "28\r\n" + String(repeating: "a", count: 40) + "\r\n"
        #expect(feed(head + forty + "18\r\n", limits: limits).end == .needMore(unread: [], wantsContinue: false))
        #expect(feed(head + forty + "19\r\n", limits: limits).end == failure(413, "request body is larger than 64 bytes"))
        #expect(feed(head + "FFFFFFFFFFFFFFF\r\n", limits: limits).end == failure(413, "request body is larger than 64 bytes"))
        let exact = feed(head + forty + "18\r\n" + String(repeating: "b", count: 24) + "\r\n0\r\n\r\n", limits: limits)
        #expect(exact.requests.map(\.body.count) == [64])
    }

    @Test func trailerSection_overTheHeaderLimit_is431() {
        let limits = HTTPParserLimits(maxHeaderBytes: 64, maxBodyBytes: 64)
        let head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
        let line = "X-T: " + String(repeating: "t", count: 25) + "\r\n"  // 32 bytes with CRLF
        let fits = expectSplitIndependent(head + line + line + "\r\n", limits: limits)
        #expect(fits.requests.count == 1)
        let tooMany = expectSplitIndependent(head + line + line + "X\r\n\r\n", limits: limits)
        #expect(tooMany.end == failure(431, "trailer section too large"))
        #expect(feed(head + String(repeating: "t", count: 70), limits: limits).end == failure(431, "trailer section too large"))
    }

    @Test func chunkSizeLine_longerThan4096Bytes_is400_howeverItIsSplit() {
        let head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        let longest = "1;" + String(repeating: "e", count: 4094)  // 4096 bytes before CRLF
        let fits = feed(head + longest + "\r\nx\r\n0\r\n\r\n")
        #expect(fits.requests.map(\.body) == [[UInt8(ascii: "x")]])
        let split = feed([Array((head + longest + "\r").utf8)[...], Array("\nx\r\n0\r\n\r\n".utf8)[...]])
        #expect(split == fits)
        #expect(feed(head + longest + "ee\r\n").end == failure(bad, "chunk size line too long"))
        #expect(feed(head + longest + "eee").end == failure(bad, "chunk size line too long"))
    }

    // MARK: Framing errors

    @Test(arguments: [
        "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
    ])
    func contentLengthWithTransferEncoding_is400(text: String) {
        #expect(feed(text).end == failure(bad, "Content-Length and Transfer-Encoding must not both be present"))
    }

    @Test func transferEncodingInHTTP10_is400() {
        #expect(
            feed("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n").end
                == failure(bad, "Transfer-Encoding is not allowed in HTTP/1.0"))
    }

    @Test(arguments: [
        "Content-Length: 5\r\nContent-Length: 6",
        "Content-Length: 5, 6",
        "Content-Length: 0, 00, 1",
    ])
    func conflictingContentLengths_are400(headers: String) {
        #expect(feed("POST / HTTP/1.1\r\n\(headers)\r\n\r\n").end == failure(bad, "conflicting Content-Length values"))
    }

    @Test(arguments: ["abc", "-1", "+5", "", "5 5", "0x10", "1e3", "5,", ",5", "1234567890123456789", "٣"])
    func nonNumericContentLength_is400(value: String) {
        #expect(feed("POST / HTTP/1.1\r\nContent-Length: \(value)\r\n\r\n").end == failure(bad, "malformed Content-Length"))
    }

    @Test(arguments: ["gzip", "chunked, gzip", "identity", "chunkedx", ""])
    func transferEncodingNotEndingInChunked_is400(value: String) {
        #expect(
            feed("POST / HTTP/1.1\r\nTransfer-Encoding: \(value)\r\n\r\n").end
                == failure(bad, "unsupported Transfer-Encoding (only chunked is accepted)"))
    }

    @Test(arguments: [
        "Transfer-Encoding: gzip, chunked",
        "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked",
        "Transfer-Encoding: chunked, chunked",
    ])
    func otherCodingsBeforeChunked_are501(headers: String) {
        #expect(
            feed("POST / HTTP/1.1\r\n\(headers)\r\n\r\n").end
                == failure(501, "transfer codings other than chunked are not implemented"))
    }

    // MARK: Malformed heads

    @Test(arguments: [
        "GET /",
        "GET",
        "GET  / HTTP/1.1",
        "GET / HTTP/1.1 ",
        " GET / HTTP/1.1",
        "GET /  HTTP/1.1",
        "GET\t/ HTTP/1.1",
        "G\u{1}T / HTTP/1.1",
        "GE(T / HTTP/1.1",
        "GET /a\u{7F}b HTTP/1.1",
        "GET /a\u{0}b HTTP/1.1",
        "GET /a\u{1B}b HTTP/1.1",
        "GET / http/1.1",
        "GET / HTTP/1.1x",
        "GET / HTTP/1",
        "GET / HTTP/1.1\r",
        "GET / HTTP/1.1 extra",
        "/ HTTP/1.1",
    ])
    func malformedRequestLine_is400(line: String) {
        #expect(feed(line + "\r\nHost: x\r\n\r\n").end == failure(bad, "malformed request line"))
    }

    @Test(arguments: ["HTTP/2.0", "HTTP/3.0", "HTTP/0.9"])
    func unsupportedVersion_is505(version: String) {
        #expect(feed("GET / \(version)\r\n\r\n").end == failure(505, "HTTP version not supported"))
    }

    @Test(arguments: ["X-A: 1\r\n continued", "X-A: 1\r\n\tcontinued", "X-A: 1\n continued"])
    func obsoleteLineFolding_is400(headers: String) {
        #expect(
            feed("GET / HTTP/1.1\r\n\(headers)\r\n\r\n").end
                == failure(bad, "obsolete header line folding is not accepted"))
    }

    @Test func headerLineWithoutColon_is400() {
        #expect(feed("GET / HTTP/1.1\r\nHost localhost\r\n\r\n").end == failure(bad, "malformed header line"))
    }

    @Test(arguments: ["Host : x", ": x", "Ho st: x", "Höst: x", "X(y): z"])
    func malformedHeaderName_is400(line: String) {
        #expect(feed("GET / HTTP/1.1\r\n\(line)\r\n\r\n").end == failure(bad, "malformed header name"))
    }

    @Test(arguments: ["X-A: a\u{0}b", "X-A: a\rb"])
    func headerValueWithNULOrBareCR_is400(line: String) {
        #expect(feed("GET / HTTP/1.1\r\n\(line)\r\n\r\n").end == failure(bad, "invalid byte in header value"))
    }

    // MARK: Malformed chunked bodies

    @Test(arguments: ["zz", "", " 5", "5 5", "-1", "0x5", "+5", ";ext", "1000000000000000", "5\r"])
    func malformedChunkSize_is400(sizeLine: String) {
        let text = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\(sizeLine)\r\nhello\r\n0\r\n\r\n"
        #expect(feed(text).end == failure(bad, "malformed chunk size"))
    }

    @Test(arguments: ["abcX", "abc\nX", "abc\rX", "abcd\r\n"])
    func chunkDataNotFollowedByCRLF_is400(data: String) {
        let text = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n\(data)"
        #expect(expectSplitIndependent(text).end == failure(bad, "chunk data not followed by CRLF"))
    }

    @Test func chunkDataAwaitingItsCR_needsMore() {
        let text = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r"
        #expect(feed(text).end == .needMore(unread: [UInt8(ascii: "\r")], wantsContinue: false))
    }

    // MARK: Robustness

    /// Random streams built from HTTP fragments and stray bytes, under small limits: parsing never traps, every
    /// stream ends in a request sequence plus need-more or failure, and that outcome is the same whether the stream
    /// arrives whole, in random pieces, or byte by byte.
    @Test func randomGarbage_neverTraps_andIsSplitIndependent() {
        let fragments = [
            "GET", "POST", "PUT", " ", "  ", "/", "/v1/chat/completions", "?q=1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0",
            "HTTP/1.", "\r\n", "\n", "\r", "\r\n\r\n", "\n\n", ":", ": ", "Host: a", "Content-Length: ", "0", "3", "5",
            "12", "99", "-1", "Transfer-Encoding: chunked", "Transfer-Encoding: gzip, chunked", "Expect: 100-continue",
            "Connection: close", "\t", "abc", "hello", ";ext=1", "0\r\n\r\n", "5\r\nhello\r\n", "ff\r\n", "\u{0}",
            "\u{7F}", "é", "x",
        ].map { Array($0.utf8) }
        let valid = Array(
            ("POST /v1 HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello"
                + "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x\r\nabc\r\n0\r\nT: 1\r\n\r\n").utf8)
        let limits = HTTPParserLimits(maxHeaderBytes: 96, maxBodyBytes: 48)
        var random = SplitMix64(seed: 0x5EED_2026)
        var endings = [0, 0, 0]  // needMore, 4xx/5xx, requests seen

        for round in 0..<3000 {
            var bytes: [UInt8]
            if round % 3 == 0 {
                bytes = valid
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    let at = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0: bytes[at] = UInt8.random(in: 0...255, using: &random)
                    case 1: bytes.remove(at: at)
                    default: bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
                    }
                }
            } else {
                bytes = []
                for _ in 0..<Int.random(in: 1...40, using: &random) {
                    if Int.random(in: 0..<8, using: &random) == 0 {
                        bytes.append(UInt8.random(in: 0...255, using: &random))
                    } else {
                        bytes += fragments[Int.random(in: 0..<fragments.count, using: &random)]
                    }
                }
            }
            let whole = feed([bytes[...]], limits: limits)
            let cuts = (0..<Int.random(in: 1...6, using: &random)).map { _ in Int.random(in: 0...bytes.count, using: &random) }
            let split = feed(pieces(bytes, cuts: cuts.sorted()), limits: limits)
            #expect(split == whole, "round \(round): \(bytes)")
            if round % 2 == 0 {
                let bytewise = feed(bytes.indices.map { bytes[$0...$0] }, limits: limits)
                #expect(bytewise == whole, "round \(round) byte by byte: \(bytes)")
            }
            for request in whole.requests { #expect(request.body.count <= limits.maxBodyBytes) }
            switch whole.end {
            case .needMore: endings[0] += 1
            case .failure(let status, _): #expect([400, 413, 431, 501, 505].contains(status)); endings[1] += 1
            }
            if !whole.requests.isEmpty { endings[2] += 1 }
        }
        // The generator must exercise every ending, or the test proves little.
        #expect(endings.allSatisfy { $0 > 100 }, "\(endings)")
    }
}
