import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Thin, throwing wrappers over the POSIX calls bgxfer needs, with messages that name the path.
public enum FileSystem {
    public static func describe(errno code: Int32) -> String {
        String(cString: strerror(code))
    }

    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    public static func isSocket(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFSOCK
    }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    public static func size(_ path: String) -> Int64? {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : nil
    }

    /// mkdir -p with mode 0700 for every directory it creates; an existing final directory is
    /// narrowed to 0700.
    static func makePrivateDirectory(_ path: String) throws {
        if isDirectory(path) {
            var info = stat()
            if stat(path, &info) == 0 && info.st_mode & 0o077 != 0 { chmod(path, 0o700) }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path && !isDirectory(parent) {
            try makePrivateDirectory(parent)
        }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw BgxferError.system("cannot create directory", path: path)
        }
    }

    /// Opens (creating with mode 0600 when missing) a file for appending.
    static func openPrivateAppend(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        if fd < 0 { throw BgxferError.system("cannot open", path: path) }
        return fd
    }

    /// Creates an empty file with mode 0600 unless it exists.
    static func touchPrivate(_ path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        if fd < 0 { throw BgxferError.system("cannot create", path: path) }
        close(fd)
    }

    /// Whether a new file can be created in `directory`: tries it, because permission bits do
    /// not tell the whole story (read-only mounts, root, ACLs).
    public static func canCreateFiles(in directory: String) -> Int32? {
        let probe = directory + "/.bgxfer-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 { return errno }
        close(fd)
        unlink(probe)
        return nil
    }

    public static func removeIfPresent(_ path: String) {
        unlink(path)
    }

    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return nil
    }

    /// fsync on a directory, so that a rename in it survives a crash.
    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// The absolute path of the running executable.
    public static func currentExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if count > 0 {
            return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return CommandLine.arguments[0]
    }
}
