import Foundation
import Testing

@testable import ProxyCore

@Suite struct DescriptorLimitTests {
    private func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    @Test func raiseAndReserve_reportsTheSoftLimit_raisedToTheHardOne_andLeaksNothing() {
        let before = openDescriptors()
        let reported = DescriptorLimit.raiseAndReserve()
        var limit = rlimit()
        #expect(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0)
        #expect(reported == Int(clamping: limit.rlim_cur))
        // (An unlimited hard limit cannot be the soft one: the kernel caps descriptors at fs.nr_open.)
        #expect(limit.rlim_cur == limit.rlim_max || limit.rlim_max == rlim_t.max)
        #expect(openDescriptors() == before)
        // A second call changes nothing.
        #expect(DescriptorLimit.raiseAndReserve() == reported)
    }
}
