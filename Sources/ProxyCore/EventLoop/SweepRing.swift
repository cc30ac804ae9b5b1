/// The objects a loop sweeps, visited round-robin one slice per tick: each is still visited about once per
/// `EventLoop.sweepInterval`, but no single tick stalls the loop for long. (Sweeping 1,000 streams at once took
/// ~1 ms, which delayed every chunk that arrived meanwhile.)
///
/// Holds its objects strongly. Confined to the loop's queue.
struct SweepRing {
    private var entries: [LoopSweepable] = []
    private var positions: [ObjectIdentifier: Int] = [:]
    private var cursor = 0

    var isEmpty: Bool { entries.isEmpty }

    /// Every object, in no particular order (a snapshot).
    var all: [LoopSweepable] { entries }

    /// Adds `object` (a no-op if it is already in the ring).
    mutating func insert(_ object: LoopSweepable) {
        let id = ObjectIdentifier(object)
        guard positions[id] == nil else { return }
        positions[id] = entries.count
        entries.append(object)
    }

    /// Removes `object`. The last object takes its place; if that place was already visited this round, the moved
    /// object waits for the next round (at most one interval late).
    mutating func remove(_ object: LoopSweepable) {
        guard let index = positions.removeValue(forKey: ObjectIdentifier(object)) else { return }
        let last = entries.removeLast()
        guard index < entries.count else { return }
        entries[index] = last
        positions[ObjectIdentifier(last)] = index
    }

    mutating func removeAll() {
        entries.removeAll()
        positions.removeAll()
        cursor = 0
    }

    /// The next slice of a round of `ticksPerRound` slices (a snapshot: sweeping may insert or remove objects).
    mutating func nextSlice(ticksPerRound: Int) -> ArraySlice<LoopSweepable> {
        if cursor >= entries.count { cursor = 0 }
        let size = (entries.count + ticksPerRound - 1) / ticksPerRound
        let end = min(entries.count, cursor + size)
        let slice = entries[cursor..<end]
        cursor = end
        return slice
    }
}
