import Testing

@testable import ProxyCore

@Suite struct ConfigOverridesTests {
    @Test func fromEnvironment_readsTheFiveVariables_andTreatsEmptyAsUnset() {
        let overrides = ConfigOverrides.fromEnvironment([
            "PPLX_PROXY_LISTEN": "0.0.0.0:9000", "PPLX_PROXY_UPSTREAM": "http://127.0.0.1:5000",
            "PPLX_PROXY_UPSTREAM_API": "chat", "PPLX_PROXY_METADATA": "passthrough", "PPLX_PROXY_LOG_LEVEL": "",
            "PATH": "/usr/bin",
        ])
        #expect(
            overrides
                == ConfigOverrides(
                    listen: "0.0.0.0:9000", upstreamURL: "http://127.0.0.1:5000", upstreamAPI: "chat",
                    metadata: "passthrough", logLevel: nil, origin: .environment))
    }

    @Test func apply_setsEachGivenValue_andLeavesTheRest() throws {
        var file = ProxyConfig()
        file.upstream.connectTimeoutMs = 5
        let applied = try ConfigOverrides(
            listen: "[::1]:1", upstreamURL: "http://u:1/", upstreamAPI: "chat", metadata: "passthrough",
            logLevel: "debug"
        ).apply(to: file).get()
        #expect(applied.listen == ListenAddress(host: "::1", port: 1))
        #expect(applied.upstream.url == "http://u:1")
        #expect(applied.upstream.api == .chat)
        #expect(applied.stream.metadata == .passthrough)
        #expect(applied.logLevel == "debug")
        #expect(applied.upstream.connectTimeoutMs == 5)
        #expect(try ConfigOverrides().apply(to: file).get() == file)
    }

    @Test func apply_namesTheFlagOfEveryRefusedValue() {
        let result = ConfigOverrides(
            listen: "nowhere", upstreamURL: "ftp://x", upstreamAPI: "rest", metadata: "all", logLevel: "loud"
        ).apply(to: ProxyConfig())
        #expect(
            result
                == .failure(
                    ConfigErrors(problems: [
                        ConfigProblem(
                            path: "--listen",
                            message: #"expected HOST:PORT, e.g. 127.0.0.1:8787 or [::1]:8787; got "nowhere""#),
                        ConfigProblem(
                            path: "--upstream", message: #"expected an http:// or https:// URL; got "ftp://x""#),
                        ConfigProblem(path: "--upstream-api", message: #"expected one of "agent", "chat"; got "rest""#),
                        ConfigProblem(
                            path: "--metadata", message: #"expected one of "final", "passthrough", "sonar"; got "all""#),
                        ConfigProblem(
                            path: "--log-level",
                            message:
                                #"expected one of "trace", "debug", "info", "notice", "warning", "error"; got "loud""#),
                    ])))
    }

    @Test func apply_fromEnvironment_namesTheVariable() {
        let environment = ConfigOverrides.fromEnvironment([
            "PPLX_PROXY_LISTEN": "x", "PPLX_PROXY_UPSTREAM": "x", "PPLX_PROXY_UPSTREAM_API": "x",
            "PPLX_PROXY_METADATA": "x", "PPLX_PROXY_LOG_LEVEL": "x",
        ])
        guard case .failure(let errors) = environment.apply(to: ProxyConfig()) else {
            Issue.record("expected problems")
            return
        }
        #expect(
            errors.problems.map(\.path) == [
                "PPLX_PROXY_LISTEN", "PPLX_PROXY_UPSTREAM", "PPLX_PROXY_UPSTREAM_API", "PPLX_PROXY_METADATA",
                "PPLX_PROXY_LOG_LEVEL",
            ])
    }

    @Test func layered_flagBeatsEnvironmentBeatsFile() throws {
        var file = ProxyConfig()
        file.logLevel = "error"
        file.listen = ListenAddress(host: "127.0.0.1", port: 1)
        file.upstream.url = "http://file"
        let environment = ConfigOverrides(listen: "127.0.0.1:2", logLevel: "warning", origin: .environment)
        let commandLine = ConfigOverrides(listen: "127.0.0.1:3")
        let config = try ConfigOverrides.layered(file, environment: environment, commandLine: commandLine).get()
        #expect(config.listen.port == 3)
        #expect(config.logLevel == "warning")
        #expect(config.upstream.url == "http://file")
    }

    @Test func layered_rechecksTheOpenNetworkRule_afterListenChanges() {
        let result = ConfigOverrides.layered(
            ProxyConfig(), environment: ConfigOverrides(origin: .environment),
            commandLine: ConfigOverrides(listen: "0.0.0.0:8787"))
        guard case .failure(let errors) = result else {
            Issue.record("a proxy without members must not start on 0.0.0.0")
            return
        }
        #expect(errors.problems.map(\.path) == ["allow_anonymous"])
    }

    @Test func layered_checksCrossFieldRulesOnlyAfterTheLastLayer() throws {
        let environment = ConfigOverrides(metadata: "passthrough", origin: .environment)
        let fixedByFlag = ConfigOverrides(upstreamAPI: "chat")
        let config = try ConfigOverrides.layered(ProxyConfig(), environment: environment, commandLine: fixedByFlag)
            .get()
        #expect(config.stream.metadata == .passthrough)
        #expect(config.models == DefaultModels.chat)

        let unfixed = ConfigOverrides.layered(ProxyConfig(), environment: environment, commandLine: ConfigOverrides())
        guard case .failure(let errors) = unfixed else {
            Issue.record("passthrough on an agent upstream must be refused")
            return
        }
        #expect(errors.problems.map(\.path) == ["stream.metadata"])
    }

    @Test func layered_reportsRefusedValuesOfBothLayersTogether() {
        let result = ConfigOverrides.layered(
            ProxyConfig(), environment: ConfigOverrides(logLevel: "loud", origin: .environment),
            commandLine: ConfigOverrides(listen: "x"))
        guard case .failure(let errors) = result else {
            Issue.record("expected problems")
            return
        }
        #expect(errors.problems.map(\.path) == ["PPLX_PROXY_LOG_LEVEL", "--listen"])
    }
}
