import Synchronization

/// A lock-free counter shared between loops (round-robin choice, metrics).
public final class AtomicCounter: Sendable {
    private let value = Atomic<Int>(0)

    public init() {}

    /// Adds one and returns the value before the addition.
    @discardableResult
    public func increment() -> Int {
        value.add(1, ordering: .relaxed).oldValue
    }

    /// Adds `amount`.
    public func add(_ amount: Int) {
        value.add(amount, ordering: .relaxed)
    }

    /// Subtracts `amount`.
    public func subtract(_ amount: Int) {
        value.subtract(amount, ordering: .relaxed)
    }

    /// Sets the value (a gauge).
    public func store(_ newValue: Int) {
        value.store(newValue, ordering: .relaxed)
    }

    /// The current value.
    public var load: Int { value.load(ordering: .relaxed) }
}

/// A lock-free running maximum.
public final class AtomicMaximum: Sendable {
    private let value = Atomic<Int>(0)

    public init() {}

    /// Raises the maximum to `candidate` if it is larger.
    public func observe(_ candidate: Int) {
        var current = value.load(ordering: .relaxed)
        while candidate > current {
            let (exchanged, original) = value.compareExchange(expected: current, desired: candidate, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    /// The maximum so far.
    public var load: Int { value.load(ordering: .relaxed) }
}
