import FuzzDriver

@testable import BgxferCore

/// RFC 3339 times (`--begin-at`, BGXFER_NOW, the store's own): what parses prints, and what is
/// printed parses again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTimestamp(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = FuzzDriver.text(data, size)
    for zoneless in [false, true] {
        guard let date = Timestamp.parse(text, zoneless: zoneless) else { continue }
        let printed = Timestamp.string(date, fractional: true)
        FuzzDriver.require(Timestamp.parse(printed) != nil, "\(text.debugDescription) printed as \(printed), which does not parse")
    }
    return 0
}

FuzzDriver.run(fuzzTimestamp)
