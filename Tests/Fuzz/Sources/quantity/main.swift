import FuzzDriver

@testable import BgxferCore

/// Rates and durations: within their bounds, or refused in one line; nothing traps.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQuantity(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = FuzzDriver.text(data, size)
    if let bytes = try? Quantity.bytes(text) {
        FuzzDriver.require((1...Quantity.largestSize).contains(bytes), "\(text.debugDescription) → \(bytes)")
    }
    if let seconds = try? Quantity.seconds(text) {
        FuzzDriver.require(seconds > 0 && seconds <= Quantity.longestDuration, "\(text.debugDescription) → \(seconds)")
        _ = Format.span(seconds)
        _ = Format.duration(seconds)
        _ = Int(saturating: seconds * 1000)
    }
    return 0
}

FuzzDriver.run(fuzzQuantity)
