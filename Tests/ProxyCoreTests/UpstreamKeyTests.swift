import Foundation
import Testing

@testable import ProxyCore

@Suite struct UpstreamKeyTests {
    private func config(keyFile: String?) -> ProxyConfig {
        var config = ProxyConfig()
        config.upstream.apiKeyFile = keyFile
        return config
    }

    @Test func resolve_prefersPerplexityKey_thenPplxKey_thenTheFile() throws {
        let file = try temporaryFile("pplx-from-file\n")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let both = ["PERPLEXITY_API_KEY": "pplx-first", "PPLX_API_KEY": "pplx-second"]
        #expect(try UpstreamKey.resolve(environment: both, config: config(keyFile: file)).get() == "pplx-first")
        #expect(
            try UpstreamKey.resolve(environment: ["PPLX_API_KEY": "pplx-second"], config: config(keyFile: file)).get()
                == "pplx-second")
        #expect(try UpstreamKey.resolve(environment: [:], config: config(keyFile: file)).get() == "pplx-from-file")
    }

    @Test func resolve_trimsValues_andTreatsEmptyVariablesAsUnset() throws {
        #expect(
            try UpstreamKey.resolve(
                environment: ["PERPLEXITY_API_KEY": " \n", "PPLX_API_KEY": " pplx-k\n"], config: config(keyFile: nil)
            ).get() == "pplx-k")
    }

    @Test func resolve_withNoSource_isNil() throws {
        #expect(try UpstreamKey.resolve(environment: ["PATH": "/bin"], config: ProxyConfig()).get() == nil)
    }

    @Test func resolve_emptyKeyFile_isAProblemThatShowsNoContent() throws {
        let file = try temporaryFile("  \n\t\n")
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(
            UpstreamKey.resolve(environment: [:], config: config(keyFile: file))
                == .failure(
                    ConfigErrors(problems: [ConfigProblem(path: "upstream.api_key_file", message: "\(file) is empty")]))
        )
    }

    @Test func resolve_unreadableKeyFile_isAProblem() {
        #expect(
            UpstreamKey.resolve(environment: [:], config: config(keyFile: "/nonexistent/key"))
                == .failure(
                    ConfigErrors(problems: [
                        ConfigProblem(
                            path: "upstream.api_key_file",
                            message: "cannot read /nonexistent/key: No such file or directory")
                    ])))
    }
}
