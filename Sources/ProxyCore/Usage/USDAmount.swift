/// An amount of US dollars held exactly, in billionths (nanodollars): sums of Perplexity's per-request costs
/// (`0.00264`, `0.005023`) stay exact, where adding `Double`s drifts (`0.06600000000000004`).
public struct USDAmount: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Billionths of a dollar.
    public var nanos: Int64

    public static let zero = USDAmount(nanos: 0)
    private static let nanosPerDollar: Int64 = 1_000_000_000

    public init(nanos: Int64) {
        self.nanos = nanos
    }

    /// The nearest amount to `dollars` (a ledger's or the upstream's `cost_usd`); nil for non-finite or out of
    /// range values.
    public init?(dollars: Double) {
        let scaled = (dollars * Double(Self.nanosPerDollar)).rounded()
        guard scaled.isFinite, abs(scaled) < 9e18 else { return nil }
        nanos = Int64(scaled)
    }

    /// The amount as a plain decimal (`0.066`, `12`, `0.000000001`): what reports and JSON print.
    public var description: String {
        let sign = nanos < 0 ? "-" : ""
        let magnitude = nanos.magnitude
        let whole = magnitude / UInt64(Self.nanosPerDollar)
        var fraction = String(magnitude % UInt64(Self.nanosPerDollar))
        guard fraction != "0" else { return sign + String(whole) }
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return sign + String(whole) + "." + fraction
    }

    /// The amount in dollars, for display arithmetic only.
    public var dollars: Double { Double(nanos) / Double(Self.nanosPerDollar) }

    public static func + (lhs: USDAmount, rhs: USDAmount) -> USDAmount { USDAmount(nanos: lhs.nanos &+ rhs.nanos) }
    public static func - (lhs: USDAmount, rhs: USDAmount) -> USDAmount { USDAmount(nanos: lhs.nanos &- rhs.nanos) }
    public static func += (lhs: inout USDAmount, rhs: USDAmount) { lhs.nanos = lhs.nanos &+ rhs.nanos }
    public static func < (lhs: USDAmount, rhs: USDAmount) -> Bool { lhs.nanos < rhs.nanos }
}
