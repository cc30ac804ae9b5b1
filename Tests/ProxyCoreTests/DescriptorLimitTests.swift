import Testing

@testable import ProxyCore

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct DescriptorLimitTests {
    @Test func raiseAndReserve_reportsTheSoftLimit_raisedToTheHardOne_andLeavesNoCopyOpen() {
        let reported = DescriptorLimit.raiseAndReserve()
        var limit = rlimit()
        #expect(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0)
        #expect(reported == Int(clamping: limit.rlim_cur))
        // (An unlimited hard limit cannot be the soft one: the kernel caps descriptors at fs.nr_open.)
        #expect(limit.rlim_cur == limit.rlim_max || limit.rlim_max == rlim_t.max)
        // The copy that sized the table sat at the highest number; it must be closed again.
        let highest = Int32(clamping: min(limit.rlim_cur, DescriptorLimit.maxReserved)) - 1
        #expect(fcntl(highest, F_GETFD) == -1)
        // A second call changes nothing.
        #expect(DescriptorLimit.raiseAndReserve() == reported)
    }
}
