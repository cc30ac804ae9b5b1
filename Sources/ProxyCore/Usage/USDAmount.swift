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

    /// The most one request is taken to cost: an upstream's `total_cost` (or a ledger's) is read as at most this,
    /// so a wrong or hostile figure cannot overflow a budget's sums or lock every later request out.
    public static let perRequestCap = USDAmount(nanos: 10_000 * nanosPerDollar)

    /// A request's reported cost, between zero and `perRequestCap` (nil when it is not a number at all).
    public init?(reportedCost dollars: Double) {
        guard !dollars.isNaN else { return nil }
        let clamped = Swift.min(Swift.max(0, dollars), Self.perRequestCap.dollars)
        self.init(nanos: Int64((clamped * Double(Self.nanosPerDollar)).rounded()))
    }

    /// The exact amount a JSON number spells (`0.006`, `12`, `1.5e-3`), as a config file gives it; nil for
    /// anything else or more than nine decimals' precision lost. Decimal text is read digit by digit, so `0.006`
    /// is exactly 6,000,000 nanodollars (no binary rounding).
    public init?(decimal text: String) {
        guard let nanos = Self.nanos(decimal: text) else { return nil }
        self.init(nanos: nanos)
    }

    private static func nanos(decimal text: String) -> Int64? {
        guard text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) else {
            return Double(text).flatMap(USDAmount.init(dollars:))?.nanos
        }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let wholeText = parts.first, !wholeText.isEmpty, wholeText.count <= 9, let whole = Int64(wholeText) else {
            return nil
        }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 9, let value = Int64(digits) else { return nil }
            fraction = value
            for _ in digits.count..<9 { fraction *= 10 }
        }
        return whole * nanosPerDollar + fraction
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

    /// Sums saturate at `Int64`'s bounds rather than wrap or trap.
    public static func + (lhs: USDAmount, rhs: USDAmount) -> USDAmount {
        let (total, overflow) = lhs.nanos.addingReportingOverflow(rhs.nanos)
        return USDAmount(nanos: overflow ? (rhs.nanos > 0 ? .max : .min) : total)
    }
    public static func - (lhs: USDAmount, rhs: USDAmount) -> USDAmount {
        let (difference, overflow) = lhs.nanos.subtractingReportingOverflow(rhs.nanos)
        return USDAmount(nanos: overflow ? (rhs.nanos < 0 ? .max : .min) : difference)
    }
    public static func += (lhs: inout USDAmount, rhs: USDAmount) { lhs = lhs + rhs }
    public static func < (lhs: USDAmount, rhs: USDAmount) -> Bool { lhs.nanos < rhs.nanos }
}
