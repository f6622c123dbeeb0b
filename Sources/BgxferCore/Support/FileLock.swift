import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An advisory `flock` on a file. The lock belongs to the open file description, so a child
/// that inherits the descriptor holds the lock too, and it is released when the last copy of
/// the descriptor closes, including when the holder dies, however it dies.
public final class FileLock {
    public let path: String
    public private(set) var descriptor: Int32

    /// Opens (creating, mode 0600) the lock file without locking it.
    public init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if descriptor < 0 { throw BgxferError.system("cannot open lock", path: path) }
    }

    /// Adopts a descriptor inherited from the process that took the lock for us.
    public init(path: String, inheritedDescriptor: Int32) {
        self.path = path
        descriptor = inheritedDescriptor
        _ = fcntl(inheritedDescriptor, F_SETFD, FD_CLOEXEC)
    }

    deinit { close() }

    /// Takes the lock if nobody holds it. Returns false when another open file description does.
    public func tryLock() throws -> Bool {
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK { return false }
            throw BgxferError.system("cannot lock", path: path)
        }
        return true
    }

    /// Waits for the lock.
    public func lock() throws {
        while flock(descriptor, LOCK_EX) != 0 {
            if errno != EINTR { throw BgxferError.system("cannot lock", path: path) }
        }
    }

    /// Whether this descriptor refers to the file now at `path` (not one since replaced).
    public var refersToPath: Bool {
        var open = stat(), named = stat()
        return fstat(descriptor, &open) == 0 && stat(path, &named) == 0
            && open.st_ino == named.st_ino && open.st_dev == named.st_dev
    }

    /// Records the holder's PID in the file, for people and tests looking for the worker.
    public func recordHolder(pid: Int32 = getpid()) {
        let text = "\(pid)\n"
        _ = ftruncate(descriptor, 0)
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    /// Releases the lock (if held) and closes the descriptor.
    public func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }

    /// The PID its holder recorded (`recordHolder`), while the lock on `path` is held.
    public static func holder(at path: String) -> Int32? {
        guard isHeld(at: path), let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Whether some process holds the lock on `path` right now. A missing file is not held.
    public static func isHeld(at path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            return false
        }
        return errno == EWOULDBLOCK
    }
}
