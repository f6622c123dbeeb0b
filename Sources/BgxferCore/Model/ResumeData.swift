import Foundation

/// SPEC §4 resume data: a small versioned JSON document from which a new task continues a
/// canceled download or resumable upload (`cancel --resume-data`, `resume --resume-data`).
/// Downloads carry the partial file and its validator; uploads the source file (with its
/// identity), the upload resource and the protocol.
public struct ResumeData: Codable, Equatable, Sendable {
    public static let currentVersion = 1

    public var version: Int
    public var kind: TaskKind
    public var url: String
    /// Request headers, secrets included: the file is mode 0600.
    public var headers: [String]
    /// The task's notification titles, when it had `--notify` (absent otherwise).
    public var notify: NotifySettings?

    // Downloads.
    public var destination: String?
    public var partialPath: String?
    /// Flushed bytes at the start of the partial file.
    public var bytesReceived: Int64?
    public var etag: String?
    public var lastModified: String?
    /// What the resumed request sends as `If-Range` (for FTP: size and modification time).
    public var validator: String?
    public var expectedLength: Int64?

    // Uploads.
    /// The file sent, with its identity when the upload was made: it must still be that file.
    public var source: UploadSource?
    /// The upload resource the server made; the resumed task asks it how much it holds.
    public var uploadURL: String?
    public var `protocol`: UploadProtocol?
    /// Bytes the server had confirmed (for people: the new task asks the server again).
    public var bytesSent: Int64?
    public var method: String?
    public var replyPath: String?

    /// The resume data of a task that can be continued; throws saying why not.
    public init(task: TransferTask) throws {
        version = Self.currentVersion
        kind = task.kind
        url = task.url
        headers = task.requestHeaders
        notify = task.notify
        switch task.kind {
        case .download:
            guard let partialPath = task.partialPath else {
                throw BgxferError("task \(task.id) has no partial file: it has no resume data")
            }
            // (A --content-disposition download has its destination once it has bytes.)
            guard task.durableBytes > 0, let validator = task.validator, let destination = task.destination,
                FileSystem.exists(partialPath)
            else {
                throw BgxferError(
                    "task \(task.id) has nothing to resume from (no bytes on disk the server can vouch for); "
                        + "cancel it without --resume-data")
            }
            self.destination = destination
            self.partialPath = partialPath
            bytesReceived = task.durableBytes
            etag = task.etag
            lastModified = task.lastModified
            self.validator = validator
            expectedLength = task.bytesExpected
        case .upload:
            guard let kind = task.uploadProtocol, kind.isResumable, let source = task.source else {
                throw BgxferError(
                    "task \(task.id) is a plain upload: it cannot continue where it stopped (use --protocol tus "
                        + "or rufh for that); cancel it without --resume-data")
            }
            guard let uploadURL = task.uploadURL else {
                throw BgxferError(
                    "task \(task.id) has nothing to resume from (the server has not made an upload resource yet); "
                        + "cancel it without --resume-data")
            }
            self.source = source
            self.uploadURL = uploadURL
            self.protocol = kind
            bytesSent = task.durableBytes
            method = task.method
            replyPath = task.replyPath
        }
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
        switch resume.kind {
        case .download: try resume.checkDownload(path)
        case .upload: try resume.checkUpload(path)
        }
        return resume
    }

    private func checkDownload(_ path: String) throws {
        guard let destination, let partialPath, let bytesReceived, let validator, bytesReceived > 0, !validator.isEmpty,
            partialPath.hasPrefix("/"), destination.hasPrefix("/"), expectedLength.map({ $0 >= bytesReceived }) ?? true
        else {
            throw BgxferError.usage("\(path) is damaged resume data (inconsistent values)")
        }
        guard let length = FileSystem.size(partialPath) else {
            throw BgxferError("resume data \(path) is stale: the partial file \(partialPath) is gone")
        }
        guard length >= bytesReceived else {
            throw BgxferError(
                "resume data \(path) is stale: the partial file \(partialPath) has \(length) bytes, "
                    + "fewer than the \(bytesReceived) recorded")
        }
    }

    private func checkUpload(_ path: String) throws {
        guard let source, source.path.hasPrefix("/"), let uploadURL, (try? TransferURL.validate(uploadURL)) != nil,
            uploadURL.lowercased().hasPrefix("http"), self.protocol?.isResumable == true, (bytesSent ?? 0) >= 0
        else {
            throw BgxferError.usage("\(path) is damaged resume data (inconsistent values)")
        }
        let now: UploadSource
        do {
            now = try UploadSource.inspect(source.path)
        } catch let error as BgxferError {
            throw BgxferError("resume data \(path) is stale: \(error.message)")
        }
        if let change = source.change(to: now) {
            throw BgxferError("resume data \(path) is stale: \(source.path) changed since the upload began: \(change)")
        }
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.dataCorrupted(let context), DecodingError.valueNotFound(_, let context):
            "bad \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: "unreadable"
        }
    }

    /// The point a new download continues from (nil for uploads).
    public var resumePoint: ResumePoint? {
        guard let partialPath, let bytesReceived, let validator else { return nil }
        return ResumePoint(
            partialPath: partialPath, bytes: bytesReceived, validator: validator, expectedLength: expectedLength,
            etag: etag, lastModified: lastModified)
    }
}
