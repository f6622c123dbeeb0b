/// What starting a worker takes: the command and the environment it runs with, and the held
/// session lock it inherits as descriptor 3.
public struct WorkerCommand: Sendable, Equatable {
    public var executable: String
    public var arguments: [String]
    public var environment: [String: String]

    /// The descriptor number the worker finds its inherited lock on.
    public static let lockDescriptor: Int32 = 3
    public static let lockDescriptorVariable = "BGXFER_LOCK_FD"

    public init(executable: String, session: String, environment: [String: String]) {
        self.executable = executable
        arguments = [executable, "__worker", "--session", session]
        var environment = environment
        environment[Self.lockDescriptorVariable] = String(Self.lockDescriptor)
        self.environment = environment
    }
}

/// Starts a worker process detached from the caller's terminal (SPEC §1 "Detaching").
///
/// The seam where the systemd scope launcher will plug in; today there is one implementation,
/// `DetachedLauncher` (double fork and setsid).
public protocol Launcher: Sendable {
    /// Starts `command`, handing it `lock` (already held) as descriptor 3; returns its PID.
    func launch(_ command: WorkerCommand, lock: FileLock, outputPath: String) throws -> Int32
}
