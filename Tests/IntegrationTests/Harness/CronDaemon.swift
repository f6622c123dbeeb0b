import Foundation
import Testing

/// Debian's real cron daemon for one test: `Tests/Cron/cron-session.sh` runs `cron -f` in a
/// mount namespace of its own where the only crontab is `crontab`, installed for `user` as
/// `crontab -e` would leave it. The machine's own crontabs and any cron running on it are
/// neither seen nor touched.
///
/// Stopped by `stop()`, and in any case when this process ends: the script stops cron when
/// its stdin, a pipe only we hold, reaches EOF.
final class CronDaemon {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Cron/cron-session.sh").path

    private let script: HeldScript
    var directory: String { script.directory }

    init(user: String, crontab: String) throws {
        // The script writes `ready` once cron runs and holds its pid file, or exits.
        script = try HeldScript(Self.script, name: "cron", environment: UserSession.hostEnvironment, what: "cron", timeout: 30) {
            directory in
            let file = directory + "/crontab"
            try Data(crontab.utf8).write(to: URL(fileURLWithPath: file))
            return ["--user", user, "--crontab", file]
        }
    }

    /// Cron's syslog lines so far (`… CRON[PID]: (USER) CMD ([JOB PID] COMMAND)` when a job
    /// starts, `END` when it ends, PAM's session lines), then whatever the script said.
    var log: String { HeldScript.read(directory + "/cron.log") + HeldScript.read(directory + "/start.log") }

    /// The jobs cron has started whose command is `command`, one line each.
    func jobsStarted(_ command: String) -> [String] {
        HeldScript.read(directory + "/cron.log").split(separator: "\n").map(String.init)
            .filter { $0.contains(") CMD ([") && $0.hasSuffix("] \(command))") }
    }

    func stop() { script.stop() }
}

/// The unprivileged test user (`UserSession.user`) running bgxfer in a sandbox it owns, on
/// the machine itself (no session of its own): what a cron job's process is, for the commands
/// a user types before it runs.
struct SandboxUser {
    let uid: uid_t
    let gid: gid_t
    let sandbox: Sandbox

    /// Creates the user if needed and makes the sandbox's files theirs.
    init(_ sandbox: Sandbox) throws {
        uid = try UserSession.ensureUser()
        guard let entry = getpwuid(uid) else { throw HarnessError.failed("no passwd entry for \(uid)") }
        gid = entry.pointee.pw_gid
        self.sandbox = sandbox
        let outcome = try Command.run("/bin/chown", ["-R", "\(uid):\(gid)", sandbox.root], environment: UserSession.hostEnvironment)
        guard outcome.status == 0 else { throw HarnessError.failed("chown: \(outcome.stderr)") }
    }

    /// `bgxfer ARGUMENTS` as the user, with the sandbox's environment and `extra`. The store is
    /// the user's: running bgxfer on it as root could leave root's files in it.
    @discardableResult
    func bgxfer(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Outcome {
        try Command.run(
            "/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(gid)", "--init-groups", "--", Binary.path] + arguments,
            environment: sandbox.environment.merging(extra) { $1 }, directory: sandbox.downloads)
    }

    /// `refresh list --json`, parsed.
    func refreshes() throws -> [[String: Any]] {
        let outcome = try bgxfer(["refresh", "list", "--json"])
        guard outcome.status == 0 else { throw HarnessError.failed("refresh list --json: \(outcome.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [[String: Any]] ?? []
    }

    /// Waits for every task in the store (refresh runs included) to end.
    func waitForAll() throws {
        let list = try bgxfer(["list", "--json"])
        guard list.status == 0 else { throw HarnessError.failed("list --json: \(list.stderr)") }
        let tasks = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []
        let ids = tasks.compactMap { $0["id"] as? String }
        if !ids.isEmpty { _ = try bgxfer(["wait"] + ids) }
    }
}
