import Foundation

/// One of the project's privileged harness scripts (Tests/Systemd/user-session.sh,
/// Tests/Cron/cron-session.sh), started as `SCRIPT start ARGUMENTS --dir DIRECTORY` in a fresh
/// directory of its own. It writes DIRECTORY/ready when what it runs is up, keeps its output in
/// DIRECTORY/start.log, and stops everything when its stdin, a pipe only we hold, reaches EOF:
/// so also when this process dies.
final class HeldScript {
    let directory: String
    private let process: Process
    private let keepAlive = Pipe()

    /// `arguments` gets the directory (to put files there first); `what` names the thing in
    /// the error when it does not come up within `timeout` seconds.
    init(
        _ script: String, name: String, environment: [String: String]? = nil, what: String, timeout: Double,
        arguments: (String) throws -> [String]
    ) throws {
        directory = FileManager.default.temporaryDirectory.path + "/bgxfer-\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        chmod(directory, 0o755)
        process = Process(withDefaultSignals: "/bin/bash", [script, "start"] + (try arguments(directory)) + ["--dir", directory])
        if let environment { process.environment = environment }
        let log = directory + "/start.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = keepAlive
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while !FileManager.default.fileExists(atPath: directory + "/ready") {
            guard process.isRunning, Date() < deadline else {
                stop()
                throw HarnessError.failed("\(what) did not start: \(Self.read(log))")
            }
            usleep(20_000)
        }
    }

    func stop() {
        try? keepAlive.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A file's text, or "" when it cannot be read.
    static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}
