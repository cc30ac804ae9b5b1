/// Why the usage ledger could not be opened.
public struct LedgerError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, naming the path.
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
