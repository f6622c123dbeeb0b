import CBgxferSupport
import Foundation

/// Sends notifications through libnotify in a child process (`bgxfer __notify`), killed at a
/// deadline: libnotify blocks 25–50 s when a bus name's owner does not answer, and a thread
/// cannot be stopped, a process can.
///
/// The child gets the session bus address explicitly (SessionBus: `DBUS_SESSION_BUS_ADDRESS`,
/// else the user session's socket, as cron and timer jobs need) and no `DISPLAY`, so GLib never
/// autolaunches a bus. Without a bus the notification is skipped at once.
public struct ChildProcessNotifier: Notifier {
    public static let command = "__notify"

    let executable: String
    let environment: [String: String]
    let timeout: Double

    public init(executable: String = FileSystem.currentExecutable(), environment: [String: String], timeout: Double = 5) {
        self.executable = executable
        self.environment = environment
        self.timeout = timeout
    }

    public func deliver(_ notification: DesktopNotification) -> NotificationOutcome {
        guard let address = SessionBus.address(environment: environment) else {
            return .skipped(
                "no session bus (DBUS_SESSION_BUS_ADDRESS is unset and there is no bus socket in XDG_RUNTIME_DIR or /run/user/\(getuid()))")
        }
        var childEnvironment = ["DBUS_SESSION_BUS_ADDRESS": address, "PATH": "/usr/bin:/bin"]
        for name in ["HOME", "XDG_RUNTIME_DIR", "LANG", "XDG_DATA_DIRS"] { childEnvironment[name] = environment[name] }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [Self.command]
        process.environment = childEnvironment
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do {
            try process.run()
        } catch {
            return .skipped("cannot start \(executable) \(Self.command): \(error.localizedDescription)")
        }
        let request = (try? JSONEncoder().encode(notification)) ?? Data()
        try? input.fileHandleForWriting.write(contentsOf: request)
        try? input.fileHandleForWriting.close()

        if !Self.awaitExit(process.processIdentifier, timeout: timeout) {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return .skipped("the notification server did not answer within \(DesktopNotification.took(timeout))")
        }
        process.waitUntilExit()
        if process.terminationReason == .exit && process.terminationStatus == 0 { return .shown }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").first.map(String.init) ?? "exit status \(process.terminationStatus)"
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
