import ArgumentParser
import ProxyCore

#if canImport(Glibc)
    import Glibc
#endif

/// `pplx-proxy check-config FILE`: validates a config file and prints every problem with its JSON path.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a config file; print every problem with its JSON path (exit 0 ok, 1 invalid).")

    @Argument(help: "The JSON config file.")
    var file: String

    func run() throws {
        switch ConfigLoader.load(path: file) {
        case .success(let config):
            print(
                "\(file): ok (listen \(config.listen), upstream \(config.upstream.api.rawValue) at \(config.upstream.url), \(config.models.count) models, \(config.clients.count) clients)"
            )
        case .failure(let errors):
            for problem in errors.problems { print("\(file): \(problem)") }
            throw ExitCode(1)
        }
    }
}
