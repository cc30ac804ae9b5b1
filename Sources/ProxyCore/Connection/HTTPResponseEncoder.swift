/// HTTP/1.1 response framing: status line and headers (with the `Connection` policy), chunk frames and the last
/// chunk, appended to a byte buffer.
enum HTTPResponseEncoder {
    /// How a response body is delimited.
    enum Framing {
        /// `Content-Length: n`.
        case length(Int)
        /// `Transfer-Encoding: chunked` (HTTP/1.1 streams).
        case chunked
        /// The body ends when the connection closes (HTTP/1.0 streams).
        case closeDelimited
    }

    /// Appends the status line and headers. `keepAlive` false (or a close-delimited body) adds `Connection: close`;
    /// an HTTP/1.0 client that keeps the connection is told `Connection: keep-alive`.
    static func appendHead(
        status: Int, headers: HTTPHeaders, framing: Framing, keepAlive: Bool, http11: Bool, to bytes: inout [UInt8]
    ) {
        var head = HTTPResponseHead(status: status, headers: headers)
        switch framing {
        case .length(let count): head.headers.add("Content-Length", String(count))
        case .chunked: head.headers.add("Transfer-Encoding", "chunked")
        case .closeDelimited: break
        }
        if !keepAlive {
            head.headers.add("Connection", "close")
        } else if !http11 {
            head.headers.add("Connection", "keep-alive")
        }
        head.appendStatusAndHeaders(to: &bytes)
        bytes.append(13)
        bytes.append(10)
    }

    /// Appends `payload` as one chunk of a chunked body (nothing for an empty payload, which would end the body).
    static func appendChunk(_ payload: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        guard payload.count > 0 else { return }
        appendHex(payload.count, to: &bytes)
        bytes.append(13)
        bytes.append(10)
        bytes.append(contentsOf: payload)
        bytes.append(13)
        bytes.append(10)
    }

    /// The zero-length chunk that ends a chunked body (no trailers).
    static func appendLastChunk(to bytes: inout [UInt8]) {
        bytes.append(contentsOf: lastChunk)
    }

    private static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static func appendHex(_ value: Int, to bytes: inout [UInt8]) {
        var shift = max(0, (Int.bitWidth - value.leadingZeroBitCount + 3) / 4 * 4 - 4)
        while shift >= 0 {
            bytes.append(hexDigits[(value >> shift) & 0xF])
            shift -= 4
        }
    }
}
