/// A value confined to one event loop, carried through code on other threads (a job handed to a worker queue and
/// back): it can be read only on its loop, which is checked on every read.
public struct LoopBound<Value>: @unchecked Sendable {
    /// The loop the value belongs to.
    public let loop: EventLoop
    private let stored: Value

    /// Wraps `value`; call on `loop`.
    public init(_ value: Value, loop: EventLoop) {
        loop.preconditionInLoop()
        self.loop = loop
        self.stored = value
    }

    /// The value; traps off the loop.
    public var value: Value {
        loop.preconditionInLoop()
        return stored
    }
}
