import Foundation
import Logging

/// Detaches the worker as `DetachedLauncher` does, then hands it to the user's systemd manager
/// in a transient scope `bgxfer-<session>-<pid>.scope` (StartTransientUnit with `PIDs`), so it
/// shows in `systemctl --user`, stops with the user's session, and is collected when it ends.
///
/// Placing a running process is what GNOME does for the apps it launches: the worker keeps the
/// caller's environment (session bus, DISPLAY, proxies) because it is forked from the caller,
/// not started by the manager. If the manager fails to take it, the worker goes on detached
/// (or the manager was gone by then) and the reason is logged.
struct ScopeLauncher: Launcher {
    let environment: [String: String]
    /// How long the caller waits for systemd to start the scope.
    var timeout: Duration = .seconds(5)

    func launch(_ command: WorkerCommand, lock: FileLock, outputPath: String) throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        let pid = try DetachedLauncher().launch(command, lock: lock, outputPath: outputPath)
        let unit = Self.unitName(session: command.session, pid: pid)
        do {
            try UserManager(environment: environment).startScope(
                name: unit, description: "bgxfer transfers of session \(command.session)", pids: [pid],
                deadline: deadline)
        } catch {
            Logger(label: "bgxfer").warning(
                "the worker (PID \(pid)) runs outside systemd: \(error.message)",
                metadata: [LogKey.session: .string(command.session)])
        }
        return pid
    }

    static func unitName(session: String, pid: Int32) -> String { "bgxfer-\(session)-\(pid).scope" }
}

/// Which launcher starts workers, and why: `BGXFER_LAUNCHER=scope|detached` forces one;
/// otherwise (`auto` or unset) the scope launcher when a user manager answers, else the
/// plain detach. Deciding costs under a millisecond without a manager.
public struct LauncherChoice: Sendable {
    public static let variable = "BGXFER_LAUNCHER"

    public enum Kind: String, Sendable { case scope, detached }

    public let kind: Kind
    /// Why this launcher, in words for `doctor`.
    public let reason: String
    let launcher: any Launcher

    /// Resolves the choice; throws for a malformed `BGXFER_LAUNCHER`, or when it forces the
    /// scope launcher and no manager answers.
    public static func resolve(environment: [String: String]) throws -> LauncherChoice {
        let requested = environment[variable].flatMap { $0.isEmpty ? nil : $0 } ?? "auto"
        switch requested {
        case "detached":
            return LauncherChoice(
                kind: .detached, reason: "\(variable)=detached", launcher: DetachedLauncher())
        case "scope", "auto":
            do {
                let manager = try UserManager(environment: environment)
                let why = requested == "scope" ? "\(variable)=scope" : "a systemd user manager answers"
                return LauncherChoice(
                    kind: .scope, reason: "\(why) (systemd \(manager.version) at \(manager.bus.address))",
                    launcher: ScopeLauncher(environment: environment))
            } catch {
                if requested == "scope" {
                    throw BgxferError("\(variable)=scope, but \(error.message)")
                }
                return LauncherChoice(
                    kind: .detached, reason: error.message, launcher: DetachedLauncher())
            }
        default:
            throw BgxferError.usage(
                "invalid \(variable) '\(requested.escapedForMessage)': use auto, scope or detached")
        }
    }
}

/// A launcher that resolves `LauncherChoice` when a worker is first needed: commands that find
/// a worker running, or nothing to do, never talk to systemd.
public final class AutomaticLauncher: Launcher, @unchecked Sendable {
    private let environment: [String: String]
    private let lock = NSLock()
    private var resolved: LauncherChoice?

    public init(environment: [String: String]) { self.environment = environment }

    public func launch(_ command: WorkerCommand, lock held: FileLock, outputPath: String) throws -> Int32 {
        try choice().launcher.launch(command, lock: held, outputPath: outputPath)
    }

    public func prepare() throws { _ = try choice() }

    public func choice() throws -> LauncherChoice {
        try lock.withLock {
            if let resolved { return resolved }
            let choice = try LauncherChoice.resolve(environment: environment)
            resolved = choice
            return choice
        }
    }
}
