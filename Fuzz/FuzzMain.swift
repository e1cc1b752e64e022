// The libFuzzer entry point of `make fuzz` (built with `swiftc -sanitize=fuzzer`; see Fuzz/README.md).
// Each input goes through `HardeningFuzzEntry.run` (Tests/LabelAssignTests/Hardening/); a broken
// property is reported and the process aborts, so libFuzzer keeps the input as a crash.
#if canImport(Glibc)
import Glibc
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func labelAssignFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let violations = HardeningFuzzEntry.run(UnsafeBufferPointer(start: data, count: size))
    if !violations.isEmpty {
        for v in violations { fputs("labelassign-fuzz: \(v)\n", stderr) }
        abort()
    }
    return 0
}
