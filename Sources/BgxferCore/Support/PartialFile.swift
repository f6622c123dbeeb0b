import CBgxferSupport
import Foundation

/// Where a download's bytes go until it is complete.
public enum PartialFile {
    /// `<destination>.bgxfer-<id>.part`: next to the destination (same file system, so the final
    /// rename is atomic), visibly ours, and unique per task.
    public static func path(for destination: String, id: TaskID) -> String {
        "\(destination).bgxfer-\(id).part"
    }

    /// `<directory>/bgxfer-<id>.part`: for a download whose name the server gives
    /// (`--content-disposition`), in the directory it goes to.
    public static func path(inDirectory directory: String, id: TaskID) -> String {
        "\(directory)/bgxfer-\(id).part"
    }

    /// Whether `name` is a name bgxfer gives partial files: `<name>.bgxfer-<id>.part`, or
    /// `bgxfer-<id>.part` (`--content-disposition`). (A partial file moved for another
    /// destination keeps the name it had.)
    public static func isPartialName(_ name: String) -> Bool {
        guard name.hasSuffix(".part") else { return false }
        let stem = name.dropLast(".part".count)
        guard let marker = stem.range(of: "bgxfer-", options: .backwards),
            marker.lowerBound == stem.startIndex || stem[stem.index(before: marker.lowerBound)] == "."
        else { return false }
        let id = String(stem[marker.upperBound...])
        return id.count == TaskID.length && TaskID.isPlausiblePrefix(id)
    }

    /// Deletes a task's partial file: only while it is the file bgxfer made there (a regular
    /// file of this user's with the recorded identity), never what someone put in its place.
    public static func remove(of task: TransferTask) {
        guard let path = task.partialPath else { return }
        SafeFile.remove(path, identity: task.partialIdentity)
    }

    /// Moves a partial file to `target` (resume data continued somewhere else): a rename, or on
    /// another file system a copy of its first `bytes` bytes (all a resume uses), flushed before
    /// the original is deleted. `target` must not exist. Returns which file `target` is.
    public static func move(_ source: String, to target: String, bytes: Int64) throws -> FileIdentity {
        if bgx_rename_noreplace(source, target) == 0 { return try identity(of: target) }
        guard errno == EXDEV else {
            throw BgxferError.system("cannot move the partial file \(source) to \(target)", errno: errno)
        }
        let input = open(source, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if input < 0 { throw BgxferError.system("cannot read the partial file", path: source) }
        defer { close(input) }
        let output = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o666)
        if output < 0 { throw BgxferError.system("cannot create", path: target) }
        var failure: Int32?
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var remaining = bytes
        while remaining > 0, failure == nil {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, Int(min(remaining, 1 << 20))) }
            if count <= 0 {
                failure = count < 0 ? errno : EIO
                break
            }
            failure = buffer.withUnsafeBytes {
                FileSystem.writeAll(output, UnsafeRawBufferPointer(rebasing: $0[..<count]))
            }
            remaining -= Int64(count)
        }
        if failure == nil, fsync(output) != 0 { failure = errno }
        close(output)
        if let failure {
            FileSystem.removeIfPresent(target)
            throw BgxferError.system("cannot copy the partial file \(source) to \(target)", errno: failure)
        }
        FileSystem.syncDirectory((target as NSString).deletingLastPathComponent)
        FileSystem.removeIfPresent(source)
        return try identity(of: target)
    }

    private static func identity(of path: String) throws -> FileIdentity {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw BgxferError.system("cannot inspect", path: path) }
        return FileIdentity(info)
    }
}
