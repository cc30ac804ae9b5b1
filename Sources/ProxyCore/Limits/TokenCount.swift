/// Token counts that come from outside the process (an upstream's usage, a ledger line, a client's `max_tokens`)
/// are clamped to `0...maximum`, so no figure a faulty upstream or a hostile client sends can overflow a sum and
/// trap the process (a billion tokens is far beyond any real request).
enum TokenCount {
    static let maximum = 1_000_000_000

    static func clamped(_ value: Int) -> Int {
        min(max(value, 0), maximum)
    }
}
