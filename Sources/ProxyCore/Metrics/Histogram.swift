/// A Prometheus histogram with fixed buckets (seconds).
struct Histogram: Sendable {
    static let defaultBuckets: [Double] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]
    private(set) var counts: [Int] = Array(repeating: 0, count: defaultBuckets.count)
    private(set) var sum: Double = 0
    private(set) var count = 0

    mutating func observe(_ seconds: Double) {
        for (i, bound) in Self.defaultBuckets.enumerated() where seconds <= bound {
            counts[i] += 1
        }
        sum += seconds
        count += 1
    }

    func render(name: String, into out: inout String) {
        out += "# TYPE \(name) histogram\n"
        for (i, bound) in Self.defaultBuckets.enumerated() {
            out += "\(name)_bucket{le=\"\(bound)\"} \(counts[i])\n"
        }
        out += "\(name)_bucket{le=\"+Inf\"} \(count)\n"
        out += "\(name)_sum \(sum)\n"
        out += "\(name)_count \(count)\n"
    }
}
