#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The address the proxy listens on: a host (name, IPv4 or IPv6 literal) and a TCP port.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// Host name or address literal, without brackets.
    public var host: String
    /// TCP port; 0 asks the system for a free one.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` or `[IPV6]:PORT`.
    ///
    /// A bare IPv6 literal is refused rather than guessed at: in `::1:8787` the port cannot be told apart from
    /// the last address group.
    public init(parsing text: String) throws(ConfigValueError) {
        let example = "expected HOST:PORT, e.g. 127.0.0.1:8787 or [::1]:8787; got \"\(text)\""
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw ConfigValueError(example) }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw ConfigValueError(example) }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw ConfigValueError(example) }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") {
                throw ConfigValueError("IPv6 addresses go in brackets, e.g. [::1]:8787; got \"\(text)\"")
            }
        }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace) else { throw ConfigValueError(example) }
        guard !portText.isEmpty, portText.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { throw ConfigValueError(example) }
        guard portText.count <= 5, let port = Int(portText), port <= 65535 else {
            throw ConfigValueError("port \(portText) is out of range (0-65535)")
        }
        self.init(host: String(host), port: port)
    }

    /// Whether only this machine can reach the address: `localhost`, 127.0.0.0/8, `::1` or `::ffff:127.x.x.x`.
    ///
    /// Any other name counts as reachable from the network, since it may resolve to a public interface.
    public var isLoopback: Bool {
        if host.lowercased() == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            let isV6Loopback = bytes[0..<15].allSatisfy { $0 == 0 } && bytes[15] == 1
            let isMappedV4Loopback =
                bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
            return isV6Loopback || isMappedV4Loopback
        }
        return false
    }

    /// `HOST:PORT`, with IPv6 literals in brackets.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
