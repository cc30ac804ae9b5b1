import Foundation
import Testing

@testable import ProxyCore

@Suite struct ConfigLoaderTests {
    private let aliceHash = "sha256:1fb7e1fdb017f1e8dba74dfce34ad860afe0221ec89ea97df5c20a537908bced"
    private let bobHash = "sha256:bb0f4905a518e3849ad82d93036c3599569f795cee338494b1e92d812b90d058"

    // MARK: Defaults and the example

    @Test func load_emptyObject_givesEveryDefault() throws {
        let config = try loadConfig("{}").get()
        #expect(config == ProxyConfig())
        #expect(config.listen == ListenAddress(host: "127.0.0.1", port: 8787))
        #expect(config.upstream.url == "https://api.perplexity.ai")
        #expect(config.upstream.api == .agent)
        #expect(config.upstream.apiKeyFile == nil)
        #expect(config.upstream.connectTimeoutMs == 10_000)
        #expect(config.upstream.firstByteTimeoutMs == 120_000)
        #expect(config.upstream.idleTimeoutMs == 300_000)
        #expect(config.upstream.maxConnections == 64)
        #expect(config.stream == StreamConfig(metadata: .final, keepaliveMs: 15_000))
        #expect(config.models == DefaultModels.agent)
        #expect(config.clients.isEmpty)
        #expect(config.allowAnonymous == false)
        #expect(config.usageLedger == nil)
        #expect(config.tls == nil)
        #expect(config.shutdownGraceMs == 30_000)
        #expect(
            config.limits
                == LimitsConfig(
                    maxHeaderBytes: 16_384, maxBodyBytes: 33_554_432, headerTimeoutMs: 10_000, idleTimeoutMs: 75_000))
        #expect(config.logLevel == "info")
        #expect(config.eventLoops == nil)
        #expect(config.metricsOpen == false)
    }

    @Test func defaultModels_mapSonarIdsToAgentRoutes() {
        let web = JSONValue.object(["type": .string("web_search")])
        #expect(
            DefaultModels.agent == [
                "sonar": ModelRoute(model: "perplexity/sonar", tools: [web], toolChoice: web),
                "sonar-pro": ModelRoute(model: "perplexity/sonar", preset: "low"),
                "sonar-reasoning-pro": ModelRoute(preset: "medium"),
                "sonar-deep-research": ModelRoute(preset: "high"),
            ])
        #expect(DefaultModels.agent.values.allSatisfy { $0.ownedBy == "perplexity" })
    }

    @Test func defaultModels_followTheUpstreamAPI_andAConfiguredTableReplacesThem() throws {
        var config = ProxyConfig()
        config.upstream.api = .chat
        #expect(config.models == DefaultModels.chat)
        #expect(config.models["sonar"]?.model == nil)

        let configured = try loadConfig(#"{"models": {"mine": {"preset": "fast"}}}"#).get()
        #expect(configured.models == ["mine": ModelRoute(preset: "fast")])
    }

    @Test func presets_includeWideResearch_andMayBePinnedToAVersion() throws {
        let configured = try loadConfig(
            #"{"models": {"wide": {"preset": "wide-research"}, "pinned": {"preset": "fast@2026-10-16.0"}}}"#
        ).get()
        #expect(configured.models["wide"]?.preset == "wide-research")
        #expect(configured.models["pinned"]?.preset == "fast@2026-10-16.0")
        #expect(configProblems(#"{"models": {"x": {"preset": "turbo"}}}"#).map(\.path) == ["models.x.preset"])
        #expect(configProblems(#"{"models": {"x": {"preset": "fast@"}}}"#).map(\.path) == ["models.x.preset"])
    }

    @Test func exampleFile_loadsWithoutProblems() throws {
        let examplePath = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("config.example.json").path
        let config = try ConfigLoader.load(path: examplePath).get()
        #expect(config.listen.description == "127.0.0.1:8787")
        #expect(config.upstream.api == .agent)
        #expect(config.clients.map(\.name) == ["alice", "bob"])
        #expect(config.clients.map(\.keyHash) == [aliceHash, bobHash])
        #expect(config.clients[1].models == ["sonar", "news-brief"])
        #expect(
            config.models.keys.sorted() == [
                "news-brief", "sonar", "sonar-deep-research", "sonar-pro", "sonar-reasoning-pro",
            ])
        for (id, route) in DefaultModels.agent {
            #expect(config.models[id] == route, "example entry \(id) should be the built-in route")
        }
        #expect(config.models["news-brief"]?.maxSteps == 3)
        #expect(config.usageLedger == "pplx-usage.jsonl")
    }

    @Test func metricsAreOpen_withMembers_onlyWhenAskedForOnLoopback() {
        var config = ProxyConfig()
        #expect(config.metricsAreOpen, "without members nothing needs a key")
        config.clients = [ClientConfig(name: "a", keyHash: aliceHash)]
        #expect(!config.metricsAreOpen)
        config.metricsOpen = true
        #expect(config.metricsAreOpen)
        config.listen = ListenAddress(host: "0.0.0.0", port: 8787)
        #expect(!config.metricsAreOpen)
    }

    // MARK: Values

    @Test func load_everyKey_isRead() throws {
        let keyFile = try temporaryFile("pplx-secret\n")
        defer { try? FileManager.default.removeItem(atPath: keyFile) }
        let config = try loadConfig(
            """
            {
              "listen": "[::1]:9000",
              "upstream": {"url": "http://127.0.0.1:5000/base/", "api": "chat", "api_key_file": "\(keyFile)",
                           "connect_timeout_ms": 1, "first_byte_timeout_ms": 2, "idle_timeout_ms": 3,
                           "max_connections": 4},
              "stream": {"metadata": "passthrough", "keepalive_ms": 0},
              "models": {"llama": {"model": "meta/llama", "owned_by": "meta"}},
              "clients": [{"name": "ci", "key_hash": "\(aliceHash)", "models": ["llama"],
                           "requests_per_minute": 5, "max_concurrent_streams": 6, "tokens_per_day": 7}],
              "allow_anonymous": true,
              "usage_ledger": "/tmp/ledger.jsonl",
              "shutdown_grace_ms": 0,
              "limits": {"max_header_bytes": 8, "max_body_bytes": 9, "header_timeout_ms": 10, "idle_timeout_ms": 11},
              "log_level": "trace",
              "event_loops": 3,
              "metrics_open": true
            }
            """
        ).get()
        #expect(config.listen == ListenAddress(host: "::1", port: 9000))
        #expect(
            config.upstream
                == UpstreamConfig(
                    url: "http://127.0.0.1:5000/base", api: .chat, apiKeyFile: keyFile, connectTimeoutMs: 1,
                    firstByteTimeoutMs: 2, idleTimeoutMs: 3, maxConnections: 4))
        #expect(config.stream == StreamConfig(metadata: .passthrough, keepaliveMs: 0))
        #expect(config.models == ["llama": ModelRoute(model: "meta/llama", ownedBy: "meta")])
        #expect(
            config.clients == [
                ClientConfig(
                    name: "ci", keyHash: aliceHash, models: ["llama"], requestsPerMinute: 5, maxConcurrentStreams: 6,
                    tokensPerDay: 7)
            ])
        #expect(config.allowAnonymous)
        #expect(config.usageLedger == "/tmp/ledger.jsonl")
        #expect(config.shutdownGraceMs == 0)
        #expect(
            config.limits == LimitsConfig(maxHeaderBytes: 8, maxBodyBytes: 9, headerTimeoutMs: 10, idleTimeoutMs: 11))
        #expect(config.logLevel == "trace")
        #expect(config.eventLoops == 3)
        #expect(config.metricsOpen)
    }

    @Test func load_modelRoute_readsEveryField() throws {
        let config = try loadConfig(
            """
            {"models": {"deep": {"model": "perplexity/sonar", "preset": "deep-research",
                                 "tools": [{"type": "web_search", "filters": {"search_recency_filter": "week"}}],
                                 "tool_choice": "auto", "instructions": "Be brief.", "max_steps": 100,
                                 "owned_by": "research"}}}
            """
        ).get()
        let tool = JSONValue.object([
            "type": .string("web_search"), "filters": .object(["search_recency_filter": .string("week")]),
        ])
        #expect(
            config.models["deep"]
                == ModelRoute(
                    model: "perplexity/sonar", preset: "deep-research", tools: [tool], toolChoice: .string("auto"),
                    instructions: "Be brief.", maxSteps: 100, ownedBy: "research"))
    }

    @Test func load_commentKeys_areIgnoredAtEveryLevel_andNotSentUpstream() throws {
        let config = try loadConfig(
            """
            {"//": "top", "//listen": 1,
             "upstream": {"//why": ["anything"], "api": "agent"},
             "stream": {"//": null},
             "limits": {"//": {}},
             "models": {"//": "not a model id",
                        "sonar": {"//": "note", "model": "perplexity/sonar",
                                  "tools": [{"type": "web_search", "//": "dropped", "filters": {"//x": 1}}],
                                  "tool_choice": {"type": "web_search", "//": "dropped"}}},
             "clients": [{"//": "note", "name": "a", "key_hash": "\(aliceHash)"}]}
            """
        ).get()
        #expect(config.models.keys.sorted() == ["sonar"])
        #expect(config.models["sonar"]?.tools == [.object(["type": .string("web_search"), "filters": .object([:])])])
        #expect(config.models["sonar"]?.toolChoice == .object(["type": .string("web_search")]))
        #expect(config.clients.map(\.name) == ["a"])
    }

    @Test func load_nullOptionalValues_meanUnset() throws {
        let config = try loadConfig(
            """
            {"usage_ledger": null, "tls": null, "event_loops": null, "upstream": {"api_key_file": null},
             "models": {"m": {"preset": "fast", "model": null, "tools": null, "tool_choice": null,
                              "instructions": null, "max_steps": null}},
             "clients": [{"name": "a", "key_hash": "\(aliceHash)", "models": null, "requests_per_minute": null,
                          "max_concurrent_streams": null, "tokens_per_day": null}]}
            """
        ).get()
        #expect(config.usageLedger == nil && config.tls == nil && config.eventLoops == nil)
        #expect(config.models["m"] == ModelRoute(preset: "fast"))
        #expect(config.clients == [ClientConfig(name: "a", keyHash: aliceHash)])
    }

    @Test func load_upstreamURL_dropsTrailingSlashes() throws {
        #expect(
            try loadConfig(#"{"upstream": {"url": "HTTPS://gw.example//"}}"#).get().upstream.url == "HTTPS://gw.example"
        )
    }

    // MARK: Problems, each at its path

    @Test func jsonSyntaxError_isReportedWithLineAndColumn() {
        let problems = configProblems("{\n  \"listen\": ,\n}")
        #expect(problems.count == 1)
        #expect(problems.first?.path == "$")
        #expect(problems.first?.message.hasPrefix("invalid JSON at line 2, column 13: ") == true)
    }

    @Test func jsonSyntaxError_columnsCountCharactersNotBytes() {
        #expect(ConfigLoader.lineAndColumn(of: 9, in: Array("{\"é\":\"ü\" x".utf8)) == (line: 1, column: 8))
        #expect(ConfigLoader.lineAndColumn(of: 0, in: []) == (line: 1, column: 1))
    }

    @Test func rootThatIsNotAnObject_isAProblemAtRoot() {
        #expect(configProblems("[]") == [ConfigProblem(path: "$", message: "expected object, got array")])
    }

    @Test func unknownKeys_areReportedAtTheirPaths() {
        let problems = configProblems(
            """
            {"listne": "x", "upstream": {"urll": "x"}, "stream": {"meta": 1}, "limits": {"max": 1},
             "models": {"m": {"preset": "fast", "modle": "x"}},
             "clients": [{"name": "a", "key_hash": "\(aliceHash)", "nmae": "b"}]}
            """)
        #expect(
            problems.map(\.path) == [
                "listne", "upstream.urll", "stream.meta", "models.m.modle", "clients[0].nmae", "limits.max",
            ])
        #expect(
            problems.first?.message
                == "unknown key (allowed: listen, upstream, stream, models, clients, allow_anonymous, usage_ledger, "
                + "usage_ledger_required, tls, budget, redis, shutdown_grace_ms, limits, log_level, event_loops, metrics_open)")
    }

    @Test func wrongTypes_nameExpectedAndActualKinds() {
        let problems = configProblems(
            """
            {"listen": 8787, "allow_anonymous": "yes", "upstream": [], "stream": {"keepalive_ms": "15s"},
             "limits": {"max_body_bytes": 1.5}, "clients": {}, "log_level": null,
             "models": {"m": {"preset": "fast", "tools": {"type": "web_search"}}}}
            """)
        #expect(
            problems == [
                ConfigProblem(path: "listen", message: "expected string, got number"),
                ConfigProblem(path: "upstream", message: "expected object, got array"),
                ConfigProblem(path: "stream.keepalive_ms", message: "expected integer, got string"),
                ConfigProblem(path: "models.m.tools", message: "expected array, got object"),
                ConfigProblem(path: "clients", message: "expected array, got object"),
                ConfigProblem(path: "allow_anonymous", message: "expected boolean, got string"),
                ConfigProblem(path: "limits.max_body_bytes", message: "expected integer, got 1.5"),
                ConfigProblem(path: "log_level", message: "expected string, got null"),
            ])
    }

    @Test func badValues_listTheAllowedSet() {
        let problems = configProblems(
            """
            {"upstream": {"api": "grpc"}, "stream": {"metadata": "none"}, "log_level": "verbose",
             "models": {"m": {"preset": "ultra"}}}
            """)
        #expect(
            problems == [
                ConfigProblem(path: "upstream.api", message: #"expected one of "agent", "chat"; got "grpc""#),
                ConfigProblem(path: "stream.metadata", message: #"expected one of "final", "passthrough", "sonar"; got "none""#),
                ConfigProblem(
                    path: "models.m.preset",
                    message: #"expected one of "fast", "low", "medium", "high", "xhigh", "wide-research", "fast-search", "#
                        + #""pro-search", "deep-research", "advanced-deep-research", "<preset>@<version>"; got "ultra""#),
                ConfigProblem(
                    path: "log_level",
                    message: #"expected one of "trace", "debug", "info", "notice", "warning", "error"; got "verbose""#),
            ])
    }

    @Test func listen_portOutOfRange_andMalformed() {
        #expect(
            configProblems(#"{"listen": "127.0.0.1:70000"}"#) == [
                ConfigProblem(path: "listen", message: "port 70000 is out of range (0-65535)")
            ])
        #expect(configProblems(#"{"listen": "::1:8787"}"#).map(\.path) == ["listen"])
        #expect(configProblems(#"{"listen": "localhost"}"#).first?.message.hasPrefix("expected HOST:PORT") == true)
    }

    @Test func upstreamURL_mustBeHTTPWithoutQuery() {
        #expect(
            configProblems(#"{"upstream": {"url": "ftp://x"}}"#)
                == [
                    ConfigProblem(path: "upstream.url", message: #"expected an http:// or https:// URL; got "ftp://x""#)
                ])
        #expect(configProblems(#"{"upstream": {"url": "https://x/?a=1"}}"#).map(\.path) == ["upstream.url"])
        #expect(configProblems(#"{"upstream": {"url": "https://"}}"#).map(\.path) == ["upstream.url"])
    }

    @Test func timeoutsAndCounts_mustBePositive() {
        let problems = configProblems(
            """
            {"upstream": {"connect_timeout_ms": 0, "first_byte_timeout_ms": -1, "idle_timeout_ms": 0, "max_connections": 0},
             "limits": {"header_timeout_ms": 0, "idle_timeout_ms": -5, "max_header_bytes": 0, "max_body_bytes": 0},
             "stream": {"keepalive_ms": -1}, "shutdown_grace_ms": -1, "event_loops": 0}
            """)
        #expect(
            problems.map(\.description) == [
                "upstream.connect_timeout_ms: must be greater than 0; got 0",
                "upstream.first_byte_timeout_ms: must be greater than 0; got -1",
                "upstream.idle_timeout_ms: must be greater than 0; got 0",
                "upstream.max_connections: must be greater than 0; got 0",
                "stream.keepalive_ms: must be at least 0; got -1",
                "shutdown_grace_ms: must be at least 0; got -1",
                "limits.max_header_bytes: must be greater than 0; got 0",
                "limits.max_body_bytes: must be greater than 0; got 0",
                "limits.header_timeout_ms: must be greater than 0; got 0",
                "limits.idle_timeout_ms: must be greater than 0; got -5",
                "event_loops: must be greater than 0; got 0",
            ])
    }

    @Test func clients_needNameAndWellFormedKeyHash() {
        let problems = configProblems(
            """
            {"clients": [{"key_hash": "\(aliceHash)"},
                         {"name": "b"},
                         {"name": "", "key_hash": "\(aliceHash.uppercased())"},
                         {"name": "d", "key_hash": "sha256:abc"},
                         {"name": "e", "key_hash": "\(aliceHash.dropFirst(7))"},
                         {"name": "f", "key_hash": "\(aliceHash)", "requests_per_minute": 0, "models": ["sonar", 1]},
                         7]}
            """)
        let wellFormed = "expected \"sha256:\" followed by 64 lowercase hex digits, as printed by `pplx-proxy hash-key`"
        #expect(
            problems == [
                ConfigProblem(path: "clients[0].name", message: "missing (required)"),
                ConfigProblem(path: "clients[1].key_hash", message: "missing (required)"),
                ConfigProblem(path: "clients[2].name", message: "must not be empty"),
                ConfigProblem(path: "clients[2].key_hash", message: wellFormed),
                ConfigProblem(path: "clients[3].key_hash", message: wellFormed),
                ConfigProblem(path: "clients[4].key_hash", message: wellFormed),
                ConfigProblem(path: "clients[5].models[1]", message: "expected string, got number"),
                ConfigProblem(path: "clients[5].requests_per_minute", message: "must be greater than 0; got 0"),
                ConfigProblem(path: "clients[6]", message: "expected object, got number"),
            ])
    }

    @Test func clients_duplicateNamesAndKeyHashes_pointAtTheLaterEntry() {
        let problems = configProblems(
            """
            {"clients": [{"name": "a", "key_hash": "\(aliceHash)"}, {"name": "b", "key_hash": "\(bobHash)"},
                         {"name": "a", "key_hash": "\(bobHash)"}]}
            """)
        #expect(
            problems == [
                ConfigProblem(path: "clients[2].name", message: #"duplicate name "a" (also clients[0].name)"#),
                ConfigProblem(
                    path: "clients[2].key_hash", message: "same key as clients[1]: each member needs its own key"),
            ])
    }

    @Test func clients_modelsMustBeConfigured() {
        let problems = configProblems(
            #"{"clients": [{"name": "a", "key_hash": "\#(aliceHash)", "models": ["sonar", "gpt-4"]}]}"#)
        #expect(
            problems == [
                ConfigProblem(
                    path: "clients[0].models[1]",
                    message: #"model "gpt-4" is not configured (configured: sonar, sonar-deep-research, sonar-pro, "#
                        + "sonar-reasoning-pro)")
            ])
    }

    @Test func passthrough_needsChatUpstream() {
        #expect(
            configProblems(#"{"stream": {"metadata": "passthrough"}}"#)
                == [
                    ConfigProblem(
                        path: "stream.metadata",
                        message: "\"passthrough\" needs upstream.api \"chat\": an Agent API stream has no "
                            + "chat-completions bytes to relay")
                ])
        #expect(configProblems(#"{"upstream": {"api": "chat"}, "stream": {"metadata": "passthrough"}}"#).isEmpty)
    }

    @Test func models_entriesAreChecked() {
        let problems = configProblems(
            """
            {"models": {"bare": {}, "llama-3.1": {"owned_by": "meta"},
                        "t": {"preset": "fast", "tools": ["web_search", {"filters": {}}, {"type": 3}, {"type": ""}]},
                        "c": {"preset": "fast", "tool_choice": "always"}, "d": {"preset": "fast", "tool_choice": 1},
                        "s": {"preset": "fast", "max_steps": 0}, "u": {"preset": "fast", "max_steps": 101},
                        "": {"preset": "fast"}, "e": {"model": ""}}}
            """)
        #expect(
            problems == [
                ConfigProblem(path: "models[\"\"]", message: "model id must not be empty"),
                ConfigProblem(
                    path: "models.c.tool_choice",
                    message: #"expected one of "none", "auto", "required"; got "always" (or an object)"#),
                ConfigProblem(path: "models.d.tool_choice", message: "expected string or object, got number"),
                ConfigProblem(path: "models.e.model", message: "must not be empty"),
                ConfigProblem(path: "models.s.max_steps", message: "must be between 1 and 100; got 0"),
                ConfigProblem(path: "models.t.tools[0]", message: "expected object, got string"),
                ConfigProblem(
                    path: "models.t.tools[1].type", message: #"missing (required): the tool type, e.g. "web_search""#),
                ConfigProblem(path: "models.t.tools[2].type", message: "expected string, got number"),
                ConfigProblem(path: "models.t.tools[3].type", message: "must not be empty"),
                ConfigProblem(path: "models.u.max_steps", message: "must be between 1 and 100; got 101"),
            ])
    }

    @Test func models_inAgentMode_needModelOrPreset() {
        #expect(
            configProblems(#"{"models": {"bare": {}, "llama-3.1": {"owned_by": "meta"}, "ok": {"model": "a/b"}}}"#)
                == [
                    ConfigProblem(
                        path: "models.bare", message: #"needs "model" or "preset" when upstream.api is "agent""#),
                    ConfigProblem(
                        path: #"models["llama-3.1"]"#,
                        message: #"needs "model" or "preset" when upstream.api is "agent""#),
                ])
        #expect(configProblems(#"{"upstream": {"api": "chat"}, "models": {"bare": {}}}"#).isEmpty)
    }

    @Test func models_emptyTable_isRefused() {
        #expect(
            configProblems(#"{"models": {"//": "nothing"}}"#)
                == [
                    ConfigProblem(
                        path: "models",
                        message: #"must list at least one model; leave "models" out to use the built-in table"#)
                ])
    }

    @Test func tls_filesMustBeReadable() throws {
        let problems = configProblems(#"{"tls": {"cert": "/nonexistent/cert.pem", "key": "/nonexistent/key.pem"}}"#)
        #expect(
            problems == [
                ConfigProblem(
                    path: "tls.cert", message: "cannot read /nonexistent/cert.pem: No such file or directory"),
                ConfigProblem(path: "tls.key", message: "cannot read /nonexistent/key.pem: No such file or directory"),
            ])
        #expect(
            configProblems(#"{"tls": {"cert": "/tmp"}}"#).map(\.description) == [
                "tls.key: missing (required when tls is set)", "tls.cert: cannot read /tmp: not a regular file",
            ])

        let cert = try temporaryFile("CERT")
        let key = try temporaryFile("KEY")
        defer {
            try? FileManager.default.removeItem(atPath: cert)
            try? FileManager.default.removeItem(atPath: key)
        }
        #expect(
            try loadConfig(#"{"tls": {"cert": "\#(cert)", "key": "\#(key)"}}"#).get().tls
                == TLSConfig(cert: cert, key: key))
    }

    @Test func apiKeyFile_mustBeReadable_andItsContentIsNeverShown() {
        #expect(
            configProblems(#"{"upstream": {"api_key_file": "/nonexistent/key"}}"#)
                == [
                    ConfigProblem(
                        path: "upstream.api_key_file",
                        message: "cannot read /nonexistent/key: No such file or directory")
                ])
    }

    @Test func noClientsOnANetworkAddress_refusesToStartUnlessAnonymousIsAllowed() {
        let problems = configProblems(#"{"listen": "0.0.0.0:8787"}"#)
        #expect(problems.map(\.path) == ["allow_anonymous"])
        #expect(problems.first?.message.contains("refuses to start open to the network") == true)
        #expect(configProblems(#"{"listen": "0.0.0.0:8787", "allow_anonymous": true}"#).isEmpty)
        #expect(
            configProblems(#"{"listen": "0.0.0.0:8787", "clients": [{"name": "a", "key_hash": "\#(aliceHash)"}]}"#)
                .isEmpty)
        #expect(configProblems(#"{"listen": "[::1]:8787"}"#).isEmpty)
    }

    @Test func everyProblem_isReportedTogether() {
        let problems = configProblems(
            """
            {"listen": "127.0.0.1:99999", "upstream": {"api": "rest", "timeout": 5},
             "clients": [{"name": "a", "key_hash": "md5:x"}], "log_level": 3}
            """)
        #expect(
            problems.map(\.path) == ["listen", "upstream.timeout", "upstream.api", "clients[0].key_hash", "log_level"])
        let errors = ConfigErrors(problems: problems)
        #expect(errors.description.split(separator: "\n").count == 5)
        #expect(errors.description.hasPrefix("listen: port 99999 is out of range (0-65535)\n"))
    }

    @Test func loadPath_unreadableFile_isAProblemAtRoot() {
        #expect(
            ConfigLoader.load(path: "/nonexistent/pplx.json")
                == .failure(
                    ConfigErrors(problems: [
                        ConfigProblem(
                            path: "$", message: "cannot read /nonexistent/pplx.json: No such file or directory")
                    ])))
    }
}
