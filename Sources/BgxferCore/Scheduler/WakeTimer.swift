import Foundation

/// `bgxfer timer`: what calls `bgxfer wake` every 15 minutes (README, "Refresh tasks and scheduled starts"). A systemd user timer
/// where a user manager runs (`bgxfer-wake.timer` and `.service` in
/// `$XDG_CONFIG_HOME/systemd/user`), a crontab line otherwise.
public struct WakeTimer: Sendable {
    public static let timerUnit = "bgxfer-wake.timer"
    public static let serviceUnit = "bgxfer-wake.service"
    /// The variables a `wake` started by systemd or cron needs from the installer's
    /// environment when they are set: where the store is, and where the session bus is.
    static let carried = ["XDG_STATE_HOME", "XDG_CONFIG_HOME", "BGXFER_LAUNCHER"]

    public let executable: String
    public let environment: [String: String]
    /// What runs `systemctl`.
    public let commands: any CommandRunner

    public init(executable: String, environment: [String: String], commands: any CommandRunner = ExternalCommand()) {
        self.executable = executable
        self.environment = environment
        self.commands = commands
    }

    /// `$XDG_CONFIG_HOME/systemd/user` (default `~/.config/systemd/user`).
    public var unitDirectory: String {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home + "/.config"
        return config + "/systemd/user"
    }

    public var service: String {
        let settings = Self.carried.compactMap { name in environment[name].map { "Environment=\(Self.quoted("\(name)=\($0)"))\n" } }
        return """
            [Unit]
            Description=bgxfer: run due refresh tasks and scheduled transfers
            Documentation=man:bgxfer(1)

            [Service]
            Type=oneshot
            ExecStart=\(Self.quoted(executable)) wake
            \(settings.joined())
            """
    }

    public var timer: String {
        """
        [Unit]
        Description=bgxfer: wake every 15 minutes for refresh tasks and scheduled transfers
        Documentation=man:bgxfer(1)

        [Timer]
        OnCalendar=*:0/15
        Persistent=true
        RandomizedDelaySec=60

        [Install]
        WantedBy=timers.target

        """
    }

    /// The crontab line that does the same: with the user's runtime directory and session bus
    /// named, since cron gives its jobs neither (notifications need the bus).
    public var cronLine: String {
        let uid = getuid()
        let runtime = environment["XDG_RUNTIME_DIR"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "/run/user/\(uid)"
        var settings = ["XDG_RUNTIME_DIR=\(runtime)", "DBUS_SESSION_BUS_ADDRESS=unix:path=\(runtime)/bus"]
        settings += Self.carried.compactMap { name in environment[name].map { "\(name)=\($0)" } }
        return "*/15 * * * * " + settings.map(Self.shellQuoted).joined(separator: " ") + " \(Self.shellQuoted(executable)) wake"
    }

    /// Writes both units (replacing earlier ones), then reloads the manager and enables and
    /// starts the timer with `systemctl --user`.
    public func install() throws {
        try FileManager.default.createDirectory(atPath: unitDirectory, withIntermediateDirectories: true)
        for (name, text) in [(Self.serviceUnit, service), (Self.timerUnit, timer)] {
            let path = unitDirectory + "/" + name
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw BgxferError.system("cannot write the unit", path: path)
            }
        }
        try systemctl(["daemon-reload"])
        try systemctl(["enable", "--now", Self.timerUnit])
    }

    /// Stops and disables the timer and removes both units.
    public func uninstall() throws {
        _ = try? systemctl(["disable", "--now", Self.timerUnit])
        for name in [Self.serviceUnit, Self.timerUnit] { FileSystem.removeIfPresent(unitDirectory + "/" + name) }
        try systemctl(["daemon-reload"])
    }

    /// What the manager says of the timer: `ActiveState`, `UnitFileState`, `NextElapseUSecRealtime`, `LastTriggerUSec`.
    public func status() throws -> [String: String] {
        let output = try systemctl([
            "show", Self.timerUnit, "--property=ActiveState,UnitFileState,NextElapseUSecRealtime,LastTriggerUSec",
        ])
        var properties: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            properties[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return properties
    }

    /// Runs `systemctl --user ARGUMENTS`; returns its output, or throws its message.
    @discardableResult
    func systemctl(_ arguments: [String]) throws -> String {
        try commands.run(["systemctl", "--user"] + arguments, environment: environment)
    }

    /// A systemd unit-file word: quoted when it holds spaces, quotes or backslashes.
    static func quoted(_ text: String) -> String {
        guard text.contains(where: { " \t\"'\\".contains($0) }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// A /bin/sh word (crontab commands run through sh).
    static func shellQuoted(_ text: String) -> String {
        guard text.contains(where: { !($0.isLetter || $0.isNumber || "/._-=:,+@".contains($0)) }) else { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
