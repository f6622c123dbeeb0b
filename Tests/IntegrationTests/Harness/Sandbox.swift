import Foundation
import Testing

/// A private world for one test: its own HOME, XDG_STATE_HOME and XDG_RUNTIME_DIR, so the
/// `bgxfer` it runs sees no other test's tasks, locks or workers. Tearing down kills any
/// worker still running for it and deletes everything.
final class Sandbox {
    let root: String
    let downloads: String
    let environment: [String: String]
    let state: String
    let runtime: String

    init() throws {
        root = FileManager.default.temporaryDirectory.path + "/bgxfer-it-\(UUID().uuidString.prefix(8))"
        downloads = root + "/downloads"
        state = root + "/state"
        runtime = root + "/run"
        for directory in [root, downloads, state, runtime, root + "/home"] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        chmod(runtime, 0o700)
        // A clean environment: nothing from the machine's desktop session leaks in.
        environment = [
            "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "HOME": root + "/home",
            "XDG_STATE_HOME": state,
            "XDG_RUNTIME_DIR": runtime,
            "LANG": "C.UTF-8",
        ]
    }

    /// Runs the built `bgxfer` with the sandbox's environment.
    @discardableResult
    func bgxfer(
        _ arguments: [String], directory: String? = nil, environment extra: [String: String] = [:], timeout: Double? = nil
    ) throws -> Outcome {
        try Command.run(
            Binary.path, arguments, environment: environment.merging(extra) { $1 }, directory: directory ?? downloads,
            timeout: timeout)
    }

    @discardableResult
    func bgxfer(_ arguments: String...) throws -> Outcome { try bgxfer(arguments) }

    /// `download` that must succeed: returns the new task's ID.
    func download(_ arguments: String...) throws -> String {
        let outcome = try bgxfer(["download"] + arguments)
        guard outcome.status == 0, let id = outcome.lines.first, outcome.lines.count == 1 else {
            throw HarnessError.failed("download \(arguments) → \(outcome.status): \(outcome.stderr)")
        }
        return id
    }

    /// `list --json`, parsed.
    func tasks() throws -> [[String: Any]] {
        let outcome = try bgxfer("list", "--json")
        guard outcome.status == 0 else { throw HarnessError.failed("list --json: \(outcome.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [[String: Any]] ?? []
    }

    /// `show --json ID`, parsed.
    func task(_ id: String) throws -> [String: Any] {
        let outcome = try bgxfer("show", "--json", id)
        guard outcome.status == 0 else { throw HarnessError.failed("show --json \(id): \(outcome.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any] ?? [:]
    }

    /// PIDs of the workers holding a session lock now (they write their PID into the lock).
    func workerPIDs() -> [Int32] {
        let directory = runtime + "/bgxfer"
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var pids: [Int32] = []
        for case let name as String in enumerator where name.hasSuffix(".lock") {
            let path = directory + "/" + name
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            if flock(fd, LOCK_SH | LOCK_NB) == 0 { continue }  // nobody holds it
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
                let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                pids.append(pid)
            }
        }
        return pids
    }

    /// Waits until no worker holds a lock of this sandbox (they exit when idle).
    func awaitWorkersGone(timeout: Double = 10) -> Bool {
        for pid in workerPIDs() where !Await.exit(of: pid, timeout: timeout) { return false }
        return workerPIDs().isEmpty
    }

    func file(_ name: String) -> String { downloads + "/" + name }

    func tearDown() {
        for pid in workerPIDs() {
            kill(pid, SIGKILL)
            _ = Await.exit(of: pid, timeout: 5)
        }
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// Runs `body` with a fresh sandbox, and tears it down however the body ends.
func withSandbox<T>(_ body: (Sandbox) throws -> T) throws -> T {
    let sandbox = try Sandbox()
    defer { sandbox.tearDown() }
    return try body(sandbox)
}

/// The `bgxfer` under test: the one `swift build` put next to this test bundle, or
/// `$BGXFER_BINARY`.
enum Binary {
    static let path: String = {
        if let explicit = ProcessInfo.processInfo.environment["BGXFER_BINARY"] { return explicit }
        var candidates: [String] = []
        let bundle = Bundle.main.bundlePath
        candidates.append((bundle as NSString).deletingLastPathComponent + "/bgxfer")
        candidates.append(bundle + "/bgxfer")
        let argv0 = CommandLine.arguments.first ?? ""
        candidates.append(((argv0 as NSString).deletingLastPathComponent as NSString).appendingPathComponent("bgxfer"))
        // Sources/../.build/debug/bgxfer, from this file's location.
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
        candidates.append(packageRoot + "/.build/debug/bgxfer")
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }()
}
