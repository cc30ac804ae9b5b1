import Foundation
import Logging
import MockUpstream
import ProxyCore
import Testing

/// An HTTPS upstream signed by a private CA (a corporate proxy that re-signs TLS, a self-hosted upstream):
/// trusted through `upstream.ca_file`, refused with a message that names the cause otherwise.
@Suite struct UpstreamTLSTests {
    private static let key = "pplx-tls-test-key-5e1d"

    /// One streamed chat through a proxy in front of an HTTPS emulator that presents `certificate` (made from a
    /// fresh private CA); `trustCA` sets `upstream.ca_file` to that CA. Returns the answer and how many requests
    /// reached the emulator.
    private func chat(
        trustCA: Bool, certificate: (TestCertificates) throws -> (cert: String, key: String)
    ) throws -> (response: RawHTTPClient.Response, upstreamRequests: Int) {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let served = try certificate(certificates)
        let tls = try TLSContext(certificatePath: served.cert, privateKeyPath: served.key)
        let mock = try MockUpstreamServer(options: MockOptions(api: .agent, expectedKey: Self.key), tls: tls)
        mock.start()
        defer { mock.stop() }
        #expect(mock.baseURL.hasPrefix("https://"))
        var config = ProxyConfig()
        config.listen = ListenAddress(host: "127.0.0.1", port: 0)
        config.upstream.url = mock.baseURL
        config.upstream.caFile = trustCA ? certificates.caCertificate : nil
        config.eventLoops = 1
        let logger = Logger(label: "test") { LineLogHandler(label: $0, level: .error, sink: LogSink.memory()) }
        let proxy = try ProxyServer(settings: ProxySettings(config: config, upstreamKey: Self.key), logger: logger)
        proxy.start()
        defer { proxy.stop() }
        let client = try RawHTTPClient(port: proxy.localAddress.port)
        try client.post("/v1/chat/completions", json: ProxyHarness.chatBody(stream: true))
        return (try client.readResponse(), mock.statistics.requests)
    }

    private func error(_ response: RawHTTPClient.Response) -> (code: String?, message: String) {
        let error = response.json?["error"] as? [String: Any]
        return (error?["code"] as? String, error?["message"] as? String ?? "")
    }

    @Test func upstreamSignedByThePrivateCA_isTrustedWithCAFile() throws {
        let (response, _) = try chat(trustCA: true) { try $0.server("upstream", subjectAltName: "IP:127.0.0.1") }
        #expect(response.status == 200)
        #expect(streamedText(response.body) == "The capital of France is Paris[1]. It lies on the Seine[2].")
    }

    @Test func withoutTheCAFile_thePrivateCAIsRefused_andTheMessageSaysWhatToDo() throws {
        let (response, upstreamRequests) = try chat(trustCA: false) {
            try $0.server("upstream", subjectAltName: "IP:127.0.0.1")
        }
        #expect(response.status == 502)
        let (code, message) = error(response)
        #expect(code == "upstream_tls_error")
        #expect(message.contains("upstream.ca_file"))
        #expect(upstreamRequests == 0)
    }

    @Test func aSelfSignedUpstream_isRefusedEvenWithAnotherCAFile() throws {
        let (response, upstreamRequests) = try chat(trustCA: true) { try $0.selfSigned("rogue") }
        #expect(response.status == 502)
        #expect(error(response).code == "upstream_tls_error")
        #expect(upstreamRequests == 0)
    }

    @Test func aCertificateForAnotherName_isRefusedSayingSo() throws {
        let (response, upstreamRequests) = try chat(trustCA: true) {
            try $0.server("elsewhere", subjectAltName: "DNS:other.example")
        }
        #expect(response.status == 502)
        let (code, message) = error(response)
        #expect(code == "upstream_tls_error")
        #expect(message.contains("not for the host name"))
        #expect(upstreamRequests == 0)
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
