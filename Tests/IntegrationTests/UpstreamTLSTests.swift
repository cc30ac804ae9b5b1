import Foundation
import Logging
import MockUpstream
import ProxyCore
import Testing

/// An HTTPS upstream signed by a private CA (a corporate proxy that re-signs TLS, a self-hosted upstream):
/// trusted through `upstream.ca_file`, refused with a message that names the cause otherwise.
@Suite struct UpstreamTLSTests {
    private static let key = "pplx-tls-test-key-5e1d"

    /// An HTTPS emulator with `certificate`, and a proxy in front of it configured by `configure`.
    private func rig(
        certificate: (cert: String, key: String), configure: (inout ProxyConfig) -> Void
    ) throws -> (mock: MockUpstreamServer, proxy: ProxyServer) {
        let tls = try TLSContext(certificatePath: certificate.cert, privateKeyPath: certificate.key)
        let mock = try MockUpstreamServer(options: MockOptions(api: .agent, expectedKey: Self.key), tls: tls)
        mock.start()
        var config = ProxyConfig()
        config.listen = ListenAddress(host: "127.0.0.1", port: 0)
        config.upstream.url = mock.baseURL
        config.eventLoops = 1
        configure(&config)
        let logger = Logger(label: "test") { LineLogHandler(label: $0, level: .error, sink: LogSink.memory()) }
        let proxy = try ProxyServer(settings: ProxySettings(config: config, upstreamKey: Self.key), logger: logger)
        proxy.start()
        return (mock, proxy)
    }

    private func chat(_ proxy: ProxyServer) throws -> RawHTTPClient.Response {
        let client = try RawHTTPClient(port: proxy.localAddress.port)
        try client.post("/v1/chat/completions", json: ProxyHarness.chatBody(stream: true))
        return try client.readResponse()
    }

    private func error(_ response: RawHTTPClient.Response) -> (code: String?, message: String) {
        let error = response.json?["error"] as? [String: Any]
        return (error?["code"] as? String, error?["message"] as? String ?? "")
    }

    @Test func upstreamSignedByThePrivateCA_isTrustedWithCAFile() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let (mock, proxy) = try rig(certificate: try certificates.server("upstream", subjectAltName: "IP:127.0.0.1")) {
            $0.upstream.caFile = certificates.caCertificate
        }
        defer {
            proxy.stop()
            mock.stop()
        }
        #expect(mock.baseURL.hasPrefix("https://"))
        let response = try chat(proxy)
        #expect(response.status == 200)
        #expect(streamedText(response.body) == "The capital of France is Paris[1]. It lies on the Seine[2].")
    }

    @Test func withoutTheCAFile_thePrivateCAIsRefused_andTheMessageSaysWhatToDo() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let (mock, proxy) = try rig(certificate: try certificates.server("upstream", subjectAltName: "IP:127.0.0.1")) { _ in }
        defer {
            proxy.stop()
            mock.stop()
        }
        let response = try chat(proxy)
        #expect(response.status == 502)
        let (code, message) = error(response)
        #expect(code == "upstream_tls_error")
        #expect(message.contains("upstream.ca_file"))
        #expect(mock.statistics.requests == 0)
    }

    @Test func aSelfSignedUpstream_isRefusedEvenWithAnotherCAFile() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let (mock, proxy) = try rig(certificate: try certificates.selfSigned("rogue")) {
            $0.upstream.caFile = certificates.caCertificate
        }
        defer {
            proxy.stop()
            mock.stop()
        }
        let response = try chat(proxy)
        #expect(response.status == 502)
        #expect(error(response).code == "upstream_tls_error")
    }

    @Test func aCertificateForAnotherName_isRefusedSayingSo() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let (mock, proxy) = try rig(certificate: try certificates.server("elsewhere", subjectAltName: "DNS:other.example")) {
            $0.upstream.caFile = certificates.caCertificate
        }
        defer {
            proxy.stop()
            mock.stop()
        }
        let response = try chat(proxy)
        #expect(response.status == 502)
        let (code, message) = error(response)
        #expect(code == "upstream_tls_error")
        #expect(message.contains("not for the host name"))
    }

    @Test func checkConfig_refusesACAFileThatHoldsNoCertificate() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-ca-\(UUID().uuidString).pem").path
        try "hello\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = #"{"upstream": {"ca_file": "\#(path)"}}"#
        let problems: [ConfigProblem]
        switch ConfigLoader.load(json: Array(config.utf8)) {
        case .success: problems = []
        case .failure(let errors): problems = errors.problems
        }
        #expect(problems.map(\.path) == ["upstream.ca_file"])
        #expect(problems.first?.message.contains("no PEM certificate") == true)
    }
}
