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

    let directory: String
    private let process: Process
    private let keepAlive = Pipe()

    init(user: String, crontab: String) throws {
        directory = FileManager.default.temporaryDirectory.path + "/bgxfer-cron-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        chmod(directory, 0o755)
        let file = directory + "/crontab"
        try Data(crontab.utf8).write(to: URL(fileURLWithPath: file))
        process = Process(withDefaultSignals: "/bin/bash", [Self.script, "start", "--user", user, "--crontab", file, "--dir", directory])
        process.environment = UserSession.hostEnvironment
        let log = directory + "/start.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = keepAlive
        try process.run()
        // The script writes `ready` once cron runs and holds its pid file, or exits.
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: directory + "/ready") {
            guard process.isRunning, Date() < deadline else {
                stop()
                throw HarnessError.failed("cron did not start: \(Self.read(log))")
            }
            usleep(20_000)
        }
    }

    /// Cron's syslog lines so far (`… CRON[PID]: (USER) CMD ([JOB PID] COMMAND)` when a job
    /// starts, `END` when it ends, PAM's session lines), then whatever the script said.
    var log: String { Self.read(directory + "/cron.log") + Self.read(directory + "/start.log") }

    /// The jobs cron has started whose command is `command`, one line each.
    func jobsStarted(_ command: String) -> [String] {
        Self.read(directory + "/cron.log").split(separator: "\n").map(String.init)
            .filter { $0.contains(") CMD ([") && $0.hasSuffix("] \(command))") }
    }

    func stop() {
        try? keepAlive.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
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
