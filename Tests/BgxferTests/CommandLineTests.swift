import ArgumentParser
import Foundation
import Testing

@testable import BgxferCLI
@testable import BgxferCore

@Suite struct CommandLineTests {
    @Test func downloadTakesRepeatedHeadersAndEveryOption() throws {
        let command = try Bgxfer.parseAsRoot([
            "download", "https://h/a.iso", "-o", "x.iso", "-H", "A: 1", "--header", "B: 2", "--session", "s1",
            "--overwrite", "--checksum", "sha256:" + String(repeating: "0", count: 64), "--limit-rate", "2M",
            "--wait", "--json", "--insecure", "--connect-timeout", "10s", "--no-progress-timeout", "30s",
        ])
        let download = try #require(command as? Download)
        #expect(download.url == "https://h/a.iso")
        #expect(download.output == "x.iso")
        #expect(download.transfer.headers == ["A: 1", "B: 2"])
        #expect(download.overwrite && download.wait && download.json)

        var draft = TaskDraft(url: download.url, destination: "/x.iso")
        try download.transfer.apply(to: &draft, clock: SchedulerClock(fixed: nil))
        #expect(draft.session == "s1")
        #expect(draft.limitRate == 2 << 20)
        #expect(draft.connectTimeout == 10)
        #expect(draft.noProgressTimeout == 30)
        #expect(draft.insecure)
        #expect(draft.requestHeaders == ["A: 1", "B: 2"])
    }

    @Test func theDefaultsAreTheSpecs() throws {
        let download = try #require(try Bgxfer.parseAsRoot(["download", "https://h/a"]) as? Download)
        var draft = TaskDraft(url: download.url, destination: "/a")
        try download.transfer.apply(to: &draft, clock: SchedulerClock(fixed: nil))
        #expect(draft.session == "default")
        #expect(draft.noProgressTimeout == 120)
        #expect(draft.limitRate == nil && draft.connectTimeout == nil)
        #expect(!download.wait && !download.json && !download.overwrite)
    }

    @Test func badOptionValuesAreRefusedBeforeAnyTaskExists() throws {
        let download = try #require(
            try Bgxfer.parseAsRoot(["download", "https://h/a", "--limit-rate", "fast"]) as? Download)
        var draft = TaskDraft(url: download.url, destination: "/a")
        #expect(throws: BgxferError.usage("malformed rate 'fast': expected a positive number with an optional K, M, G or T, e.g. 500K")) {
            try download.transfer.apply(to: &draft, clock: SchedulerClock(fixed: nil))
        }
    }

    @Test func listFiltersParse() throws {
        let list = try #require(try Bgxfer.parseAsRoot(["list", "--state", "failed", "--downloads", "--json"]) as? List)
        #expect(list.state == .failed && list.downloads && list.json)
        #expect(throws: (any Error).self) { try Bgxfer.parseAsRoot(["list", "--state", "sleeping"]) }
        #expect(throws: (any Error).self) { try Bgxfer.parseAsRoot(["list", "--downloads", "--uploads"]) }
    }

    @Test func waitNeedsAnID() {
        #expect(throws: (any Error).self) { try Bgxfer.parseAsRoot(["wait"]) }
    }

    @Test func theWorkerIsHidden() {
        #expect(!Bgxfer.helpMessage().contains("__worker"))
        #expect(Bgxfer.helpMessage().contains("download"))
    }
}

@Suite struct LauncherTests {
    @Test func theWorkerCommandNamesTheSessionAndTheInheritedLock() {
        let command = WorkerCommand(executable: "/usr/bin/bgxfer", session: "s1", environment: ["HOME": "/h"])
        #expect(command.arguments == ["/usr/bin/bgxfer", "__worker", "--session", "s1"])
        #expect(command.environment == ["HOME": "/h", "BGXFER_LOCK_FD": "3"])
    }

    @Test func locksAreKeyedByTheStateDirectoryUnderTheRuntimeDirectory() {
        let a = Paths(environment: ["HOME": "/h", "XDG_STATE_HOME": "/s1", "XDG_RUNTIME_DIR": "/run/user/1"])
        let b = Paths(environment: ["HOME": "/h", "XDG_STATE_HOME": "/s2", "XDG_RUNTIME_DIR": "/run/user/1"])
        #expect(a.stateDirectory == "/s1/bgxfer")
        #expect(a.lockPath(session: "x").hasPrefix("/run/user/1/bgxfer/"))
        #expect(a.lockPath(session: "x") != b.lockPath(session: "x"))
        let fallback = Paths(environment: ["HOME": "/h", "XDG_STATE_HOME": "relative"])
        #expect(fallback.stateDirectory == "/h/.local/state/bgxfer")
        #expect(fallback.lockPath(session: "x") == "/h/.local/state/bgxfer/run/session-x.lock")
    }
}

@Suite struct HelpTextTests {
    /// Every command and subcommand, the hidden ones too.
    static func commands(_ root: any ParsableCommand.Type = Bgxfer.self) -> [any ParsableCommand.Type] {
        [root] + root.configuration.subcommands.flatMap { commands($0) }
    }

    /// A `\\` at a line's end inside a multi-line string literal is a line continuation only when
    /// it is one backslash; two print one, as help and man page showed.
    @Test func noHelpLineEndsInABackslash() {
        for command in Self.commands() {
            let help = Bgxfer.helpMessage(for: command, columns: 100)
            for line in help.split(separator: "\n") where line.hasSuffix("\\") {
                Issue.record("\(command._commandName): '\(line)'")
            }
            let discussion = command.configuration.discussion
            #expect(!discussion.contains("\\\n"), "\(command._commandName)")
        }
    }

    @Test func theManPageHasNoLineEndingInAnEscape() throws {
        let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("man/bgxfer.1")
        let text = try String(contentsOf: page, encoding: .utf8)
        let bad = text.split(separator: "\n").filter { $0.hasSuffix("\\e") || $0.hasSuffix("\\") }
        #expect(bad.isEmpty, "\(bad.prefix(3))")
    }
}
