/// One thing wrong with a configuration, located by its JSON path.
///
/// Paths use dots for object keys and brackets for array indices (`clients[2].key_hash`); `$` is the document
/// root. Problems raised by a command-line flag or an environment variable carry its name instead
/// (`--listen`, `PPLX_PROXY_LISTEN`), so the operator knows which source to fix.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    /// Where the problem is: a JSON path, a flag or an environment variable.
    public var path: String
    /// What is wrong and, where it helps, what would be accepted.
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `PATH: message`, the form `check-config` prints.
    public var description: String { "\(path): \(message)" }
}

/// Every problem found in a configuration; loading reports them all at once rather than stopping at the first.
public struct ConfigErrors: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problems, in the order they were found.
    public var problems: [ConfigProblem]

    public init(problems: [ConfigProblem]) {
        self.problems = problems
    }

    /// One problem per line.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
