/// Turns a config file into a `ProxyConfig`, or into the full list of what is wrong with it.
public enum ConfigLoader {
    /// Parses and checks a config document: JSON syntax, keys, types, values, then `ProxyConfig.validate()`.
    ///
    /// Cross-field rules run only when every value was accepted, so a refused value does not also show up as a
    /// confusing consequence of the default that stood in for it.
    public static func load(json: [UInt8]) -> Result<ProxyConfig, ConfigErrors> {
        let document: JSONValue
        do {
            document = try JSONValue.parse(json)
        } catch {
            let (line, column) = lineAndColumn(of: error.offset, in: json)
            return .failure(
                ConfigErrors(problems: [
                    ConfigProblem(
                        path: ConfigPath.root,
                        message: "invalid JSON at line \(line), column \(column): \(error.message)")
                ]))
        }
        let reader = ConfigReader()
        let config = ProxyConfig.decode(document, reader: reader)
        let problems = reader.problems.isEmpty ? config.validate() : reader.problems
        return problems.isEmpty ? .success(config) : .failure(ConfigErrors(problems: problems))
    }

    /// Reads the file at `path` and loads it; an unreadable file is a problem at `$`.
    public static func load(path: String) -> Result<ProxyConfig, ConfigErrors> {
        switch FileAccess.readAll(path) {
        case .success(let bytes):
            return load(json: bytes)
        case .failure(let error):
            return .failure(ConfigErrors(problems: [ConfigProblem(path: ConfigPath.root, message: error.message)]))
        }
    }

    /// 1-based line and column of a byte offset; columns count characters (UTF-8 continuation bytes are skipped),
    /// which is what editors show.
    static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for byte in bytes.prefix(max(0, offset)) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }
}
