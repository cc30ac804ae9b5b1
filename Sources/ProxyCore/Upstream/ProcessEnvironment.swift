#if canImport(Glibc)
    import Glibc
#endif

/// One environment variable of the process, read where libcurl would read it.
enum ProcessEnvironment {
    /// The variable's value; nil when unset or empty.
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let text = String(cString: raw)
        return text.isEmpty ? nil : text
    }
}
