import Foundation

/// The file an upload sends, identified as it was when the task was made (README, "Uploads";
/// "source safety"): if any of these change before the upload ends, it fails rather than
/// sending a mixture of two versions.
public struct UploadSource: Codable, Sendable, Equatable {
    public var path: String
    public var size: Int64
    /// Modification time, nanoseconds since the epoch.
    public var modified: Int64
    public var inode: UInt64
    public var device: UInt64

    /// Opens `path` for reading, refusing what is not a readable regular file; returns its identity.
    public static func inspect(_ path: String) throws -> UploadSource {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            throw BgxferError.usage("cannot read the file to upload \(path): \(FileSystem.describe(errno: code))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw BgxferError.system("cannot read the file to upload", path: path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw BgxferError.usage("\(path) is not a regular file: only files can be uploaded")
        }
        return UploadSource(path: path, info)
    }

    /// The identity of the open file `fd` now.
    static func identity(of fd: Int32, path: String) -> UploadSource? {
        var info = stat()
        return fstat(fd, &info) == 0 ? UploadSource(path: path, info) : nil
    }

    private init(path: String, _ info: stat) {
        self.path = path
        size = Int64(info.st_size)
        modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        inode = UInt64(info.st_ino)
        device = UInt64(info.st_dev)
    }

    /// What differs between the recorded identity and `now`, in words; nil when nothing does.
    func change(to now: UploadSource) -> String? {
        if now.inode != inode || now.device != device { return "it was replaced by another file" }
        if now.size != size { return "its size changed from \(size) to \(now.size) bytes" }
        if now.modified != modified { return "it was modified" }
        return nil
    }
}

/// `-X`: the HTTP methods an upload may use.
public enum UploadMethod {
    public static let allowed = ["PUT", "POST", "PATCH"]

    public static func validate(_ text: String) throws -> String {
        let method = text.uppercased()
        guard allowed.contains(method) else {
            throw BgxferError.usage("unsupported method '\(text.escapedForMessage)': use PUT, POST or PATCH")
        }
        return method
    }
}
