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
        subcommands: [Serve.self, CheckConfig.self, HashKey.self, Usage.self, MockUpstream.self],
        defaultSubcommand: Serve.self)
}
