import ArgumentParser
import ProxyCore

/// `pplx-proxy`: an OpenAI-compatible local proxy for the Perplexity API.
@main
struct PPLXProxy: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "pplx-proxy",
        abstract: "Lets OpenAI-SDK apps use the Perplexity API through localhost, and lets a team share one key.",
        version: "pplx-proxy \(version) (\(CurlGlobal.version))",
        subcommands: [Serve.self, CheckConfig.self, HashKey.self, Keys.self, Usage.self, MockUpstream.self],
        defaultSubcommand: Serve.self)

    /// Runs the command; usage errors exit 1 (the contract's "invalid configuration or usage"), not
    /// ArgumentParser's 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                ProcessSetup.printError(fullMessage(for: error))
                Glibc.exit(1)
            }
            exit(withError: error)
        }
    }
}

#if canImport(Glibc)
    import Glibc
#endif
