import Foundation
import Testing

@testable import BgxferCore

/// Where a finished download goes, and under which name (README, "Transfers"), decided without
/// touching a file.
@Suite struct PlacementTests {
    let partial = "/home/u/Downloads/a.iso.bgxfer-abc.part"

    @Test func aVerifiedDownloadIsRenamedInItsDirectoryReplacingOnlyWithOverwrite() {
        for overwrite in [false, true] {
            let placement = Placement.decide(
                verdict: .accepted, destination: "/home/u/Downloads/a.iso", partialPath: partial, overwrite: overwrite)
            #expect(placement == .rename(to: "a.iso", replace: overwrite))
        }
    }

    @Test func notModifiedLeavesTheDestinationAndDropsThePartialFile() {
        for destination in ["/home/u/Downloads/a.iso", nil] {
            #expect(Placement.decide(verdict: .notModified, destination: destination, partialPath: partial, overwrite: false) == .discardPartial)
        }
    }

    @Test func noDestinationOrAnotherDirectoryIsRefusedKeepingTheBytes() {
        guard case .refuse(let none) = Placement.decide(verdict: .accepted, destination: nil, partialPath: partial, overwrite: true)
        else { Issue.record("a missing destination was placed"); return }
        #expect(none.code == .internal && none.message.hasSuffix("the downloaded file is kept as \(partial)"))
        let elsewhere = Placement.decide(verdict: .accepted, destination: "/tmp/a.iso", partialPath: partial, overwrite: true)
        #expect(elsewhere == .refuse(PlacementError(code: .internal, message: "\(partial) is not in /tmp")))
    }

    @Test func aFailedRenameSaysWhyAndWhereTheBytesAre() {
        let taken = Placement.renameFailure(errno: EEXIST, destination: "/d/a.iso", partialPath: partial)
        #expect(taken.code == .destinationExists)
        #expect(taken.message == "/d/a.iso appeared while downloading and --overwrite was not given; the downloaded file is kept as \(partial)")
        let denied = Placement.renameFailure(errno: EACCES, destination: "/d/a.iso", partialPath: partial)
        #expect(denied.message.hasPrefix("cannot rename onto /d/a.iso: ") && denied.message.contains("kept as \(partial)"))
    }

    @Test func theServersNameWinsWhenItIsSafe() {
        let naming = FileNaming.choose(contentDisposition: "attachment; filename=\"report.pdf\"", url: "https://h/download?id=3")
        #expect(naming == .named("report.pdf", origin: FileNaming.serverOrigin, note: nil))
    }

    @Test func anUnsafeServerNameFallsBackToTheURLSayingWhy() {
        guard case .named(let name, let origin, let note?) = FileNaming.choose(
            contentDisposition: "attachment; filename=\"..\"", url: "https://h/files/data%20set.csv")
        else { Issue.record("no name with a note"); return }
        #expect(name == "data set.csv" && origin == FileNaming.urlOrigin)
        #expect(note.hasPrefix("the server's Content-Disposition is not used: "))
    }

    @Test func withoutAHeaderTheURLNamesTheFile() {
        #expect(FileNaming.choose(contentDisposition: nil, url: "https://h/a/b.tar.gz?x=1") == .named("b.tar.gz", origin: FileNaming.urlOrigin, note: nil))
    }

    @Test func neitherNamingAFileFailsTheAttemptAskingForO() {
        for (header, url) in [(nil, "https://h/"), ("inline", "https://h/dir/"), ("attachment; filename=\".hidden\"", "https://h/")] {
            guard case .unnamed(let error, let note) = FileNaming.choose(contentDisposition: header, url: url) else {
                Issue.record("\(url) was named"); continue
            }
            #expect(error.code == .noFileName && error.message.hasSuffix("use -o"))
            #expect((note != nil) == (header?.contains("filename") ?? false))
        }
    }
}
