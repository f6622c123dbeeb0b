import Foundation

/// SPEC §4 resume data: a small versioned JSON document from which a new task continues a
/// canceled download (`cancel --resume-data`, `resume --resume-data`).
public struct ResumeData: Codable, Equatable, Sendable {
    public static let currentVersion = 1

    public var version: Int
    public var kind: TaskKind
    public var url: String
    public var destination: String
    public var partialPath: String
    /// Flushed bytes at the start of the partial file.
    public var bytesReceived: Int64
    public var etag: String?
    public var lastModified: String?
    /// What the resumed request sends as `If-Range` (for FTP: size and modification time).
    public var validator: String
    public var expectedLength: Int64?
    /// Request headers, secrets included: the file is mode 0600.
    public var headers: [String]
    /// The task's notification titles, when it had `--notify` (absent otherwise).
    public var notify: NotifySettings?

    /// The resume data of a task that can be continued; throws saying why not.
    public init(task: TransferTask) throws {
        guard task.kind == .download, let destination = task.destination, let partialPath = task.partialPath else {
            throw BgxferError("task \(task.id) is not a download: it has no resume data")
        }
        guard task.durableBytes > 0, let validator = task.validator, FileSystem.exists(partialPath) else {
            throw BgxferError(
                "task \(task.id) has nothing to resume from (no bytes on disk the server can vouch for); "
                    + "cancel it without --resume-data")
        }
        version = Self.currentVersion
        kind = task.kind
        url = task.url
        self.destination = destination
        self.partialPath = partialPath
        bytesReceived = task.durableBytes
        etag = task.etag
        lastModified = task.lastModified
        self.validator = validator
        expectedLength = task.bytesExpected
        headers = task.requestHeaders
        notify = task.notify
    }

    /// Writes the document with mode 0600, atomically: a reader never sees half of it, and an
    /// existing file is replaced only by a complete one. `path` is absolute.
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(self) + Data("\n".utf8)
        let temporary = (path as NSString).deletingLastPathComponent + "/.\((path as NSString).lastPathComponent).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if fd < 0 { throw BgxferError.system("cannot write resume data", path: path) }
        let written = data.withUnsafeBytes { FileSystem.writeAll(fd, $0) }
        let synced = fsync(fd) == 0
        close(fd)
        if let written {
            FileSystem.removeIfPresent(temporary)
            throw BgxferError.system("cannot write resume data", path: path, errno: written)
        }
        if !synced || rename(temporary, path) != 0 {
            let error = errno
            FileSystem.removeIfPresent(temporary)
            throw BgxferError.system("cannot write resume data", path: path, errno: error)
        }
    }

    /// Reads and checks resume data: the format and version, and that the partial file is
    /// still there with at least the recorded bytes. Every refusal says what is wrong.
    public static func read(from path: String) throws -> ResumeData {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BgxferError.system("cannot read resume data", path: path)
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw BgxferError.usage("\(path) is not bgxfer resume data (not a JSON object)")
        }
        guard let version = object["version"] as? Int else {
            throw BgxferError.usage("\(path) is not bgxfer resume data (no version)")
        }
        guard version == currentVersion else {
            throw BgxferError.usage(
                "\(path) is resume data version \(version); this bgxfer reads version \(currentVersion)")
        }
        let resume: ResumeData
        do {
            resume = try JSONDecoder().decode(ResumeData.self, from: data)
        } catch {
            throw BgxferError.usage("\(path) is damaged resume data (\(Self.describe(error)))")
        }
        guard resume.kind == .download else {
            throw BgxferError.usage("\(path) is resume data for an upload; uploads cannot be resumed yet")
        }
        guard resume.bytesReceived > 0, !resume.validator.isEmpty, resume.partialPath.hasPrefix("/"),
            resume.destination.hasPrefix("/"), resume.expectedLength.map({ $0 >= resume.bytesReceived }) ?? true
        else {
            throw BgxferError.usage("\(path) is damaged resume data (inconsistent values)")
        }
        guard let length = FileSystem.size(resume.partialPath) else {
            throw BgxferError("resume data \(path) is stale: the partial file \(resume.partialPath) is gone")
        }
        guard length >= resume.bytesReceived else {
            throw BgxferError(
                "resume data \(path) is stale: the partial file \(resume.partialPath) has \(length) bytes, "
                    + "fewer than the \(resume.bytesReceived) recorded")
        }
        return resume
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.dataCorrupted(let context), DecodingError.valueNotFound(_, let context):
            "bad \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: "unreadable"
        }
    }

    /// The point a new task continues from.
    public var resumePoint: ResumePoint {
        ResumePoint(
            partialPath: partialPath, bytes: bytesReceived, validator: validator, expectedLength: expectedLength,
            etag: etag, lastModified: lastModified)
    }
}
