import FuzzDriver

@testable import BgxferCore

/// A server's Content-Disposition: a name it suggests is always one that may be saved.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzContentDisposition(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    if case .name(let name) = ContentDisposition.fileName(FuzzDriver.text(data, size)) {
        FuzzDriver.require(FileName.validate(name) != nil, "suggested an unsafe name \(name.debugDescription)")
    }
    return 0
}

FuzzDriver.run(fuzzContentDisposition)
