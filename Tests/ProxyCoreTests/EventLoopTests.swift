import Dispatch
import Foundation
import Synchronization
import Testing

@testable import ProxyCore

#if canImport(Glibc)
    import Glibc
#endif

private final class Probe: LoopSweepable {
    let name: Int
    var visits = 0
    init(_ name: Int) { self.name = name }
    func sweep(now: UInt64) { visits += 1 }
}

/// Records readiness callbacks for one end of a socket pair registered with a loop's reactor.
private final class ReadRecorder: SocketEventHandler, @unchecked Sendable {
    let reads = Mutex(0)
    func socketReadable(_ fd: Int32, error: Bool) {
        var byte: UInt8 = 0
        _ = Glibc.read(fd, &byte, 1)
        reads.withLock { $0 += 1 }
    }
    func socketWritable(_ fd: Int32) {}
}

private func socketPair() -> (Int32, Int32) {
    var fds: [Int32] = [0, 0]
    let result = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds)
    precondition(result == 0)
    _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
    _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
    return (fds[0], fds[1])
}

/// Waits (bounded) until `condition` holds.
private func eventually(_ seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(1_000)
    }
    return condition()
}

@Suite struct SweepRingTests {
    @Test func everyObjectIsVisitedAtLeastOncePerRound_inSmallSlices() {
        var ring = SweepRing()
        let probes = (0..<25).map(Probe.init)
        for probe in probes { ring.insert(probe) }
        var sliceSizes: [Int] = []
        for _ in 0..<10 {
            let slice = ring.nextSlice(ticksPerRound: 10)
            sliceSizes.append(slice.count)
            for object in slice { object.sweep(now: 0) }
        }
        // 25 objects in slices of 3: the ring is covered in 9 ticks, and the 10th starts the next pass.
        #expect(probes.allSatisfy { $0.visits >= 1 })
        #expect(probes.reduce(0) { $0 + $1.visits } == 28)
        #expect(sliceSizes.max() == 3)
    }

    @Test func removingAnObject_keepsTheOthersInTheRing() {
        var ring = SweepRing()
        let probes = (0..<5).map(Probe.init)
        for probe in probes { ring.insert(probe) }
        ring.remove(probes[1])
        ring.remove(probes[1])  // a second removal is a no-op
        ring.insert(probes[3])  // a second insertion too
        let names = ring.all.map { ($0 as! Probe).name }.sorted()
        #expect(names == [0, 2, 3, 4])
        for _ in 0..<2 {
            for object in ring.nextSlice(ticksPerRound: 1) { object.sweep(now: 0) }
        }
        #expect(probes[1].visits == 0)
        #expect([0, 2, 3, 4].allSatisfy { probes[$0].visits == 2 })
    }

    @Test func emptyRing_givesEmptySlices() {
        var ring = SweepRing()
        #expect(ring.nextSlice(ticksPerRound: 10).isEmpty)
        #expect(ring.isEmpty)
    }
}

@Suite struct EventLoopTests {
    @Test func runSoon_runsAfterTheCurrentBlock_inOrder() {
        let loop = EventLoop(index: 0)
        let order = Mutex<[Int]>([])
        let done = DispatchSemaphore(value: 0)
        loop.execute {
            loop.runSoon { order.withLock { $0.append(2) } }
            loop.runSoon {
                order.withLock { $0.append(3) }
                done.signal()
            }
            order.withLock { $0.append(1) }
        }
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(order.withLock { $0 } == [1, 2, 3])
        loop.sync { loop.shutdown() }
    }

    @Test func reactorTimer_firesOnce_andADisarmedTimerDoesNot() {
        let loop = EventLoop(index: 0)
        let fired = Mutex(0)
        let cancelledFired = Mutex(0)
        let timers = loop.sync {
            let timer = ReactorTimer(reactor: loop.reactor) { fired.withLock { $0 += 1 } }
            timer.arm(milliseconds: 20)
            let cancelled = ReactorTimer(reactor: loop.reactor) { cancelledFired.withLock { $0 += 1 } }
            cancelled.arm(milliseconds: 20)
            cancelled.disarm()
        }
        #expect(eventually { fired.withLock { $0 } == 1 })
        usleep(100_000)
        #expect(fired.withLock { $0 } == 1)
        #expect(cancelledFired.withLock { $0 } == 0)
        loop.sync { loop.shutdown() }
    }

    /// A loop that keeps receiving socket events stays in its busy period: work queued from another thread must
    /// still run (the queued-work check and the eventfd end the period), every time.
    @Test func executeFromAnotherThread_runsWhileTheLoopIsBusyWithSockets() {
        let loop = EventLoop(index: 0)
        let (ours, theirs) = socketPair()
        let recorder = ReadRecorder()
        loop.sync { loop.reactor.watch(ours, handler: recorder, read: true, write: false) }
        let stop = Atomic<Bool>(false)
        let feeder = Thread {
            var byte: UInt8 = 1
            while !stop.load(ordering: .relaxed) {
                _ = Glibc.write(theirs, &byte, 1)
                usleep(200)
            }
        }
        feeder.start()
        #expect(eventually { recorder.reads.withLock { $0 } > 20 })
        var ranEveryTime = true
        for _ in 0..<50 {
            let ran = DispatchSemaphore(value: 0)
            loop.execute { ran.signal() }
            if ran.wait(timeout: .now() + 5) != .success { ranEveryTime = false }
        }
        let readsMeanwhile = recorder.reads.withLock { $0 }
        stop.store(true, ordering: .relaxed)
        usleep(10_000)
        loop.sync {
            loop.reactor.remove(ours)
            loop.shutdown()
        }
        Glibc.close(ours)
        Glibc.close(theirs)
        #expect(ranEveryTime)
        #expect(readsMeanwhile > 20)
    }
}
