import Foundation

/// Where bgxfer keeps its state, following the XDG base directory specification (README, "Files").
public struct Paths: Sendable, Equatable {
    /// `$XDG_STATE_HOME/bgxfer`: the task store and logs. Mode 0700.
    public let stateDirectory: String
    /// Session locks: under `$XDG_RUNTIME_DIR` when set, else under the state directory.
    public let runtimeDirectory: String

    public var databasePath: String { stateDirectory + "/bgxfer.sqlite" }
    public var logDirectory: String { stateDirectory + "/log" }
    /// Guards creating and migrating the store, which several processes may attempt at once.
    var setupLockPath: String { stateDirectory + "/setup.lock" }

    public init(stateDirectory: String, runtimeDirectory: String) {
        self.stateDirectory = stateDirectory
        self.runtimeDirectory = runtimeDirectory
    }

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let stateHome = Self.absolute(environment["XDG_STATE_HOME"]) ?? home + "/.local/state"
        let state = stateHome + "/bgxfer"
        // Two state directories (tests, or a user with two) must not share locks: the runtime
        // directory is keyed by the state directory.
        if let runtime = Self.absolute(environment["XDG_RUNTIME_DIR"]) {
            self.init(stateDirectory: state, runtimeDirectory: runtime + "/bgxfer/" + Self.key(for: state))
        } else {
            self.init(stateDirectory: state, runtimeDirectory: state + "/run")
        }
    }

    public func lockPath(session: String) -> String { runtimeDirectory + "/session-\(session).lock" }
    public func taskLogPath(_ id: TaskID) -> String { logDirectory + "/task-\(id).log" }
    public func workerLogPath(session: String) -> String { logDirectory + "/worker-\(session).log" }
    /// Where a worker's stdout and stderr go: only a crash report should ever land here.
    public var workerOutputPath: String { logDirectory + "/worker-output.log" }

    /// The XDG spec says relative values are invalid and must be ignored.
    private static func absolute(_ value: String?) -> String? {
        guard let value, value.hasPrefix("/") else { return nil }
        return value.count > 1 && value.hasSuffix("/") ? String(value.dropLast()) : value
    }

    /// A short stable name for a path (FNV-1a, 64 bits, hex).
    static func key(for path: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in path.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// Creates the state, log and runtime directories with mode 0700 (and tightens them if they
    /// exist with a wider mode).
    public func createDirectories() throws {
        for directory in [stateDirectory, logDirectory, runtimeDirectory] {
            try FileSystem.makePrivateDirectory(directory)
        }
    }
}
