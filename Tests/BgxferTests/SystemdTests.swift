import Foundation
import Logging
import Testing

@testable import BgxferCLI
@testable import BgxferCore

/// The pure parts of the systemd integration: choosing a launcher, journal fields, merging
/// logs, finding the session bus, doctor's text. The parts that talk to systemd are tested on a
/// real user manager in IntegrationTests/SystemdTests.
@Suite struct SystemdUnitTests {
    /// A fresh runtime directory with no user manager in it; removed after `body`.
    static func withEmptyRuntime(_ body: (String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.path + "/bgxfer-no-manager-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(path)
    }

    @Test func launcherChoiceFallsBackToDetachedWithoutAManager() throws {
        try Self.withEmptyRuntime { empty in
            let choice = try LauncherChoice.resolve(environment: ["XDG_RUNTIME_DIR": empty])
            #expect(choice.kind == .detached)
            #expect(choice.reason.hasPrefix("no systemd user manager: cannot connect to unix:path=\(empty)/systemd/private"))
            #expect(choice.launcher is DetachedLauncher)
        }

        let unset = try LauncherChoice.resolve(environment: [:])
        #expect(unset.kind == .detached)
        #expect(unset.reason.contains("XDG_RUNTIME_DIR is not set"))
    }

    @Test func theVariableForcesALauncherOrIsRefused() throws {
        let detached = try LauncherChoice.resolve(environment: ["BGXFER_LAUNCHER": "detached"])
        #expect(detached.kind == .detached)
        #expect(detached.reason == "BGXFER_LAUNCHER=detached")

        #expect(throws: BgxferError.usage("invalid BGXFER_LAUNCHER 'systemd': use auto, scope or detached")) {
            try LauncherChoice.resolve(environment: ["BGXFER_LAUNCHER": "systemd"])
        }
        let forced = #expect(throws: BgxferError.self) {
            try LauncherChoice.resolve(environment: ["BGXFER_LAUNCHER": "scope", "XDG_RUNTIME_DIR": "/nonexistent"])
        }
        #expect(forced?.message.hasPrefix("BGXFER_LAUNCHER=scope, but no systemd user manager") == true)
        #expect(forced?.exitCode == ExitStatus.failure)
        // The automatic launcher refuses early (before a task is made), through prepare().
        #expect(throws: BgxferError.self) {
            try AutomaticLauncher(environment: ["BGXFER_LAUNCHER": "bogus"]).prepare()
        }
    }

    @Test func scopeNamesCarryTheSessionAndPID() {
        #expect(ScopeLauncher.unitName(session: "nightly.backup", pid: 4242) == "bgxfer-nightly.backup-4242.scope")
    }

    @Test func journalEntriesCarryTheTaskSessionAndPriority() {
        let fields = JournalLogHandler.fields(
            message: "completed", level: .notice,
            metadata: [LogKey.task: "abc123", LogKey.session: "default", "peak_rss_kib": "100"],
            file: "BgxferCore/Worker.swift", line: 12, function: "finish()")
        #expect(
            fields == [
                "MESSAGE=completed peak_rss_kib=100", "PRIORITY=5", "SYSLOG_IDENTIFIER=bgxfer", "BGXFER_TASK=abc123",
                "BGXFER_SESSION=default", "CODE_FILE=BgxferCore/Worker.swift", "CODE_LINE=12", "CODE_FUNC=finish()",
            ])
        let levels: [Logger.Level] = [.trace, .debug, .info, .notice, .warning, .error, .critical]
        #expect(levels.map(JournalPriority.value) == [7, 7, 6, 5, 4, 3, 2])
        #expect([2, 3, 4, 5, 6, 7].map(JournalPriority.name) == ["critical", "error", "warning", "notice", "info", "debug"])
    }

    @Test func showMergesJournalAndFileLinesByTime() {
        let file = ["2026-11-24T10:00:00.100Z info [1] queued", "2026-11-24T10:00:05.000Z info [2] completed"]
        let journal = ["2026-11-24T10:00:01.000Z info [2] attempt 1", "2026-11-24T10:00:04.000Z notice [2] stopped"]
        #expect(
            TaskLog.merge(file, journal, count: 10) == [
                "2026-11-24T10:00:00.100Z info [1] queued", "2026-11-24T10:00:01.000Z info [2] attempt 1",
                "2026-11-24T10:00:04.000Z notice [2] stopped", "2026-11-24T10:00:05.000Z info [2] completed",
            ])
        #expect(TaskLog.merge(file, journal, count: 1) == ["2026-11-24T10:00:05.000Z info [2] completed"])
        #expect(TaskLog.merge([], journal, count: 10) == journal)
    }

    @Test func theSessionBusIsFoundAsCronJobsMustFindIt() throws {
        #expect(SessionBus.address(environment: ["DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"]) == "unix:path=/x")
        try Self.withEmptyRuntime { empty in
            let noSocket = SessionBus.address(environment: ["XDG_RUNTIME_DIR": empty])
            #expect(noSocket == nil || noSocket == "unix:path=/run/user/\(getuid())/bus")
            // A real socket at $XDG_RUNTIME_DIR/bus is found with the address unset.
            let path = empty + "/bus"
            try Self.listen(at: path) {
                #expect(SessionBus.address(environment: ["XDG_RUNTIME_DIR": empty]) == "unix:path=\(path)")
            }
        }
    }

    static func listen(at path: String, _ body: () throws -> Void) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        try body()
    }

    @Test func durationsBecomeMicroseconds() {
        #expect(Duration.seconds(3).microseconds == 3_000_000)
        #expect(Duration.milliseconds(1.5).microseconds == 1_500)
        #expect(Duration.seconds(-1).microseconds == 0)
    }

    @Test func doctorPrintsOneLinePerCheckAndTheFixBelow() {
        let checks = [
            Check(name: "launcher", status: .ok, value: "scope", summary: "workers run in scopes"),
            Check(name: "lingering", status: .warning, value: "off", summary: "off", fix: "run 'loginctl enable-linger'"),
        ]
        #expect(
            Doctor.text(checks) == """
                launcher   ok       workers run in scopes
                lingering  warning  off
                                    → run 'loginctl enable-linger'

                """)
        let json = Doctor.json(checks).rendered()
        #expect(json.hasPrefix(#"{"ok":true,"checks":[{"name":"launcher","status":"ok","value":"scope""#))
        #expect(json.contains(#""fix":null"#))
    }
}

