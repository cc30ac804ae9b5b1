import Testing

@testable import ProxyCore

@Suite struct ListenAddressTests {
    @Test func parse_acceptsHostPortAndBracketedIPv6() throws {
        #expect(try ListenAddress(parsing: "127.0.0.1:8787") == ListenAddress(host: "127.0.0.1", port: 8787))
        #expect(try ListenAddress(parsing: "[::1]:0") == ListenAddress(host: "::1", port: 0))
        #expect(
            try ListenAddress(parsing: "proxy.internal:65535") == ListenAddress(host: "proxy.internal", port: 65535))
    }

    @Test func parse_refusesMissingPartsBareIPv6AndOutOfRangePorts() {
        for text in ["8787", ":8787", "127.0.0.1:", "127.0.0.1:http", "[::1]8787", "[::1", "a b:1", "127.0.0.1:-1"] {
            #expect(throws: ConfigValueError.self, "\(text)") { try ListenAddress(parsing: text) }
        }
        #expect(throws: ConfigValueError("IPv6 addresses go in brackets, e.g. [::1]:8787; got \"::1:8787\"")) {
            try ListenAddress(parsing: "::1:8787")
        }
        #expect(throws: ConfigValueError("port 65536 is out of range (0-65535)")) {
            try ListenAddress(parsing: "127.0.0.1:65536")
        }
        #expect(throws: ConfigValueError("port 0000080 is out of range (0-65535)")) {
            try ListenAddress(parsing: "127.0.0.1:0000080")
        }
    }

    @Test func isLoopback_onlyForAddressesThisMachineAloneReaches() {
        let loopback = [
            "127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "localhost", "LOCALHOST",
        ]
        let network = ["0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "::ffff:10.0.0.1", "example.com", "128.0.0.1"]
        for host in loopback {
            #expect(ListenAddress(host: host, port: 1).isLoopback, "\(host)")
        }
        for host in network {
            #expect(!ListenAddress(host: host, port: 1).isLoopback, "\(host)")
        }
    }

    @Test func description_bracketsIPv6() {
        #expect(ListenAddress(host: "::1", port: 8787).description == "[::1]:8787")
        #expect(ListenAddress(host: "0.0.0.0", port: 80).description == "0.0.0.0:80")
    }
}
