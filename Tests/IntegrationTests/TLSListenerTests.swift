import Foundation
import ProxyCore
import Testing

/// `tls` in the config makes the listener speak HTTPS, streams included.
@Suite struct TLSListenerTests {
    /// A throwaway self-signed certificate for 127.0.0.1.
    private static func makeCertificate() throws -> (cert: String, key: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pplx-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let status = try run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            ]
        ).status
        #expect(status == 0)
        return (cert, key)
    }

    private static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func httpsListener_servesStreams() throws {
        let (cert, key) = try Self.makeCertificate()
        let harness = try ProxyHarness(api: .agent) { $0.tls = TLSConfig(cert: cert, key: key) }
        let result = try Self.run(
            "/usr/bin/curl",
            [
                "-sN", "--max-time", "15", "--cacert", cert, "https://127.0.0.1:\(harness.port)/v1/chat/completions",
                "-H", "Content-Type: application/json", "-d", ProxyHarness.chatBody(),
            ])
        #expect(result.status == 0)
        #expect(streamedText(Array(result.output.utf8)) == "The capital of France is Paris[1]. It lies on the Seine[2].")
    }

    @Test func plainHTTP_onTLSListener_isRefused() throws {
        let (cert, key) = try Self.makeCertificate()
        let harness = try ProxyHarness(api: .agent) { $0.tls = TLSConfig(cert: cert, key: key) }
        let client = try harness.client(timeoutSeconds: 5)
        try client.get("/healthz")
        #expect(client.readsEndOfFile())
    }

    /// This test process does not ignore SIGPIPE, like any program that embeds the server: a TLS write to a client
    /// that has hung up must fail that one stream, never raise a signal that kills the process.
    @Test func clientsThatHangUpMidStream_raiseNoSIGPIPE() throws {
        let (cert, key) = try Self.makeCertificate()
        let harness = try ProxyHarness(api: .agent, eventDelayMs: 150) { $0.tls = TLSConfig(cert: cert, key: key) }
        let base = "https://127.0.0.1:\(harness.port)"
        for _ in 0..<3 {
            let cut = try Self.run(
                "/usr/bin/curl",
                [
                    "-sN", "--max-time", "0.4", "--cacert", cert, "\(base)/v1/chat/completions",
                    "-H", "Content-Type: application/json", "-d", ProxyHarness.chatBody(),
                ])
            #expect(cut.status == 28, "curl should have hung up mid-stream (exit 28, timed out)")
            #expect(cut.output.hasPrefix("data: "))
        }
        // The rest of each stream is written into connections the client has closed (reset after the first).
        Thread.sleep(forTimeInterval: 1.5)
        let health = try Self.run("/usr/bin/curl", ["-s", "--max-time", "5", "--cacert", cert, "\(base)/healthz"])
        #expect(health.status == 0)
        #expect(health.output.contains("ok"))
    }
}