@Suite struct NotificationUnitTests {
    static func task(_ state: TaskState, kind: TaskKind = .download, notify: NotifySettings?) -> TransferTask {
        var draft = TaskDraft(url: "https://h/backup.tar", destination: "/home/u/backup.tar")
        draft.kind = kind
        draft.notify = notify
        var task = TransferTask(draft: draft, id: TaskID("abcdef"), createdAt: Date(timeIntervalSince1970: 0))
        task.state = state
        task.bytesTransferred = 3 << 20
        task.startedAt = Date(timeIntervalSince1970: 10)
        task.finishedAt = Date(timeIntervalSince1970: 22)
        if state == .failed {
            task.errorCode = "http-404"
            task.errorMessage = "the server answered 404 Not Found"
        }
        return task
    }

    @Test func successNamesTheFileItsSizeAndTheTimeTaken() throws {
        let notification = try #require(
            DesktopNotification(task: Self.task(.completed, notify: NotifySettings(success: "Backup fetched"))))
        #expect(notification.summary == "Backup fetched")
        #expect(notification.body == "backup.tar, 3.00 MiB in 12 s")
        #expect(notification.urgency == .normal)
        #expect(notification.category == "transfer.complete")
        #expect(notification.icon == "folder-download")
    }

    @Test func failureGivesTheReasonCriticallyWithDefaultTitles() throws {
        let notification = try #require(DesktopNotification(task: Self.task(.failed, notify: NotifySettings())))
        #expect(notification.summary == "Download failed")
        #expect(notification.body == "backup.tar: the server answered 404 Not Found")
        #expect(notification.urgency == .critical)
        #expect(notification.category == "transfer.error")
        let upload = try #require(DesktopNotification(task: Self.task(.completed, kind: .upload, notify: NotifySettings())))
        #expect(upload.summary == "Upload complete")
    }

    @Test func noNotificationWithoutNotifyOrBeforeTheEnd() {
        #expect(DesktopNotification(task: Self.task(.completed, notify: nil)) == nil)
        #expect(DesktopNotification(task: Self.task(.canceled, notify: NotifySettings())) == nil)
        #expect(DesktopNotification(task: Self.task(.running, notify: NotifySettings())) == nil)
    }

    @Test func timesTakenReadNaturally() {
        #expect(DesktopNotification.took(0.2) == "under a second")
        #expect(DesktopNotification.took(12.4) == "12 s")
        #expect(DesktopNotification.took(185) == "3:05")
    }

    @Test func titlesImplyNotifyAndMustBeOneLine() throws {
        func settings(_ arguments: [String]) throws -> NotifySettings? {
            try NotifyOptions.parse(arguments).settings()
        }
        #expect(try settings([]) == nil)
        #expect(try settings(["--notify"]) == NotifySettings())
        #expect(try settings(["--success-title", "Fetched"]) == NotifySettings(success: "Fetched"))
        #expect(try settings(["--failure-title", "Oops"]) == NotifySettings(failure: "Oops"))
        #expect(throws: BgxferError.usage("--success-title must not be empty")) { try settings(["--success-title", ""]) }
        #expect(throws: BgxferError.self) { try settings(["--failure-title", "a\tb"]) }
    }

    @Test func resumeDataCarriesTheTitles() throws {
        var task = Self.task(.suspended, notify: NotifySettings(success: "S", failure: "F"))
        task.durableBytes = 10
        task.validator = "\"etag\""
        task.partialPath = "/dev/null"
        let data = try ResumeData(task: task)
        let decoded = try JSONDecoder().decode(ResumeData.self, from: JSONEncoder().encode(data))
        #expect(decoded.notify == NotifySettings(success: "S", failure: "F"))
    }
}

