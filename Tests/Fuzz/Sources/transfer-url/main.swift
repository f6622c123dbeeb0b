import FuzzDriver

@testable import BgxferCore

/// URLs: an accepted one has a scheme bgxfer transfers; a refusal is one line; a password in
/// what is printed is masked.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTransferURL(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = FuzzDriver.text(data, size)
    do {
        let url = try TransferURL.validate(text)
        let scheme = url.prefix { $0 != ":" }.lowercased()
        FuzzDriver.require(TransferURL.schemes.contains(scheme), "accepted \(text.debugDescription)")
        _ = TransferURL.lastPathSegment(url).flatMap(FileName.validate)
        _ = LoopbackHost.contains(url)
    } catch let error as BgxferError {
        FuzzDriver.require(!error.message.contains("\n"), "two lines: \(error.message.debugDescription)")
    } catch {
        FuzzDriver.require(false, "threw \(error)")
    }
    _ = Redaction.url(text)
    return 0
}

FuzzDriver.run(fuzzTransferURL)
