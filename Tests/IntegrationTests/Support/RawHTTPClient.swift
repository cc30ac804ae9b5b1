import Foundation
import ProxyCore

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking HTTP/1.1 client over a raw socket, for tests that need byte-level control (smuggling, pipelining,
/// slow readers) and per-chunk arrival. Every read is bounded by a receive timeout so a broken server fails the
/// test instead of hanging it.
final class RawHTTPClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    /// A parsed response: status, headers, and body pieces as received (one per chunk for chunked responses).
    struct Response {
        var status: Int
        var headers: [(String, String)]
        var chunks: [[UInt8]]
        var body: [UInt8] { chunks.flatMap { $0 } }
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    }

    enum ClientError: Error { case connectFailed(Int32), timedOut, closed, malformed(String) }

    init(port: UInt16, receiveTimeoutSeconds: Int = 15) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw ClientError.connectFailed(errno) }
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    private var descriptorClosed = false

    deinit { if !descriptorClosed { Glibc.close(fd) } }

    /// Closes with a zero linger time, so the peer gets a reset (RST) instead of an orderly FIN.
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        Glibc.close(fd)
        descriptorClosed = true
    }

    /// Shrinks the kernel receive buffer (slow-reader tests).
    func setReceiveBuffer(bytes: Int32) {
        var size = bytes
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw ClientError.closed }
            offset += n
        }
    }

    /// Sends a POST with a JSON body.
    func post(_ path: String, json: String, headers: [String: String] = [:]) throws {
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        try send(head + "\r\n" + json)
    }

    func get(_ path: String, headers: [String: String] = [:]) throws {
        var head = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        try send(head + "\r\n")
    }

    /// Closes the connection abruptly.
    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { throw ClientError.closed }
        if n < 0 { throw errno == EAGAIN || errno == EWOULDBLOCK ? ClientError.timedOut : ClientError.closed }
        buffer.append(contentsOf: chunk[0..<n])
    }

    private func readLine() throws -> String {
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                var line = Array(buffer[0..<newline])
                buffer.removeFirst(newline + 1)
                if line.last == 13 { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            try fill()
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count < count { try fill() }
        let out = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return out
    }

    /// Reads the status line and headers (skipping any 100 Continue unless `skipInterim` is false).
    func readHead(skipInterim: Bool = true) throws -> (status: Int, headers: [(String, String)]) {
        while true {
            let statusLine = try readLine()
            let parts = statusLine.split(separator: " ")
            guard parts.count >= 2, let status = Int(parts[1]) else { throw ClientError.malformed(statusLine) }
            var headers: [(String, String)] = []
            while true {
                let line = try readLine()
                if line.isEmpty { break }
                if let colon = line.firstIndex(of: ":") {
                    headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
                }
            }
            if status == 100 && skipInterim { continue }
            return (status, headers)
        }
    }

    /// Reads the next chunk of a chunked body; nil at the terminating zero chunk.
    func readChunk() throws -> [UInt8]? {
        let sizeLine = try readLine()
        guard let size = Int(sizeLine.split(separator: ";")[0], radix: 16) else { throw ClientError.malformed(sizeLine) }
        if size == 0 {
            _ = try readLine()
            return nil
        }
        let data = try readExactly(size)
        _ = try readLine()
        return data
    }

    /// Reads one whole response.
    func readResponse(onChunk: (([UInt8]) -> Void)? = nil) throws -> Response {
        let (status, headers) = try readHead()
        var response = Response(status: status, headers: headers, chunks: [])
        if let length = response.header("Content-Length").flatMap(Int.init) {
            response.chunks = [try readExactly(length)]
        } else if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            while let chunk = try readChunk() {
                onChunk?(chunk)
                response.chunks.append(chunk)
            }
        } else {
            // Close-delimited: bytes that came with the head count too, then everything until EOF.
            while true {
                if !buffer.isEmpty {
                    response.chunks.append(buffer)
                    buffer.removeAll()
                }
                do { try fill() } catch ClientError.closed { break }
            }
        }
        return response
    }

    /// Whether the server closed the connection (reads EOF within the receive timeout).
    func readsEndOfFile() -> Bool {
        do {
            try fill()
            return false
        } catch ClientError.closed {
            return true
        } catch {
            return false
        }
    }
}

/// SSE `data:` payloads of a response body, in order.
func sseDataPayloads(_ body: [UInt8]) -> [String] {
    String(decoding: body, as: UTF8.self).components(separatedBy: "\n\n").compactMap { block in
        let lines = block.split(separator: "\n").filter { $0.hasPrefix("data:") }
        guard !lines.isEmpty else { return nil }
        return lines.map { $0.dropFirst(5).trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
    }
}

/// Parsed JSON of every SSE data payload except `[DONE]`.
func sseChunks(_ body: [UInt8]) -> [[String: Any]] {
    sseDataPayloads(body).filter { $0 != "[DONE]" }.compactMap {
        (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
    }
}

/// Concatenated `choices[0].delta.content` of chat chunks.
func streamedText(_ body: [UInt8]) -> String {
    sseChunks(body).compactMap { chunk in
        ((chunk["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String
    }.joined()
}
