import ArgumentParser
import Dispatch
import MockUpstream
import ProxyCore

/// `pplx-proxy mock-upstream`: the Perplexity emulator alone, for tests and experiments.
struct MockUpstream: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock-upstream", abstract: "Run the built-in Perplexity emulator (Agent API or chat completions).")

    @Option(help: "Address to listen on (HOST:PORT; port 0 picks a free one).")
    var listen = "127.0.0.1:8788"

    @Option(help: "Which Perplexity API to emulate: agent or chat.")
    var api: MockAPI = .agent

    @Option(name: .customLong("expect-key"), help: "Answer 401 unless requests carry 'Authorization: Bearer KEY'.")
    var expectKey: String?

    @Option(name: .customLong("delay-ms"), help: "Pause between streamed events, in milliseconds.")
    var delayMs = 0

    @Option(name: .customLong("tls-cert"), help: "Serve HTTPS with this PEM certificate chain (with --tls-key).")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "The PEM private key for --tls-cert.")
    var tlsKey: String?

    func run() throws {
        ProcessSetup.prepare()
        let address: ListenAddress
        do {
            address = try ListenAddress(parsing: listen)
        } catch {
            throw ValidationError("--listen: \(error)")
        }
        let tls: TLSContext?
        switch (tlsCert, tlsKey) {
        case (let cert?, let key?):
            do {
                tls = try TLSContext(certificatePath: cert, privateKeyPath: key)
            } catch {
                ProcessSetup.fail("tls: \(error)", code: 1)
            }
        case (nil, nil): tls = nil
        default: throw ValidationError("--tls-cert and --tls-key go together")
        }
        let mock: MockUpstreamServer
        do {
            mock = try MockUpstreamServer(
                options: MockOptions(api: api, expectedKey: expectKey, eventDelayMs: delayMs), host: address.host,
                port: UInt16(address.port), tls: tls)
        } catch {
            ProcessSetup.fail("cannot listen on \(listen): \(error)", code: 2)
        }
        let shutdown = SignalHandlers.install(termination: { _ in
            mock.stop()
            Glibc.exit(0)
        })
        mock.start()
        ProcessSetup.printError("listening on \(mock.localAddress)")
        withExtendedLifetime((mock, shutdown)) { dispatchMain() }
    }
}

extension MockAPI: ExpressibleByArgument {}

#if canImport(Glibc)
    import Glibc
#endif
