import ArgumentParser
import ProxyCore

#if canImport(Glibc)
    import Glibc
#endif

/// `pplx-proxy keys`: issue, rotate, revoke and list member keys by rewriting the config file. A proxy running with
/// that file applies each change within about a second, without a restart (it logs "configuration reloaded"; a
/// reload it refuses is logged as an error and counted in `pplx_config_reloads_refused_total`).
struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Issue, rotate, revoke and list member keys (rewrites the config file).",
        subcommands: [Add.self, Rotate.self, Revoke.self, List.self])

    /// The config file every subcommand works on.
    struct ConfigFile: ParsableArguments {
        @Option(help: "JSON config file (env PPLX_PROXY_CONFIG).")
        var config: String?

        var path: String {
            get throws {
                guard let path = config ?? Environment.current["PPLX_PROXY_CONFIG"] else {
                    throw ValidationError("name the config file with --config FILE (or PPLX_PROXY_CONFIG)")
                }
                return path
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a member; print its new key (once: only its hash is stored).")

        @Argument(help: "The member's name (unique).") var name: String
        @OptionGroup var file: ConfigFile
        @Option(help: "Model ids the member may use, comma-separated (default: all).") var models: String?
        @Option(help: "Requests per rolling minute.") var requestsPerMinute: Int?
        @Option(help: "Streams open at once.") var maxConcurrentStreams: Int?
        @Option(help: "Tokens per UTC day.") var tokensPerDay: Int?
        @Option(help: "US dollars per UTC day.") var usdPerDay: String?
        @Option(help: "US dollars per UTC calendar month.") var usdPerMonth: String?
        @Flag(help: "May read /admin/usage and the dashboard.") var admin = false

        func run() throws {
            var limits = MemberKeys.Limits()
            limits.models = models.map { $0.split(separator: ",").map { String($0.filter { !$0.isWhitespace }) } }
            limits.requestsPerMinute = requestsPerMinute
            limits.maxConcurrentStreams = maxConcurrentStreams
            limits.tokensPerDay = tokensPerDay
            limits.usdPerDay = usdPerDay
            limits.usdPerMonth = usdPerMonth
            limits.admin = admin
            let path = try file.path
            let key = try Keys.run { () throws(ConfigErrors) in try MemberKeys.add(name, limits: limits, configPath: path) }
            print("added member '\(name)' to \(path); its key (shown only now):")
            print(key)
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a member a new key; print it. The old key works until --grace seconds have passed.")

        @Argument(help: "The member's name.") var name: String
        @OptionGroup var file: ConfigFile
        @Option(help: "Seconds the old key keeps working (default 0: it stops at once).") var grace = 0

        func run() throws {
            let path = try file.path
            let now = Int(time(nil))
            let key = try Keys.run { () throws(ConfigErrors) in
                try MemberKeys.rotate(name, graceSeconds: grace, configPath: path, now: now)
            }
            let old = grace > 0 ? "the old key works until \(UTCTimestamp.format(now + grace))" : "the old key no longer works"
            print("rotated the key of '\(name)' in \(path); \(old). The new key (shown only now):")
            print(key)
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a member; its key gets 401.")

        @Argument(help: "The member's name.") var name: String
        @OptionGroup var file: ConfigFile

        func run() throws {
            let path = try file.path
            try Keys.run { () throws(ConfigErrors) in try MemberKeys.revoke(name, configPath: path) }
            print("revoked '\(name)' in \(path); a proxy running with it applies this within about a second")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Members, their limits and spend today and this month (never a key).")

        @OptionGroup var file: ConfigFile
        @Flag(help: "One JSON object per member instead of a table.") var json = false

        func run() throws {
            let path = try file.path
            let config: ProxyConfig
            switch ConfigLoader.load(path: path) {
            case .success(let loaded): config = loaded
            case .failure(let errors): ProcessSetup.fail(errors.description, code: 1)
            }
            let totals = config.usageLedger.map { LedgerTotals.read(path: $0, clock: UTCClock.now(), month: true) }
            let list = MemberKeyList(config: config, totals: totals, now: Int(time(nil)))
            print(json ? list.jsonLines() : list.table(), terminator: "")
        }
    }

    /// Runs a change; a problem (unknown or duplicate name, a file that would not load) exits 1 with its message.
    @discardableResult
    static func run<T>(_ change: () throws(ConfigErrors) -> T) throws -> T {
        do {
            return try change()
        } catch {
            // Problems of the whole file ("$") are said without a path.
            let lines = error.problems.map { $0.path == "$" ? $0.message : $0.description }
            ProcessSetup.fail("keys: " + lines.joined(separator: "\n"), code: 1)
        }
    }
}
