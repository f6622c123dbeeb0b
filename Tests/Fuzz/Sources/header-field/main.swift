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
        // What is quoted is the name (its first 64 characters), never anything after it.
        // Between the first quote and the last "': ", in scalars (a quote followed by a
        // combining mark is one Character with it).
        let prefix = "malformed header '"
        let message32 = Array(message.unicodeScalars)
        let closing = Array("': ".unicodeScalars)
        guard message32.starts(with: prefix.unicodeScalars), message32.count >= closing.count,
            let close = (0...(message32.count - closing.count)).last(where: { Array(message32[$0..<$0 + closing.count]) == closing })
        else {
            FuzzDriver.require(false, "no quoted header in \(message.debugDescription)")
            return 0
        }
        var quoted = Array(message32[prefix.unicodeScalars.count..<close])
        for suffix in [": …", " …"] where quoted.count >= suffix.unicodeScalars.count {
            if quoted.suffix(suffix.unicodeScalars.count).elementsEqual(suffix.unicodeScalars) {
                quoted.removeLast(suffix.unicodeScalars.count)
                break
            }
        }
        // Scalars: "\r\n" is a single Character.
        let scalars = text.unicodeScalars
        let end = scalars.firstIndex { ":\t\r\n ".unicodeScalars.contains($0) } ?? scalars.endIndex
        FuzzDriver.require(
            Array(String(String(scalars[..<end]).prefix(64)).escapedForMessage.unicodeScalars) == quoted,
            "quoted more than the name: \(message.debugDescription)")
    } catch {
        FuzzDriver.require(false, "threw \(error)")
    }
    return 0
}

FuzzDriver.run(fuzzHeaderField)
