/// Why a single configuration value was refused; the caller attaches the path (a JSON path, flag or variable).
public struct ConfigValueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the value.
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    /// The message alone: the path is added by whoever knows where the value came from.
    public var description: String { message }

    /// A refusal that lists the accepted values, e.g. `expected one of "agent", "chat"; got "grpc"`.
    static func notOneOf(_ allowed: [String], got value: String) -> ConfigValueError {
        let choices = allowed.map { "\"\($0)\"" }.joined(separator: ", ")
        return ConfigValueError("expected one of \(choices); got \"\(value)\"")
    }
}
