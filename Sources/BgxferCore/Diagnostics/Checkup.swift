import Foundation

/// One line of `bgxfer doctor`: what was checked, how it stands, and what to do about it.
public struct Check: Sendable, Equatable {
    public enum Status: String, Sendable { case ok, warning, error }

    /// A stable key (`launcher`, `user-manager`, …).
    public let name: String
    public let status: Status
    /// The finding in one machine-readable word (`scope`, `off`, `reachable`, …).
    public let value: String
    /// The finding in words.
    public let summary: String
    /// What to do, when something can be done.
    public let fix: String?

    public init(name: String, status: Status, value: String, summary: String, fix: String? = nil) {
        self.name = name
        self.status = status
        self.value = value
        self.summary = summary
        self.fix = fix
    }
}

/// `bgxfer doctor`: what bgxfer finds on this machine, for this user. Every probe is bounded
/// (a few seconds at most when a peer never answers) and changes nothing.
public enum Checkup {
    public static func run(environment: [String: String], paths: Paths) -> [Check] {
        let user = environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) } ?? ""
        let manager = userManager(environment)
        var checks = [launcher(environment), manager]
        checks.append(lingering(Lingering.check(user: user, uid: getuid(), environment: environment)))
        checks.append(journal(LogDestination.current(), paths: paths))
        checks += sessionBus(environment)
        let managerProblem = manager.status == .ok ? nil : manager.summary
        checks.append(timer(WakeTimer(executable: FileSystem.currentExecutable(), environment: environment), managerProblem: managerProblem))
        checks.append(network(NetworkMonitor(environment: environment)))
        return checks
    }

    /// What a worker started here would see of the network and power, and from where.
    static func network(_ monitor: NetworkMonitor) -> Check {
        let conditions = monitor.conditions
        let summary = "\(conditions.summary); from \(monitor.sources)"
        if !conditions.online {
            return Check(
                name: "network", status: .warning, value: "offline", summary: summary,
                fix: "transfers wait until the network is back (hosts on this machine excepted)")
        }
        let value = conditions.metered ? "metered" : conditions.onBattery == true ? "on-battery" : "online"
        return Check(name: "network", status: .ok, value: value, summary: summary)
    }

    /// What calls `bgxfer wake` for refresh tasks and scheduled transfers.
    /// `managerProblem`: why no user manager answers (the user-manager check's finding).
    static func timer(_ timer: WakeTimer, managerProblem: String?) -> Check {
        if let problem = managerProblem {
            return Check(
                name: "timer", status: .warning, value: "cron",
                summary: "no user manager for bgxfer-wake.timer (\(problem))",
                fix: "add the line 'bgxfer timer cron' prints with 'crontab -e', so refresh tasks and scheduled transfers run")
        }
        guard FileSystem.exists(timer.unitDirectory + "/" + WakeTimer.timerUnit),
            let properties = try? timer.status(), properties["ActiveState"] == "active"
        else {
            return Check(
                name: "timer", status: .warning, value: "off", summary: "\(WakeTimer.timerUnit) is not installed or not active",
                fix: "run 'bgxfer timer install', so refresh tasks and scheduled transfers run")
        }
        let next = properties["NextElapseUSecRealtime"].flatMap { $0.isEmpty ? nil : $0 } ?? "unknown"
        return Check(name: "timer", status: .ok, value: "on", summary: "\(WakeTimer.timerUnit) is active; next \(next)")
    }

    static func launcher(_ environment: [String: String]) -> Check {
        do {
            let choice = try LauncherChoice.resolve(environment: environment)
            switch choice.kind {
            case .scope:
                return Check(
                    name: "launcher", status: .ok, value: "scope",
                    summary: "workers run in transient systemd scopes: \(choice.reason)")
            case .detached:
                let forced = environment[LauncherChoice.variable] == "detached"
                return Check(
                    name: "launcher", status: forced ? .ok : .warning, value: "detached",
                    summary: "workers run detached (setsid), outside systemd: \(choice.reason)",
                    fix: forced
                        ? nil
                        : "transfers still run, but systemctl --user does not list or stop them; log in with a systemd user session to get scopes")
            }
        } catch {
            return Check(
                name: "launcher", status: .error, value: "none", summary: "\(error)",
                fix: "set \(LauncherChoice.variable) to auto, scope or detached, or unset it")
        }
    }

    static func userManager(_ environment: [String: String]) -> Check {
        do {
            let manager = try UserManager(environment: environment)
            return Check(
                name: "user-manager", status: .ok, value: "reachable",
                summary: "systemd \(manager.version) answers at \(manager.bus.address)")
        } catch {
            return Check(
                name: "user-manager", status: .warning, value: "unreachable", summary: error.message,
                fix: "without a user manager bgxfer detaches its workers itself; nothing stops them at logout or shows them in systemctl")
        }
    }

    static func lingering(_ lingering: Lingering) -> Check {
        switch lingering.state {
        case .on:
            return Check(
                name: "lingering", status: .ok, value: "on",
                summary: "on: transfers go on after you log out (from \(lingering.source))")
        case .off:
            return Check(
                name: "lingering", status: .warning, value: "off",
                summary: "off: logging out stops your user manager and the transfers in it (from \(lingering.source))",
                fix: "run 'loginctl enable-linger' to keep transfers going after you log out")
        case .unknown:
            return Check(
                name: "lingering", status: .warning, value: "unknown", summary: lingering.source,
                fix: "check with 'loginctl show-user \(getuid()) -p Linger'")
        }
    }

    static func journal(_ destination: LogDestination, paths: Paths) -> Check {
        switch destination {
        case .journal:
            Check(
                name: "log", status: .ok, value: "journal",
                summary: "logging to the systemd journal: journalctl -t \(JournalLogHandler.identifier)")
        case .files:
            Check(
                name: "log", status: .ok, value: "files",
                summary: "no systemd journal: logging to \(paths.logDirectory)")
        }
    }

    /// The session bus, and a notification server on it.
    static func sessionBus(_ environment: [String: String]) -> [Check] {
        guard let address = SessionBus.address(environment: environment) else {
            return [
                Check(
                    name: "session-bus", status: .warning, value: "absent",
                    summary: "no session bus: DBUS_SESSION_BUS_ADDRESS is unset and there is no bus socket in the runtime directory",
                    fix: "desktop notifications need the session bus of a desktop login"),
                Check(name: "notifications", status: .warning, value: "unknown", summary: "no session bus to ask"),
            ]
        }
        let bus: Bus
        let running: Bool
        do {
            bus = try Bus(address: address, busClient: true, timeout: .seconds(2))
            running = try bus.nameHasOwner(Notifications.busName)
        } catch {
            return [
                Check(
                    name: "session-bus", status: .warning, value: "unreachable", summary: "\(address): \(error.message)",
                    fix: "desktop notifications need the session bus of a desktop login"),
                Check(name: "notifications", status: .warning, value: "unknown", summary: "no session bus to ask"),
            ]
        }
        let busCheck = Check(name: "session-bus", status: .ok, value: "reachable", summary: address)
        if running {
            return [busCheck, Check(name: "notifications", status: .ok, value: "running", summary: "a notification server runs")]
        }
        let activatable = (try? bus.activatableNames().contains(Notifications.busName)) ?? false
        return [
            busCheck,
            activatable
                ? Check(
                    name: "notifications", status: .ok, value: "activatable",
                    summary: "the bus starts a notification server when one is needed")
                : Check(
                    name: "notifications", status: .warning, value: "absent",
                    summary: "no notification server on the session bus",
                    fix: "start your desktop's notification daemon (GNOME Shell, Plasma, dunst, mako…)"),
        ]
    }
}

/// The Desktop Notifications service.
enum Notifications {
    static let busName = "org.freedesktop.Notifications"
}
