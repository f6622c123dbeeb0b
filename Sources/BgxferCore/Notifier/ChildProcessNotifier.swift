import CBgxferSupport
import Foundation

/// Sends notifications through libnotify in a child process, the `bgxfer-notify` helper,
/// killed at a deadline: libnotify blocks 25–50 s when a bus name's owner does not answer, and
/// a thread cannot be stopped, a process can. (The helper is a program of its own, so libnotify
/// and GLib never load into bgxfer itself.)
///
/// The child gets the session bus address explicitly (SessionBus: `DBUS_SESSION_BUS_ADDRESS`,
/// else the user session's socket, as cron and timer jobs need) and no `DISPLAY`, so GLib never
/// autolaunches a bus. Without a bus the notification is skipped at once.
public struct ChildProcessNotifier: Notifier {
    public static let helperName = "bgxfer-notify"

    /// The helper: nil when it is not installed.
    let helper: String?
    let environment: [String: String]
    let timeout: Double

    public init(helper: String? = Self.findHelper(), environment: [String: String], timeout: Double = 5) {
        self.helper = helper
        self.environment = environment
        self.timeout = timeout
    }

    /// Next to bgxfer (a build tree), else in `../libexec/bgxfer/` (where `make install` puts it).
    public static func findHelper(executable: String = FileSystem.currentExecutable()) -> String? {
        let directory = (executable as NSString).deletingLastPathComponent
        return [directory + "/" + helperName, directory + "/../libexec/bgxfer/" + helperName]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public func deliver(_ notification: DesktopNotification) -> NotificationOutcome {
        guard let address = SessionBus.address(environment: environment) else {
            return .skipped(
                "no session bus (DBUS_SESSION_BUS_ADDRESS is unset and there is no bus socket in XDG_RUNTIME_DIR or /run/user/\(getuid()))")
        }
        guard let helper else {
            return .skipped("\(Self.helperName) is not installed next to bgxfer or in ../libexec/bgxfer")
        }
        var childEnvironment = ["DBUS_SESSION_BUS_ADDRESS": address, "PATH": "/usr/bin:/bin"]
        for name in ["HOME", "XDG_RUNTIME_DIR", "LANG", "XDG_DATA_DIRS"] { childEnvironment[name] = environment[name] }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: helper)
        process.arguments = [
            notification.summary, notification.body, notification.urgency.rawValue, notification.category,
            notification.icon,
        ]
        process.environment = childEnvironment
        let errors = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do {
            try process.run()
        } catch {
            return .skipped("cannot start \(helper): \(error.localizedDescription)")
        }

        if !Self.awaitExit(process.processIdentifier, timeout: timeout) {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return .skipped("the notification server did not answer within \(DesktopNotification.took(timeout))")
        }
        process.waitUntilExit()
        if process.terminationReason == .exit && process.terminationStatus == 0 { return .shown }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").first.map { $0.replacingOccurrences(of: "\(Self.helperName): ", with: "") }
            ?? "exit status \(process.terminationStatus)"
        return .skipped(message)
    }

    /// Waits for `pid` to exit, through a pidfd; false when the timeout passed first.
    static func awaitExit(_ pid: Int32, timeout: Double) -> Bool {
        let fd = bgx_pidfd_open(pid)
        if fd < 0 { return true }
        defer { close(fd) }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let deadline = Monotonic.seconds() + timeout
        while true {
            let left = deadline - Monotonic.seconds()
            if left <= 0 { return false }
            let ready = poll(&entry, 1, Int32(left * 1000) + 1)
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return true }
        }
    }
}