@Suite struct NotifierUnitTests {
    @Test func theHelperIsFoundNextToBgxferOrInLibexec() throws {
        let root = FileManager.default.temporaryDirectory.path + "/bgxfer-helper-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/libexec/bgxfer", withIntermediateDirectories: true)
        #expect(ChildProcessNotifier.findHelper(executable: root + "/bin/bgxfer") == nil)
        let installed = root + "/libexec/bgxfer/bgxfer-notify"
        #expect(FileManager.default.createFile(atPath: installed, contents: Data(), attributes: [.posixPermissions: 0o755]))
        #expect(ChildProcessNotifier.findHelper(executable: root + "/bin/bgxfer") == root + "/bin/../libexec/bgxfer/bgxfer-notify")
        let sibling = root + "/bin/bgxfer-notify"
        #expect(FileManager.default.createFile(atPath: sibling, contents: Data(), attributes: [.posixPermissions: 0o755]))
        #expect(ChildProcessNotifier.findHelper(executable: root + "/bin/bgxfer") == sibling)
    }

    @Test func withoutTheHelperTheNotificationIsSkippedSayingSo() throws {
        let notifier = ChildProcessNotifier(helper: nil, environment: ["DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"])
        let notification = try #require(
            DesktopNotification(task: NotificationUnitTests.task(.completed, notify: NotifySettings())))
        #expect(
            notifier.deliver(notification)
                == .skipped("bgxfer-notify is not installed next to bgxfer or in ../libexec/bgxfer"))
    }
}
