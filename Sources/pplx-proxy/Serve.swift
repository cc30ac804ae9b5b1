import ArgumentParser
import Dispatch
import Logging
import MockUpstream
import ProxyCore

#if canImport(Glibc)
    import Glibc
#endif

/// `pplx-proxy serve`: runs the proxy (the default command).
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the proxy. With no upstream key set it serves the built-in offline emulator (demo mode).")

    @Option(help: "JSON config file (env PPLX_PROXY_CONFIG).")
    var config: String?

    @Option(help: "Address to listen on, HOST:PORT (default 127.0.0.1:8787).")
    var listen: String?

    @Option(help: "Upstream base URL (default https://api.perplexity.ai).")
    var upstream: String?

    @Option(name: .customLong("upstream-api"), help: "Upstream API: agent (default) or chat.")
    var upstreamAPI: String?

    @Option(
        help:
            "Stream metadata: final (default: on the finish chunk), sonar (on every chunk, as Sonar sent it) or passthrough (chat mode: the upstream's bytes)."
    )
    var metadata: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning or error.")
    var logLevel: String?

    @Option(name: .customLong("ca-file"), help: "PEM CA bundle to verify the upstream with (env PPLX_PROXY_CA_FILE).")
    var caFile: String?

    @Flag(help: "Serve the built-in Perplexity emulator in-process: offline, no key needed.")
    var demo = false

    func run() throws {
        ProcessSetup.prepare()
        let environment = Environment.current
        let configPath = config ?? environment["PPLX_PROXY_CONFIG"]
        // What the file held when loaded: a `keys` change made while the proxy starts is noticed, not taken as seen.
        let loadedConfig = configPath.flatMap { try? FileAccess.readAll($0).get() }
        var resolved = resolve(configPath: configPath, environment: environment)
        let (logger, sink) = ProcessSetup.makeLogger(level: resolved.config.logLevel)

        var demoMock: MockUpstreamServer?
        let keyless = resolved.key == nil && resolved.config.upstream.url == UpstreamConfig.defaultURL
        // Only the bare first run (no config file, no members, loopback) falls back to the emulator without a key;
        // a deployment that lost its key must fail loudly, not answer with canned text.
        if !demo, keyless, configPath != nil || !resolved.config.clients.isEmpty || !resolved.config.listen.isLoopback {
            ProcessSetup.fail(
                "no upstream key: set PERPLEXITY_API_KEY or PPLX_API_KEY, or upstream.api_key_file "
                    + "(or run `pplx-proxy serve --demo` for the offline emulator)", code: 1)
        }
        if demo || keyless {
            if !demo {
                logger.warning(
                    "no PERPLEXITY_API_KEY or PPLX_API_KEY set: serving the built-in offline emulator (demo mode); answers are canned")
            }
            let mock = startDemoMock(api: resolved.config.upstream.api)
            resolved.config.upstream.url = mock.baseURL
            resolved.config.usageLedger = nil
            resolved.key = DemoMode.key
            demoMock = mock
            logger.notice("demo upstream emulator at \(mock.baseURL)")
        }
        if let key = resolved.key { sink.redact(key) }

        let server: ProxyServer
        do {
            server = try ProxyServer(settings: ProxySettings(config: resolved.config, upstreamKey: resolved.key), logger: logger)
        } catch let error as TLSError {
            ProcessSetup.fail("tls: \(error)", code: 1)
        } catch let errors as ConfigErrors {
            ProcessSetup.fail(errors.description, code: 1)
        } catch {
            ProcessSetup.fail("cannot listen on \(resolved.config.listen): \(error)", code: 2)
        }
        var draining = false
        let isDemo = demoMock != nil
        let demoURL = resolved.config.upstream.url
        // Before `listening on`: a supervisor may stop the process the moment it sees that line.
        let signals = SignalHandlers.install(
            termination: { signalNumber in
                // A second signal while draining changes nothing: the grace period is already running.
                guard !draining else { return }
                draining = true
                SystemdNotify.stopping()
                let grace = server.state.settings.config.shutdownGraceMs
                logger.notice("signal \(signalNumber): draining (grace \(grace) ms)")
                server.shutdown(graceMs: grace) {
                    logger.notice("stopped")
                    // _exit: no atexit handlers (OpenSSL's cleanup) racing the loop threads; logs and the ledger are
                    // written with unbuffered write(2) already.
                    Glibc._exit(0)
                }
            },
            hangup: {
                reload(
                    server: server, configPath: configPath, environment: Environment.current, demoURL: isDemo ? demoURL : nil,
                    logger: logger, sink: sink)
            })
        server.start()
        // `pplx-proxy keys` rewrites the file; a change applies as a SIGHUP would.
        let watcher = configPath.flatMap { path in
            ConfigWatcher(path: path, loaded: loadedConfig, queue: .main, onProblem: { logger.warning("\($0)") }) {
                guard !draining else { return }
                logger.info("config file changed: reloading")
                reload(
                    server: server, configPath: path, environment: Environment.current, demoURL: isDemo ? demoURL : nil,
                    logger: logger, sink: sink)
            }
        }
        // Always printed, whatever the log level: scripts and supervisors wait for this line.
        ProcessSetup.printError("listening on \(server.localAddress)")
        SystemdNotify.ready()
        let upstreamConfig = resolved.config.upstream
        logger.info(
            "upstream \(upstreamConfig.api.rawValue) at \(upstreamConfig.url); metadata \(resolved.config.stream.metadata.rawValue)",
            metadata: [
                "ca_file": .string(upstreamConfig.caFile ?? "system"),
                "proxy": .string(upstreamConfig.proxy.map(UpstreamConfig.redactingCredentials) ?? "from HTTPS_PROXY/NO_PROXY"),
            ])
        withExtendedLifetime((server, demoMock, signals, watcher)) { dispatchMain() }
    }

    /// The configuration layers (file, env, flags) and the upstream key; exits 1 on any problem.
    private func resolve(configPath: String?, environment: [String: String]) -> (config: ProxyConfig, key: String?) {
        switch load(configPath: configPath, environment: environment) {
        case .success(let result): return result
        case .failure(let errors): ProcessSetup.fail(errors.description, code: 1)
        }
    }

    private func load(configPath: String?, environment: [String: String]) -> Result<(config: ProxyConfig, key: String?), ConfigErrors> {
        var file = ProxyConfig()
        if let configPath {
            switch ConfigLoader.load(path: configPath) {
            case .success(let loaded): file = loaded
            case .failure(let errors): return .failure(errors)
            }
        }
        let flags = ConfigOverrides(
            listen: listen, upstreamURL: upstream, upstreamAPI: upstreamAPI, metadata: metadata, logLevel: logLevel, caFile: caFile,
            origin: .commandLine)
        let config: ProxyConfig
        switch ConfigOverrides.layered(file, environment: .fromEnvironment(environment), commandLine: flags) {
        case .success(let layered): config = layered
        case .failure(let errors): return .failure(errors)
        }
        switch UpstreamKey.resolve(environment: environment, config: config) {
        case .success(let key): return .success((config, key))
        case .failure(let errors): return .failure(errors)
        }
    }

    private func reload(
        server: ProxyServer, configPath: String?, environment: [String: String], demoURL: String?, logger: Logger, sink: LogSink
    ) {
        SystemdNotify.reloading()
        defer { SystemdNotify.ready() }
        switch load(configPath: configPath, environment: environment) {
        case .failure(let errors):
            server.state.metrics.configReloadsRefused.increment()
            logger.error("reload refused, keeping the running configuration: \(errors.problems.map(\.description).joined(separator: "; "))")
        case .success(var resolved):
            let running = server.state.settings.config
            if resolved.config.listen != running.listen || resolved.config.tls != running.tls
                || resolved.config.eventLoops != running.eventLoops
            {
                logger.warning("reload: listen, tls and event_loops take effect only after a restart")
            }
            // The socket stays bound where it is: judge the new settings (e.g. anonymous use) against that address.
            resolved.config.listen = running.listen
            resolved.config.tls = running.tls
            resolved.config.eventLoops = running.eventLoops
            let problems = resolved.config.validate()
            guard problems.isEmpty else {
                server.state.metrics.configReloadsRefused.increment()
                logger.error("reload refused, keeping the running configuration: \(problems.map(\.description).joined(separator: "; "))")
                return
            }
            if resolved.config.logLevel != running.logLevel {
                logger.warning("reload: log_level takes effect only after a restart")
            }
            if let demoURL {
                resolved.config.upstream.url = demoURL
                resolved.config.usageLedger = nil
                resolved.key = DemoMode.key
            }
            if let key = resolved.key { sink.redact(key) }
            server.reload(ProxySettings(config: resolved.config, upstreamKey: resolved.key))
            logger.notice("configuration reloaded")
        }
    }

    private func startDemoMock(api: UpstreamAPI) -> MockUpstreamServer {
        do {
            let mock = try MockUpstreamServer(
                options: MockOptions(api: api == .agent ? .agent : .chat, expectedKey: DemoMode.key, eventDelayMs: 40))
            mock.start()
            return mock
        } catch {
            ProcessSetup.fail("cannot start the demo emulator: \(error)", code: 2)
        }
    }
}

/// Settings of demo mode.
enum DemoMode {
    /// The key the proxy sends to its in-process emulator (not a Perplexity key).
    static let key = "pplx-demo-key"
}

/// The process environment as a dictionary.
enum Environment {
    static var current: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}
