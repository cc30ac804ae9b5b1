import Testing

@testable import ProxyCore

@Suite struct UpstreamNetworkConfigTests {
    @Test func proxyURLs_areHTTPOrHTTPSWithAHostAndNoPath() throws {
        #expect(try UpstreamConfig.proxyURL("http://proxy.corp:3128") == "http://proxy.corp:3128")
        #expect(try UpstreamConfig.proxyURL("https://user:pa%40ss@proxy.corp:443/") == "https://user:pa%40ss@proxy.corp:443/")
        for bad in ["proxy.corp:3128", "socks5://proxy:1080", "http://", "http://proxy/path", "http://pro xy"] {
            #expect(throws: ConfigValueError.self) { try UpstreamConfig.proxyURL(bad) }
        }
    }

    @Test func credentialsInAProxyURL_areRedactedForLogs() {
        #expect(UpstreamConfig.redactingCredentials("http://alice:s3cret@proxy:3128") == "http://[credentials]@proxy:3128")
        #expect(UpstreamConfig.redactingCredentials("http://proxy:3128") == "http://proxy:3128")
    }

    @Test func caFileAndProxy_areConfigKeys_andCAFileHasAFlag() throws {
        let config = try ConfigLoader.load(json: Array(#"{"upstream": {"proxy": "http://127.0.0.1:3128", "ca_file": null}}"#.utf8)).get()
        #expect(config.upstream.proxy == "http://127.0.0.1:3128")
        #expect(config.upstream.caFile == nil)
        let flags = ConfigOverrides(caFile: "/nonexistent/ca.pem")
        guard case .failure(let errors) = flags.apply(to: ProxyConfig()) else { return #expect(Bool(false)) }
        #expect(errors.problems.map(\.path) == ["--ca-file"])
    }
}
