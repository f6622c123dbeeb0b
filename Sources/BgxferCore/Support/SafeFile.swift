import CBgxferSupport
import Foundation

/// Which file a path named when bgxfer made it: its device and inode. Recorded with the task
/// (and in resume data), so that a file put in its place later is not taken for it.
public struct FileIdentity: Codable, Equatable, Sendable {
    public var device: UInt64
    public var inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    init(_ info: stat) {
        self.init(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}

/// The rules for files bgxfer writes in directories other users may share (README, "Files"):
/// a file is made with O_CREAT|O_EXCL|O_NOFOLLOW, never adopted; it is opened again only with
/// O_NOFOLLOW and only when it is still bgxfer's (`problem`); names are used relative to their
/// directory's descriptor (openat, renameat2), so a directory swapped meanwhile changes nothing.
enum SafeFile {
    /// The directory a file goes into, opened (its path's own symbolic links followed, as the
    /// user gave it).
    static func openDirectory(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw BgxferError.system("cannot open the directory", path: path) }
        return fd
    }

    /// Why the file `info` describes is not one bgxfer may write again, or nil when it is: a
    /// regular file of this user's, with one link, and (when one was recorded) the identity it
    /// had when bgxfer made it.
    static func problem(with info: stat, expected: FileIdentity?, uid: uid_t = geteuid()) -> String? {
        if info.st_mode & S_IFMT == S_IFLNK { return "it is a symbolic link" }
        if info.st_mode & S_IFMT != S_IFREG { return "it is not a regular file" }
        if info.st_uid != uid { return "it belongs to user \(info.st_uid), not to \(uid)" }
        if info.st_nlink != 1 { return "it has \(info.st_nlink) links" }
        if let expected, FileIdentity(info) != expected { return "it is another file than the one bgxfer made there" }
        return nil
    }

    /// lstat of `name` in `directory`; nil when there is nothing of that name.
    static func status(_ name: String, in directory: Int32) -> stat? {
        var info = stat()
        return fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 ? info : nil
    }

    /// Makes `name` in `directory` for writing (and reading): nothing of that name may exist.
    /// `mode`: 0600 for bgxfer's own state, 0666 (less the umask) for results.
    static func create(_ name: String, in directory: Int32, mode: mode_t, path: String) throws -> (fd: Int32, identity: FileIdentity) {
        let fd = openat(directory, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        if fd < 0 { throw BgxferError.system("cannot create", path: path) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw BgxferError.system("cannot inspect", path: path)
        }
        return (fd, FileIdentity(info))
    }

    /// Opens bgxfer's own `name` in `directory` again for writing (and reading); throws, saying
    /// why, when what is there now is not it.
    static func reopen(_ name: String, in directory: Int32, expected: FileIdentity?, path: String) throws -> (fd: Int32, identity: FileIdentity) {
        let fd = openat(directory, name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            throw BgxferError(errno == ELOOP ? "\(path) is a symbolic link" : "cannot open \(path): \(FileSystem.describe(errno: errno))")
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw BgxferError.system("cannot inspect", path: path)
        }
        if let problem = problem(with: info, expected: expected) {
            close(fd)
            throw BgxferError("\(path) is not bgxfer's: \(problem)")
        }
        return (fd, FileIdentity(info))
    }

    /// Removes `name` from `directory` only while it is still the file `identity` names (or,
    /// without one, a file bgxfer may write): never something put in its place.
    @discardableResult
    static func remove(_ name: String, in directory: Int32, identity: FileIdentity?) -> Bool {
        guard let info = status(name, in: directory), problem(with: info, expected: identity) == nil else { return false }
        return unlinkat(directory, name, 0) == 0
    }

    /// The same for a path: its directory is opened first.
    @discardableResult
    static func remove(_ path: String, identity: FileIdentity?) -> Bool {
        let (directory, name) = split(path)
        guard let fd = try? openDirectory(directory) else { return false }
        defer { close(fd) }
        return remove(name, in: fd, identity: identity)
    }

    /// `/a/b/c.part` → (`/a/b`, `c.part`).
    static func split(_ path: String) -> (directory: String, name: String) {
        let directory = (path as NSString).deletingLastPathComponent
        return (directory.isEmpty ? "/" : directory, (path as NSString).lastPathComponent)
    }

    /// Renames `from` onto `to` in `directory`: atomically, and unless `replace`, never over an
    /// existing file (EEXIST then). A symbolic link at `to` is replaced, not followed.
    static func rename(_ from: String, to: String, in directory: Int32, replace: Bool) -> Int32 {
        replace ? renameat(directory, from, directory, to) : bgx_renameat_noreplace(directory, from, to)
    }
}
