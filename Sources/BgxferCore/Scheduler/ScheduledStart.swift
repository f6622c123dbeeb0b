import Foundation

/// A `--begin-after`/`--begin-at` task's own wake-up: where a user manager runs, a transient
/// timer (`systemd-run --user --on-calendar`) runs `bgxfer wake` at that moment, so the task
/// starts on time without the periodic timer or cron. Elsewhere the next periodic wake starts it.
public enum ScheduledStart {
    /// How closely systemd keeps to the time (its default coalesces timers by up to a minute).
    static let accuracy = "100ms"

    /// The transient timer's unit for task `id`.
    public static func timerUnit(_ id: TaskID) -> String { "bgxfer-start-\(id).timer" }

    /// Arms the timer for task `id` at `date`; returns the unit's name, or throws saying why not.
    public static func arm(
        _ id: TaskID, at date: Date, executable: String, environment: [String: String], commands: any CommandRunner
    ) throws -> String {
        try commands.run(armCommand(id, at: date, executable: executable, environment: environment), environment: environment)
        return timerUnit(id)
    }

    /// The `systemd-run` call that arms it.
    public static func armCommand(_ id: TaskID, at date: Date, executable: String, environment: [String: String]) -> [String] {
        let unit = "bgxfer-start-\(id)"
        // systemd's calendar form of an RFC 3339 UTC time: 2026-11-24 18:30:00.125 UTC.
        let calendarTime = Timestamp.string(date, fractional: true, separator: " ", zone: " UTC")
        var arguments = [
            "systemd-run", "--user", "--quiet", "--collect", "--unit=\(unit)",
            "--description=bgxfer: start task \(id) when its time has come",
            "--on-calendar=\(calendarTime)", "--timer-property=AccuracySec=\(accuracy)",
        ]
        // What the wake needs from this environment: the store, the launcher, the session bus.
        for name in WakeTimer.carried + ["XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY"]
        where environment[name] != nil {
            arguments.append("--setenv=\(name)=\(environment[name]!)")
        }
        return arguments + [executable, "wake"]
    }

    /// A canceled task's timer, if it has one, is stopped (and so collected). Best effort:
    /// returns what happened, in words, or nil when there was nothing to stop.
    public static func disarm(_ id: TaskID, environment: [String: String], commands: any CommandRunner) -> String? {
        let unit = timerUnit(id)
        guard (try? commands.run(["systemctl", "--user", "is-active", "--quiet", unit], environment: environment)) != nil
        else { return nil }
        do {
            try commands.run(["systemctl", "--user", "stop", unit], environment: environment)
            return "stopped \(unit)"
        } catch let error as BgxferError {
            return "could not stop \(unit): \(error.message)"
        } catch {
            return "could not stop \(unit): \(error)"
        }
    }
}
