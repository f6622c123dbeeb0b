import FuzzDriver

@testable import BgxferCore

/// `-H`: an accepted header is one line `Name: value`; a refusal is one line and never quotes
/// the value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHeaderField(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = FuzzDriver.text(data, size)
    do {
        let header = try HeaderField.parse(text)
        FuzzDriver.require(!header.unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\0" }, "accepted \(text.debugDescription)")
        FuzzDriver.require(header.contains(":"), "no colon in \(header.debugDescription)")
        _ = Redaction.header(header)
    } catch let error as BgxferError {
        let message = error.message
        FuzzDriver.require(!message.unicodeScalars.contains { $0.value < 0x20 }, "control characters in \(message.debugDescription)")
        if let colon = text.firstIndex(of: ":") {
            let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 8 { FuzzDriver.require(!message.contains(value), "quoted the value: \(message.debugDescription)") }
        }
    } catch {
        FuzzDriver.require(false, "threw \(error)")
    }
    return 0
}

FuzzDriver.run(fuzzHeaderField)
