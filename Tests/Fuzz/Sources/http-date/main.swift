import FuzzDriver
import Foundation

@testable import BgxferCore

/// Dates and delays a server sends (Last-Modified, Date, Retry-After).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPDate(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = FuzzDriver.text(data, size)
    _ = HTTPDate.parse(text)
    if let delay = RetryAfter.seconds(text) { FuzzDriver.require(delay >= 0, "\(text.debugDescription) → \(delay)") }
    _ = ResumeRules.validator(etag: text, lastModified: text, date: text)
    return 0
}

FuzzDriver.run(fuzzHTTPDate)
