extension ProxyConfig {
    /// Checks the rules that span several fields; an empty result means the configuration can be served.
    ///
    /// `ConfigLoader` runs this after reading the file, and whoever applies overrides must run it again after the
    /// last one, since a flag can change `listen`, `upstream.api` or `stream.metadata` under a rule.
    public func validate() -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        if stream.metadata == .passthrough && upstream.api == .agent {
            problems.append(
                ConfigProblem(
                    path: "stream.metadata",
                    message: "\"passthrough\" needs upstream.api \"chat\": an Agent API stream has no "
                        + "chat-completions bytes to relay"))
        }
        if upstream.api == .agent {
            for id in models.keys.sorted() where models[id]?.model == nil && models[id]?.preset == nil {
                problems.append(
                    ConfigProblem(
                        path: ConfigPath.member("models", id),
                        message: "needs \"model\" or \"preset\" when upstream.api is \"agent\""))
            }
        }
        if upstream.http2, upstream.url.lowercased().hasPrefix("http://"), !CurlGlobal.reusesCleartextHTTP2 {
            problems.append(
                ConfigProblem(
                    path: "upstream.http2",
                    message: "cleartext HTTP/2 to an http:// upstream needs libcurl 8.0 or newer (this system has "
                        + "\(CurlGlobal.versionNumberText), whose second request on a prior-knowledge connection fails: "
                        + "curl bug #10634); use https:// or leave http2 off"))
        }
        problems += clientProblems()
        if clients.isEmpty && !allowAnonymous && !listen.isLoopback {
            problems.append(
                ConfigProblem(
                    path: "allow_anonymous",
                    message: "no clients are configured and \(listen) is not a loopback address, so anyone who "
                        + "can reach it could spend the upstream key; the proxy refuses to start open to the "
                        + "network. Add clients, listen on 127.0.0.1, or set allow_anonymous to true"))
        }
        return problems
    }

    private func clientProblems() -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        var firstIndexByName: [String: Int] = [:]
        var firstIndexByHash: [String: Int] = [:]
        let known = models
        for (index, client) in clients.enumerated() {
            let path = ConfigPath.index("clients", index)
            if let first = firstIndexByName[client.name] {
                problems.append(
                    ConfigProblem(
                        path: path + ".name",
                        message: "duplicate name \"\(client.name)\" (also clients[\(first)].name)"))
            } else {
                firstIndexByName[client.name] = index
            }
            let hashes = [("key_hash", client.keyHash)] + (client.retiringKey.map { [("previous_key_hash", $0.keyHash)] } ?? [])
            for (key, hash) in hashes {
                if let first = firstIndexByHash[hash] {
                    problems.append(
                        ConfigProblem(
                            path: path + "." + key, message: "same key as clients[\(first)]: each member needs its own key"))
                } else {
                    firstIndexByHash[hash] = index
                }
            }
            for (modelIndex, model) in (client.models ?? []).enumerated() where known[model] == nil {
                let configured = known.keys.sorted().joined(separator: ", ")
                problems.append(
                    ConfigProblem(
                        path: ConfigPath.index(path + ".models", modelIndex),
                        message: "model \"\(model)\" is not configured (configured: \(configured))"))
            }
        }
        return problems
    }
}
