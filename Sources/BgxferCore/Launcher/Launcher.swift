/// What starting a worker takes: the command and the environment it runs with, and the held
/// session lock it inherits as descriptor 3.
public struct WorkerCommand: Sendable, Equatable {
    public var executable: String
    public var session: String
    public var arguments: [String]
    public var environment: [String: String]

    /// The descriptor number the worker finds its inherited lock on.
    public static let lockDescriptor: Int32 = 3
    public static let lockDescriptorVariable = "BGXFER_LOCK_FD"

    public init(executable: String, session: String, environment: [String: String]) {
        self.executable = executable
        self.session = session
        arguments = [executable, "__worker", "--session", session]
        var environment = environment
        environment[Self.lockDescriptorVariable] = String(Self.lockDescriptor)
        self.environment = environment
    }
}

/// Starts a worker process detached from the caller's terminal (README, "Workers and systemd").
///
/// `DetachedLauncher` (double fork and setsid) and `ScopeLauncher` (the same, then a transient
/// systemd scope); `AutomaticLauncher` picks one as `LauncherChoice` says.
public protocol Launcher: Sendable {
    /// Starts `command`, handing it `lock` (already held) as descriptor 3; returns its PID.
    func launch(_ command: WorkerCommand, lock: FileLock, outputPath: String) throws -> Int32

    /// Fails now, before any task is made, when this launcher could not start a worker later
    /// (a malformed or unsatisfiable `BGXFER_LAUNCHER`).
    func prepare() throws
}

extension Launcher {
    public func prepare() throws {}
}
