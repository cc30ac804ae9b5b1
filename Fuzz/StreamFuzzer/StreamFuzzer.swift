import CFuzzerDriver
import FuzzCorpus
import ProxyCore

/// libFuzzer target for everything that reads upstream stream bytes: the SSE parser under the three translators
/// (Agent API, chat normaliser, pass-through on both wires) and the key scrubber. Whatever the upstream sends,
/// in whatever pieces: nothing traps, cutting the input in two changes no output, every `data:` line a translator
/// writes for the client is valid JSON, and the key never gets through the scrubber.
///
/// Built with `-sanitize=fuzzer -DFUZZING` (`make fuzz`), this file exports libFuzzer's entry point; built
/// normally, it is a command that replays corpus files through the same check.
enum StreamFuzzer {
    static let key = "pplx-fuzz-SECRET-0123456789"

    static func check(_ data: UnsafeRawBufferPointer) {
        guard !data.isEmpty else { return }
        let cut = Int(data[0]) % data.count
        let pieces = [UnsafeRawBufferPointer(rebasing: data[..<cut]), UnsafeRawBufferPointer(rebasing: data[cut...])]
        let translators: [() -> any StreamTranslator] = [
            { AgentStreamTranslator(clientModel: "sonar", includeUsage: true, fallbackID: "chatcmpl-f", created: 1) },
            { ChatStreamNormalizer(clientModel: "sonar", includeUsage: true) },
            { PassthroughRelay() },
            { PassthroughRelay(wire: .agent) },
        ]
        for (index, make) in translators.enumerated() {
            let whole = run(make(), [data])
            let split = run(make(), pieces)
            precondition(whole == split, "translator \(index): cutting the input at \(cut) changed the output")
            if index < 2 { checkClientJSON(whole) }
        }
        checkScrubber(pieces)
    }

    private static func run<T: StreamTranslator>(_ start: T, _ pieces: [UnsafeRawBufferPointer]) -> [UInt8] {
        var translator = start
        var output: [UInt8] = []
        for piece in pieces where translator.consume(piece, into: &output) == .finished {
            return output
        }
        translator.upstreamEnded(into: &output)
        return output
    }

    /// Every data line the client gets parses as JSON (or is the `[DONE]` sentinel).
    private static func checkClientJSON(_ output: [UInt8]) {
        for line in output.split(separator: UInt8(ascii: "\n")) where line.starts(with: "data: ".utf8) {
            let payload = line.dropFirst(6)
            if payload.elementsEqual("[DONE]".utf8) { continue }
            let valid = Array(payload).withUnsafeBytes { JSONScanner($0).root() != nil }
            precondition(valid, "a translator wrote invalid JSON for the client: \(String(decoding: payload, as: UTF8.self))")
        }
    }

    /// The scrubber never lets the key through, whatever precedes or splits it.
    private static func checkScrubber(_ pieces: [UnsafeRawBufferPointer]) {
        // The input with the key spliced in at the cut: it must come out without it.
        var planted = SecretScrubber(secret: key)!
        let withKey = Array(pieces[0]) + Array(key.utf8) + Array(pieces[1])
        var cleaned: [UInt8] = []
        let unchanged = withKey.withUnsafeBytes { planted.scrub($0, into: &cleaned) }
        var result = unchanged ? withKey : cleaned
        result.append(contentsOf: planted.finish())
        precondition(!contains(result, Array(key.utf8)), "the key got through the scrubber")
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }
}

#if FUZZING
    /// SwiftPM links an executable's entry point as `StreamFuzzer_main`; under libFuzzer it runs libFuzzer's driver.
    @_cdecl("StreamFuzzer_main")
    func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
        var count = argc
        var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
        return LLVMFuzzerRunDriver(&count, &arguments) { data, size in
            StreamFuzzer.check(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        }
    }
#else
    @main
    struct ReplayCorpus {
        static func main() {
            FuzzCorpus.replay(CommandLine.arguments.dropFirst(), through: StreamFuzzer.check)
        }
    }
#endif
