import CBgxferSupport
import Foundation

/// Detaches the worker with a double fork and `setsid`: it has no controlling terminal, is in
/// a session of its own, and is not the caller's child, so closing the terminal (SIGHUP to
/// the session, SIGKILL to the process group) does not touch it.
public struct DetachedLauncher: Launcher {
    public init() {}

    public func launch(_ command: WorkerCommand, lock: FileLock, outputPath: String) throws -> Int32 {
        let output = try FileSystem.openPrivateAppend(outputPath)
        defer { close(output) }
        let environment = command.environment.map { "\($0.key)=\($0.value)" }.sorted()
        let pid = CStringArray(command.arguments).withPointers { argv in
            CStringArray(environment).withPointers { envp in
                bgx_spawn_detached(command.executable, argv, envp, lock.descriptor, output)
            }
        }
        if pid < 0 { throw BgxferError.system("cannot start the worker", path: command.executable) }
        return pid
    }
}

/// A NULL-terminated `char *[]` that lives as long as the closure runs.
struct CStringArray {
    private let strings: [String]

    init(_ strings: [String]) { self.strings = strings }

    func withPointers<T>(_ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> T) -> T {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
