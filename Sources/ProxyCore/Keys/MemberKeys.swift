#if canImport(Glibc)
    import Glibc
#endif

/// `pplx-proxy keys add | rotate | revoke`: member keys issued, replaced and withdrawn by rewriting the config file
/// (CONTRACT "Command line"). A new key is returned once and stored nowhere; only its hash goes in the file. Each
/// change is checked as the proxy would load it before the file is replaced, so a running proxy that watches the
/// file never sees a config it would refuse.
public enum MemberKeys {
    /// What `keys add` sets besides the name and key.
    public struct Limits: Sendable {
        public var models: [String]?
        public var requestsPerMinute: Int?
        public var maxConcurrentStreams: Int?
        public var tokensPerDay: Int?
        /// Dollar amounts as typed (`0.5`), so they are stored exactly as written.
        public var usdPerDay: String?
        public var usdPerMonth: String?
        public var admin = false

        public init() {}
    }

    /// Adds member `name` with a new key; returns the key. The file is created if it does not exist.
    public static func add(_ name: String, limits: Limits, configPath: String) throws(ConfigErrors) -> String {
        guard !name.isEmpty else { throw problem("the member name must not be empty") }
        let key = try newKey()
        var fields: [(String, JSONValue)] = [("name", .string(name)), ("key_hash", .string(KeyHash.hash(key)))]
        if let models = limits.models { fields.append(("models", .array(models.map(JSONValue.string)))) }
        if let value = limits.requestsPerMinute { fields.append(("requests_per_minute", .number(value))) }
        if let value = limits.maxConcurrentStreams { fields.append(("max_concurrent_streams", .number(value))) }
        if let value = limits.tokensPerDay { fields.append(("tokens_per_day", .number(value))) }
        for (key, flag, text) in [
            ("usd_per_day", "--usd-per-day", limits.usdPerDay), ("usd_per_month", "--usd-per-month", limits.usdPerMonth),
        ] {
            guard let text else { continue }
            guard let amount = USDAmount(decimal: text), amount.nanos > 0 else {
                throw problem("\(flag) takes a dollar amount above 0, got '\(text)'")
            }
            fields.append((key, .number(amount.description)))
        }
        if limits.admin { fields.append(("admin", .bool(true))) }
        try edit(configPath, creating: true) { editor throws(ConfigFileEditor.EditError) in try editor.addMember(fields) }
        return key
    }

    /// Gives member `name` a new key; returns it. The old key keeps working for `graceSeconds` (0: not at all).
    public static func rotate(_ name: String, graceSeconds: Int, configPath: String, now: Int) throws(ConfigErrors) -> String {
        guard (0...maxGraceSeconds).contains(graceSeconds) else {
            throw problem("--grace takes seconds, from 0 to \(maxGraceSeconds) (ten years)")
        }
        let key = try newKey()
        try edit(configPath, creating: false) { editor throws(ConfigFileEditor.EditError) in
            let oldHash = try editor.keyHash(of: name)
            var fields: [(String, JSONValue?)] = [("key_hash", .string(KeyHash.hash(key)))]
            if graceSeconds > 0, let oldHash {
                fields += [
                    ("previous_key_hash", .string(oldHash)),
                    ("previous_key_expires", .string(UTCTimestamp.format(now + graceSeconds))),
                ]
            } else {
                fields += [("previous_key_hash", nil), ("previous_key_expires", nil)]
            }
            try editor.setFields(of: name, fields)
        }
        return key
    }

    /// Removes member `name`: its key (and any key still in its rotation grace) gets 401 once the proxy applies it.
    ///
    /// The last member cannot be revoked this way: with no members left the proxy would serve anyone (on loopback),
    /// so the revoked key would keep working; add another member first, or edit the file on purpose.
    public static func revoke(_ name: String, configPath: String) throws(ConfigErrors) {
        try edit(configPath, creating: false) { editor throws(ConfigFileEditor.EditError) in
            if try editor.memberNames() == [name] {
                throw .refused(
                    "'\(name)' is the last member: without members the proxy serves anyone, so its key would keep "
                        + "working; add another member first (or remove clients by hand if that is what you want)")
            }
            try editor.removeMember(named: name)
        }
    }

    /// The longest `--grace`: ten years.
    public static let maxGraceSeconds = 10 * 365 * 86_400

    /// Reads the file under the directory lock, applies `change`, checks the result loads, and replaces the file.
    private static func edit(
        _ path: String, creating: Bool, _ change: (inout ConfigFileEditor) throws(ConfigFileEditor.EditError) -> Void
    ) throws(ConfigErrors) {
        do {
            try AtomicFileWriter.withDirectoryLock(for: path) {
                var original: [UInt8]
                switch FileAccess.readAll(path) {
                case .success(let bytes): original = bytes
                case .failure(let error):
                    guard creating, access(path, F_OK) != 0, errno == ENOENT else {
                        throw ConfigErrors(problems: [ConfigProblem(path: ConfigPath.root, message: error.message)])
                    }
                    original = Array("{}\n".utf8)
                }
                var editor = ConfigFileEditor(text: original)
                do {
                    try change(&editor)
                } catch {
                    throw ConfigErrors(problems: [ConfigProblem(path: "clients", message: "\(error)")])
                }
                if case .failure(let errors) = ConfigLoader.load(json: editor.text) {
                    throw ConfigErrors(
                        problems: [
                            ConfigProblem(path: ConfigPath.root, message: "the file would not load after this change; nothing was written")
                        ]
                            + errors.problems)
                }
                do {
                    try AtomicFileWriter.replace(path, with: editor.text)
                } catch let error as ConfigValueError {
                    throw ConfigErrors(problems: [ConfigProblem(path: ConfigPath.root, message: error.message)])
                }
            }
        } catch let errors as ConfigErrors {
            throw errors
        } catch {
            throw problem("\(error)")
        }
    }

    private static func newKey() throws(ConfigErrors) -> String {
        guard let key = MemberKeyGenerator.generate() else { throw problem("the system's random number generator failed; no key issued") }
        return key
    }

    private static func problem(_ message: String) -> ConfigErrors {
        ConfigErrors(problems: [ConfigProblem(path: ConfigPath.root, message: message)])
    }
}
