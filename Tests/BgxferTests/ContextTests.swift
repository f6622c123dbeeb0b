import ArgumentParser
import Foundation
import Testing

@testable import BgxferCLI
@testable import BgxferCore

/// Starts no process: records the worker commands it was asked to run.
final class RecordingLauncher: Launcher, @unchecked Sendable {
    private let lock = NSLock()
    private var commands: [WorkerCommand] = []

    var launched: [WorkerCommand] { lock.withLock { commands } }

    func launch(_ command: WorkerCommand, lock: FileLock, outputPath: String) throws -> Int32 {
        self.lock.withLock { commands.append(command) }
        return 4242
    }
}

/// Runs no tool: records each argument list, and fails those that `failing` says.
final class RecordingCommands: CommandRunner, @unchecked Sendable {
    private let lock = NSLock()
    private var calls: [[String]] = []
    let failing: @Sendable ([String]) -> Bool

    init(failing: @escaping @Sendable ([String]) -> Bool = { _ in false }) { self.failing = failing }

    var ran: [[String]] { lock.withLock { calls } }

    func run(_ arguments: [String], environment: [String: String]) throws -> String {
        lock.withLock { calls.append(arguments) }
        if failing(arguments) { throw BgxferError("\(arguments.joined(separator: " ")) failed: exit status 3") }
        return ""
    }
}

/// Commands run in the test process against a `Context` the test built: a store in a temporary
/// directory, a captured console, a recording launcher and command runner, a fixed clock.
@Suite final class ContextTests {
    let directory: String
    let console = ConsoleCapture()
    let launcher = RecordingLauncher()
    let commands: RecordingCommands
    let context: Context
    static let now = "2026-12-04T10:00:00Z"

