/// Unique ids for requests and completions: a random per-process prefix and a counter.
///
/// Ids must be unique, not secret, so one `getrandom` at start-up replaces one per id (a system call per random
/// byte with `SystemRandomNumberGenerator` showed up in the syscall profile).
enum RequestIdentifiers {
    private static let prefix: String = {
        let value = UInt64.random(in: UInt64.min...UInt64.max)
        return hex(value, digits: 12)
    }()
    private static let counter = AtomicCounter()

    /// A fresh id: 12 random hex digits for this process, then 12 of a counter.
    static func next() -> String {
        prefix + hex(UInt64(counter.increment()), digits: 12)
    }

    private static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        let fixed = text.count >= digits ? String(text.suffix(digits)) : String(repeating: "0", count: digits - text.count) + text
        return fixed
    }
}
