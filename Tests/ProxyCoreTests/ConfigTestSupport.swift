import Foundation

@testable import ProxyCore

/// Loads a config document given as text.
func loadConfig(_ json: String) -> Result<ProxyConfig, ConfigErrors> {
    ConfigLoader.load(json: Array(json.utf8))
}

/// The problems loading `json` reports; empty when it loads.
func configProblems(_ json: String) -> [ConfigProblem] {
    switch loadConfig(json) {
    case .success: []
    case .failure(let errors): errors.problems
    }
}

/// A fresh file in the temporary directory with `content`; the caller removes it.
func temporaryFile(_ content: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("pplx-config-\(UUID().uuidString)").path
    try Data(content.utf8).write(to: URL(fileURLWithPath: path))
    return path
}
