import ArgumentParser
import ProxyCore

/// `pplx-proxy hash-key`: reads a member key on stdin and prints the `key_hash` string to store.
struct HashKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-key",
        abstract: "Read a member key on stdin; print the string to store as key_hash (sha256:<hex>).")

    func run() throws {
        var input = ""
        while let line = readLine(strippingNewline: false) { input += line }
        let key = KeyHash.key(fromInput: input)
        guard !key.isEmpty else {
            ProcessSetup.printError("hash-key: no key on standard input")
            throw ExitCode(1)
        }
        print(KeyHash.hash(key))
    }
}
