import Foundation
import Testing

/// A real systemd user session for one test: `Tests/Systemd/user-session.sh` runs a private
/// `systemd --user` (with its session bus) and a systemd-journald in namespaces of their own,
/// for the unprivileged user `bgxfer-test`. Commands run inside it through `run`.
///
/// Stopped by `stop()`, and in any case when this process ends: the script stops everything
/// when its stdin, a pipe only we hold, reaches EOF.
final class UserSession {
    static let user = "bgxfer-test"
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Systemd/user-session.sh").path

    private let script: HeldScript
    var directory: String { script.directory }
    let uid: uid_t

    init() throws {
        uid = try Self.ensureUser()
        // The script writes `ready` once the manager and journald answer, or exits.
        script = try HeldScript(Self.script, name: "session", what: "the user session", timeout: 60) { _ in
            ["--user", Self.user]
        }
    }

    /// Runs `arguments` inside the session, as the test user (or root), with `environment`
    /// added to the session's own (XDG_RUNTIME_DIR, DBUS_SESSION_BUS_ADDRESS, HOME, PATH).
    @discardableResult
    func run(_ arguments: [String], root: Bool = false, environment: [String: String] = [:]) throws -> Outcome {
        try Command.run("/bin/bash", enter(arguments, root: root, environment: environment), environment: Self.hostEnvironment)
    }

    /// The `user-session.sh enter` command line for `arguments`.
    func enter(_ arguments: [String], root: Bool = false, environment: [String: String] = [:]) -> [String] {
        var line = [Self.script, "enter", "--dir", directory]
        if root { line.append("--root") }
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) { line += ["--env", "\(name)=\(value)"] }
        return line + ["--"] + arguments
    }

    static let hostEnvironment = ["PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8"]

    /// The bgxfer scopes the user manager has now.
    func bgxferScopes() throws -> [String] {
        let outcome = try run(["systemctl", "--user", "list-units", "bgxfer-*", "--plain", "--no-legend", "--all"])
        guard outcome.status == 0 else { throw HarnessError.failed("systemctl list-units: \(outcome.stderr)") }
        return outcome.lines.compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    /// The (host) PIDs in a unit's cgroup, read from the session's cgroup tree.
    func pids(inUnit unit: String) throws -> [Int32] {
        let root = HeldScript.read(directory + "/session.env").split(separator: "\n")
            .first { $0.hasPrefix("CG=") }.map { String($0.dropFirst(3)) }
        guard let root, let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        for case let path as String in enumerator where (path as NSString).lastPathComponent == unit {
            return HeldScript.read(root + "/" + path + "/cgroup.procs").split(separator: "\n").compactMap { Int32($0) }
        }
        return []
    }

    /// Makes the sandbox's files the test user's, so bgxfer can run there as that user.
    func adopt(_ sandbox: Sandbox) throws {
        let outcome = try Command.run("/bin/chown", ["-R", "\(uid)", sandbox.root], environment: Self.hostEnvironment)
        guard outcome.status == 0 else { throw HarnessError.failed("chown: \(outcome.stderr)") }
    }

    func stop() { script.stop() }

    /// The unprivileged user the sessions run as: created (a normal user, UID from 1000 up, no
    /// home, no login shell) the first time.
    static func ensureUser() throws -> uid_t {
        if let entry = getpwnam(user) { return entry.pointee.pw_uid }
        let outcome = try Command.run(
            "/usr/sbin/useradd", ["--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", user],
            environment: hostEnvironment)
        guard outcome.status == 0 || getpwnam(user) != nil, let entry = getpwnam(user) else {
            throw HarnessError.failed("useradd \(user): \(outcome.stderr)")
        }
        return entry.pointee.pw_uid
    }

}

/// Runs `body` with a fresh user session and a sandbox the session's user owns; stops the
/// session and removes the sandbox however the body ends.
func withUserSession<T>(_ body: (UserSession, Sandbox) throws -> T) throws -> T {
    let sandbox = try Sandbox()
    defer { sandbox.tearDown() }
    let session = try UserSession()
    defer { session.stop() }
    try session.adopt(sandbox)
    return try body(session, sandbox)
}

extension Sandbox {
    /// `bgxfer ARGUMENTS` inside `session`, as its user, with this sandbox's state directory.
    @discardableResult
    func bgxfer(in session: UserSession, _ arguments: [String], environment extra: [String: String] = [:]) throws
        -> Outcome
    {
        try session.run([Binary.path] + arguments, environment: sessionEnvironment.merging(extra) { $1 })
    }

    /// The sandbox's state directory; the runtime directory is the session's.
    var sessionEnvironment: [String: String] { ["XDG_STATE_HOME": state] }
}
