import ArgumentParser
import BgxferCore
import Foundation

/// `bgxfer timer`: what runs `bgxfer wake` every 15 minutes (README, "Refresh tasks and scheduled starts").
struct Timer: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Install, remove or inspect the timer that runs 'bgxfer wake' every 15 minutes.",
        discussion: """
            Refresh tasks and scheduled transfers run when 'bgxfer wake' finds them due. 'timer \
            install' writes bgxfer-wake.service and bgxfer-wake.timer to \
            $XDG_CONFIG_HOME/systemd/user (OnCalendar=*:0/15, Persistent=true, a randomized \
            delay of up to a minute) and enables the timer with the user's systemd manager. \
            Without a manager it says so, prints the crontab line instead and exits 1; 'timer \
            cron' prints that line ('crontab -e' to add it).
            """,
        subcommands: [Install.self, Uninstall.self, Status.self, Cron.self])

    static func wakeTimer(_ context: Context) -> WakeTimer {
        WakeTimer(executable: context.starter.executable, environment: context.environment, commands: context.commands)
    }

    struct Install: ContextCommand {
        static let configuration = CommandConfiguration(abstract: "Write and enable the systemd user timer.")

        func run(_ context: Context) throws {
            let timer = Timer.wakeTimer(context)
            if let problem = context.userManagerProblem() {
                context.console.error("bgxfer: cannot install the timer: \(problem)\n")
                context.console.error("bgxfer: use cron instead; add this line with 'crontab -e':\n")
                context.console.out(timer.cronLine + "\n")
                throw ExitCode(1)
            }
            try timer.install()
            context.console.out("installed \(timer.unitDirectory)/\(WakeTimer.timerUnit): 'bgxfer wake' every 15 minutes\n")
        }
    }

    struct Uninstall: ContextCommand {
        static let configuration = CommandConfiguration(abstract: "Stop and remove the systemd user timer.")

        func run(_ context: Context) throws {
            let timer = Timer.wakeTimer(context)
            if let problem = context.userManagerProblem() { throw BgxferError("cannot reach the user manager: \(problem)") }
            try timer.uninstall()
            context.console.out("removed \(WakeTimer.timerUnit)\n")
        }
    }

    struct Status: ContextCommand {
        static let configuration = CommandConfiguration(abstract: "Whether the timer is installed and when it fires next.")

        @Flag(help: "Print JSON.")
        var json = false

        func run(_ context: Context) throws {
            let timer = Timer.wakeTimer(context)
            if let problem = context.userManagerProblem() {
                if json {
                    let value: JSONValue = .object([("manager", .bool(false)), ("reason", .string(problem)), ("cron", .string(timer.cronLine))])
                    context.console.out(value.rendered() + "\n")
                } else {
                    context.console.out("no systemd user manager (\(problem)); with cron, use:\n\(timer.cronLine)\n")
                }
                return
            }
            let properties = try timer.status()
            let installed = FileSystem.exists(timer.unitDirectory + "/" + WakeTimer.timerUnit)
            if json {
                var members: [(String, JSONValue)] = [("manager", .bool(true)), ("installed", .bool(installed))]
                for key in properties.keys.sorted() { members.append((key, .string(properties[key] ?? ""))) }
                context.console.out(JSONValue.object(members).rendered() + "\n")
                return
            }
            guard installed else {
                context.console.out("\(WakeTimer.timerUnit) is not installed: 'bgxfer timer install' installs it\n")
                return
            }
            let next = properties["NextElapseUSecRealtime"].flatMap { $0.isEmpty ? nil : $0 } ?? "-"
            let last = properties["LastTriggerUSec"].flatMap { $0.isEmpty || $0 == "n/a" ? nil : $0 } ?? "never"
            context.console.out(
                "\(WakeTimer.timerUnit): \(properties["ActiveState"] ?? "?") (\(properties["UnitFileState"] ?? "?")), next \(next), last \(last)\n")
        }
    }

    struct Cron: ContextCommand {
        static let configuration = CommandConfiguration(abstract: "Print the crontab line that runs 'bgxfer wake' every 15 minutes.")

        func run(_ context: Context) throws {
            context.console.out(Timer.wakeTimer(context).cronLine + "\n")
        }
    }
}
