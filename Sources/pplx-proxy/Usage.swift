import ArgumentParser
import ProxyCore

#if canImport(Glibc)
    import Glibc
#endif

/// `pplx-proxy usage`: totals from the usage ledger, by client or model.
struct Usage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage", abstract: "Usage report from the ledger (a table; --json: one object per row).")

    @Option(help: "A ledger file or glob; repeat it to total several instances' ledgers (default: usage_ledger from --config).")
    var ledger: [String] = []

    @Option(help: "Config file whose usage_ledger to read.")
    var config: String?

    @Option(help: "Only requests from this UTC day on (YYYY-MM-DD).")
    var since: String?

    @Option(help: "Group by client, model, day or month (UTC, the budget periods).")
    var by: UsageReport.Grouping = .client

    @Flag(help: "One JSON object per row instead of a table.")
    var json = false

    func validate() throws {
        if let since, !Self.isDate(since) {
            throw ValidationError("--since takes a date as YYYY-MM-DD, got '\(since)'")
        }
    }

    func run() throws {
        let paths: [String]
        if !ledger.isEmpty {
            paths = try ledger.flatMap { pattern in
                let matches = Self.expand(pattern)
                guard !matches.isEmpty else { throw ValidationError("--ledger \(pattern): no such file") }
                return matches
            }
        } else if let config {
            switch ConfigLoader.load(path: config) {
            case .failure(let errors):
                ProcessSetup.fail(errors.description, code: 1)
            case .success(let loaded):
                guard let configured = loaded.usageLedger else { ProcessSetup.fail("\(config) sets no usage_ledger", code: 1) }
                paths = [configured]
            }
        } else {
            throw ValidationError("name the ledger with --ledger FILE (or --config FILE with usage_ledger set)")
        }
        var report = UsageReport(by: by, since: since)
        // A file named twice (a glob and a path) is counted once.
        var seen = Set<String>()
        for path in paths where seen.insert(path).inserted {
            if case .failure(let error) = LedgerReader.forEachLine(path: path, { report.add(line: $0) }) {
                ProcessSetup.fail("usage: \(error.message)", code: 1)
            }
        }
        print(json ? report.jsonLines(grouping: by) : report.table(grouping: by), terminator: "")
        if report.skippedLines > 0 {
            ProcessSetup.printError("usage: skipped \(report.skippedLines) unreadable line(s)")
        }
    }

    /// The files a `--ledger` value names: the glob's matches in order, or the path itself when it has no pattern
    /// characters (so a missing file is reported by the reader).
    private static func expand(_ pattern: String) -> [String] {
        guard pattern.contains(where: { "*?[".contains($0) }) else { return [pattern] }
        var matches = glob_t()
        defer { globfree(&matches) }
        guard glob(pattern, 0, nil, &matches) == 0 else { return [] }
        return (0..<Int(matches.gl_pathc)).compactMap { matches.gl_pathv[$0].map { String(cString: $0) } }
    }

    private static func isDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
        return bytes.enumerated().allSatisfy { i, b in i == 4 || i == 7 || (b >= 0x30 && b <= 0x39) }
    }
}

extension UsageReport.Grouping: ExpressibleByArgument {}
