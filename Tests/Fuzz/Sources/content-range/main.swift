import FuzzDriver

@testable import BgxferCore

/// A 206's Content-Range: what parses is a range that makes sense, and the resume rules judge
/// any of them without trapping.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzContentRange(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = FuzzDriver.text(data, size)
    if let range = ContentRange(text) {
        if let start = range.start, let end = range.end { FuzzDriver.require(start <= end, "\(text.debugDescription)") }
        if let end = range.end, let total = range.total { FuzzDriver.require(end < total, "\(text.debugDescription)") }
    }
    for offset: Int64 in [1, 100, 1 << 40] {
        _ = ResumeRules.judge(offset: offset, status: 206, contentRange: text, expectedTotal: 1 << 41)
    }
    return 0
}

FuzzDriver.run(fuzzContentRange)