    /// `manager`: what the user-manager probe says (nil: one answers).
    init(commands: RecordingCommands = RecordingCommands(), manager: String? = "no user manager in this test") throws {
        directory = FileManager.default.temporaryDirectory.path + "/bgxfer-context-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let environment = ["HOME": directory, "XDG_STATE_HOME": directory + "/state", SchedulerClock.variable: Self.now]
        let paths = Paths(environment: environment)
        self.commands = commands
        context = Context(
            paths: paths, console: Console(capturingInto: console), environment: environment, workingDirectory: directory,
            starter: WorkerStarter(paths: paths, launcher: launcher, executable: "/usr/bin/bgxfer", environment: environment),
            commands: commands, probeUserManager: { _ in manager })
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func run(_ arguments: [String]) throws {
        let command = try #require(try Bgxfer.parseAsRoot(arguments) as? any ContextCommand, "\(arguments)")
        try command.run(context)
    }

    func store() throws -> Store { try Store.open(context.paths) }

    @Test func downloadQueuesPrintsTheIDAndStartsOneWorkerForItsSession() throws {
        try run(["download", "http://127.0.0.1:9/a.bin", "-o", "a.bin", "--session", "s1"])
        let id = try #require(console.out.split(separator: "\n").first.map(String.init))
        #expect(console.out == id + "\n" && console.error.isEmpty)
        let task = try #require(try store().task(TaskID(id)))
        #expect(task.state == .queued && task.destination == directory + "/a.bin" && task.session == "s1")
        #expect(launcher.launched.map(\.arguments) == [["/usr/bin/bgxfer", "__worker", "--session", "s1"]])
        #expect(launcher.launched.first?.environment[WorkerCommand.lockDescriptorVariable] == "3")
        #expect(commands.ran.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: directory + "/a.bin"))
    }

    @Test func aRefusedDownloadMakesNothingAndStartsNothing() throws {
        #expect(throws: BgxferError.self) { try self.run(["download", "file:///etc/passwd", "-o", "a"]) }
        #expect(try store().tasks(TaskFilter()).isEmpty)
        #expect(launcher.launched.isEmpty && console.out.isEmpty)
    }

    @Test func aLaterBeginningIsScheduledAtTheContextsClockAndStartsNoWorker() throws {
        try run(["download", "http://127.0.0.1:9/a.bin", "-o", "a.bin", "--begin-after", "1h"])
        let task = try #require(try store().tasks(TaskFilter()).first)
        #expect(task.state == .scheduled && task.beginAt == Timestamp.parse("2026-12-04T11:00:00Z"))
        #expect(launcher.launched.isEmpty)
        #expect(commands.ran.isEmpty)  // the clock is ahead of the real one: no timer in the past
    }

    @Test func listJSONShowsWhatDownloadMade() throws {
        try run(["download", "http://127.0.0.1:9/a.bin", "-o", "a.bin"])
        let id = console.out.trimmingCharacters(in: .newlines)
        try run(["list", "--json"])
        let printed = String(console.out.dropFirst(id.count + 1))
        let array = try #require(try JSONSerialization.jsonObject(with: Data(printed.utf8)) as? [[String: Any]])
        #expect(array.count == 1 && array[0]["id"] as? String == id && array[0]["state"] as? String == "queued")
    }

    @Test func cancelingAScheduledTaskStopsItsTimerWithSystemctl() throws {
        try run(["download", "http://127.0.0.1:9/a.bin", "-o", "a.bin", "--begin-after", "1h"])
        let id = console.out.trimmingCharacters(in: .newlines)
        try run(["cancel", id])
        #expect(try store().task(TaskID(id))?.state == .canceled)
        let unit = "bgxfer-start-\(id).timer"
        #expect(commands.ran == [["systemctl", "--user", "is-active", "--quiet", unit], ["systemctl", "--user", "stop", unit]])
    }

    @Test func aQueuedTaskIsCanceledWithoutAskingSystemd() throws {
        try run(["download", "http://127.0.0.1:9/a.bin", "-o", "a.bin"])
        let id = console.out.trimmingCharacters(in: .newlines)
        try run(["cancel", id])
        #expect(try store().task(TaskID(id))?.state == .canceled)
        #expect(commands.ran.isEmpty)
    }

    @Test func suspendThenResumeQueuesAgainWithAFreshBudgetAndStartsAWorker() throws {
        try run(["download", "http://127.0.0.1:9/a.bin", "-o", "a.bin", "--retries", "3"])
        let id = TaskID(console.out.trimmingCharacters(in: .newlines))
        let store = try store()
        try store.transition(id, on: .suspend) { $0.budgetUsed = 2; $0.errorMessage = "earlier" }
        try run(["resume", id.rawValue])
        let resumed = try #require(try store.task(id))
        #expect(resumed.state == .queued && resumed.budgetUsed == 0 && resumed.errorMessage == nil)
        #expect(launcher.launched.count == 2)  // one for the download, one for the resume
    }

    @Test func sessionCancelPrintsEachCanceledTask() throws {
        for name in ["a", "b"] { try run(["download", "http://127.0.0.1:9/\(name)", "-o", name, "--session", "s"]) }
        let ids = console.out.split(separator: "\n").map(String.init)
        try run(["session", "cancel", "s"])
        #expect(console.out.split(separator: "\n").map(String.init).dropFirst(2).sorted() == ids.sorted())
        #expect(try store().tasks(TaskFilter(session: "s")).allSatisfy { $0.state == .canceled })
    }

    @Test func withoutAUserManagerTimerInstallPrintsTheCronLineAndFails() throws {
        #expect(throws: ExitCode(1)) { try self.run(["timer", "install"]) }
        #expect(console.out.hasPrefix("*/15 * * * * ") && console.out.hasSuffix(" /usr/bin/bgxfer wake\n"))
        #expect(console.error.contains("cannot install the timer: no user manager in this test"))
        #expect(commands.ran.isEmpty)
    }
}

/// Where a user manager answers: transient timers and the wake timer go through systemd.
@Suite struct ContextWithUserManagerTests {
    let tests: ContextTests

    init() throws { tests = try ContextTests(commands: RecordingCommands(), manager: nil) }

