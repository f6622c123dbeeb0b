import FuzzDriver
import Foundation

@testable import BgxferCore

/// Resume data is a file anyone can hand a user: it decodes, or is refused with a one-line
/// BgxferError; what is accepted passed every check (README, "Resume data").
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResumeData(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    do {
        let resume = try ResumeData.decode(Data(FuzzDriver.bytes(data, size)), path: "/fuzz.resume")
        FuzzDriver.require((try? TransferURL.validate(resume.url)) != nil, "accepted url \(resume.url)")
        if resume.kind == .download {
            let name = (resume.partialPath.map { ($0 as NSString).lastPathComponent }) ?? ""
            FuzzDriver.require(PartialFile.isPartialName(name), "accepted partialPath \(resume.partialPath ?? "nil")")
        }
        for header in resume.headers {
            FuzzDriver.require(!header.unicodeScalars.contains { $0 == "\r" || $0 == "\n" }, "accepted header \(header)")
        }
    } catch let error as BgxferError {
        FuzzDriver.require(!error.message.contains("\n"), "a refusal of two lines: \(error.message)")
    } catch {
        FuzzDriver.require(false, "threw \(error)")
    }
    return 0
}

FuzzDriver.run(fuzzResumeData)