    @Test func aFutureBeginningArmsATransientTimer() throws {
        try tests.run(["download", "http://127.0.0.1:9/a.bin", "-o", "a.bin", "--begin-at", "2099-01-01T00:00:00Z"])
        let id = TaskID(tests.console.out.trimmingCharacters(in: .newlines))
        let begin = try #require(Timestamp.parse("2099-01-01T00:00:00Z"))
        let expected = ScheduledStart.armCommand(id, at: begin, executable: "/usr/bin/bgxfer", environment: tests.context.environment)
        #expect(tests.commands.ran == [expected])
        #expect(expected.first == "systemd-run" && expected.contains("--on-calendar=2099-01-01 00:00:00.000 UTC"))
        #expect(tests.launcher.launched.isEmpty)
    }

    @Test func timerInstallWritesTheUnitsThenEnablesThemWithSystemctl() throws {
        try tests.run(["timer", "install"])
        #expect(
            tests.commands.ran == [
                ["systemctl", "--user", "daemon-reload"], ["systemctl", "--user", "enable", "--now", "bgxfer-wake.timer"],
            ])
        let unitDirectory = tests.directory + "/.config/systemd/user"
        #expect(FileManager.default.fileExists(atPath: unitDirectory + "/bgxfer-wake.timer"))
        #expect(FileManager.default.fileExists(atPath: unitDirectory + "/bgxfer-wake.service"))
    }
}

/// A failing `systemctl` changes no cancel: the task is canceled, and the log says why the
/// timer was not stopped.
@Suite struct ContextFailureTests {
    @Test func aTimerThatIsNotActiveIsNotStopped() throws {
        let tests = try ContextTests(commands: RecordingCommands(failing: { $0.contains("is-active") }), manager: nil)
        try tests.run(["download", "http://127.0.0.1:9/a.bin", "-o", "a.bin", "--begin-after", "1h"])
        let id = tests.console.out.trimmingCharacters(in: .newlines)
        try tests.run(["cancel", id])
        #expect(try tests.store().task(TaskID(id))?.state == .canceled)
        #expect(tests.commands.ran == [["systemctl", "--user", "is-active", "--quiet", "bgxfer-start-\(id).timer"]])
    }
}

@Suite struct ScheduledStartTests {
    @Test func theTimerIsATransientSystemdRunUnitThatCarriesTheStoreAndTheBus() {
        let id = TaskID("abc123def456")
        let date = try! #require(Timestamp.parse("2026-11-24T18:30:00.125Z"))
        let command = ScheduledStart.armCommand(
            id, at: date, executable: "/opt/bin/bgxfer",
            environment: [
                "XDG_STATE_HOME": "/srv/state", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus", "PATH": "/usr/bin",
                "XDG_RUNTIME_DIR": "/run/user/1000",
            ])
        #expect(
            command == [
                "systemd-run", "--user", "--quiet", "--collect", "--unit=bgxfer-start-abc123def456",
                "--description=bgxfer: start task abc123def456 when its time has come",
                "--on-calendar=2026-11-24 18:30:00.125 UTC", "--timer-property=AccuracySec=100ms",
                "--setenv=XDG_STATE_HOME=/srv/state", "--setenv=XDG_RUNTIME_DIR=/run/user/1000",
                "--setenv=DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus", "/opt/bin/bgxfer", "wake",
            ])
    }

    @Test func armingRunsThatCommandAndNamesTheTimer() throws {
        let commands = RecordingCommands()
        let id = TaskID("abc123def456")
        let date = Date(timeIntervalSince1970: 1_795_514_400)
        let unit = try ScheduledStart.arm(id, at: date, executable: "/b", environment: [:], commands: commands)
        #expect(unit == "bgxfer-start-abc123def456.timer")
        #expect(commands.ran == [ScheduledStart.armCommand(id, at: date, executable: "/b", environment: [:])])
    }

    @Test func aFailedStopIsSaidNotThrown() {
        let commands = RecordingCommands(failing: { $0.contains("stop") })
        let outcome = ScheduledStart.disarm(TaskID("abc123def456"), environment: [:], commands: commands)
        #expect(outcome == "could not stop bgxfer-start-abc123def456.timer: systemctl --user stop bgxfer-start-abc123def456.timer failed: exit status 3")
    }
}
