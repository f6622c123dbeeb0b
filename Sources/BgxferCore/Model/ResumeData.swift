import Foundation

/// Resume data (README, "Resume data"): a small versioned JSON document from which a new task
/// continues a canceled download or resumable upload (`cancel --resume-data`, `resume
/// --resume-data`). Downloads carry the partial file (with its identity) and its validator;
/// uploads the source file (with its identity), the upload resource and the protocol; both the
/// task's options.
///
/// It is untrusted input: anyone can hand a user a file to resume. `read` checks every key
/// before anything is done with it: the URL as `download` does, the partial file is a bgxfer
/// partial name next to the destination and the very file bgxfer made, the reply file does
/// not exist yet, the numbers are within their bounds.
public struct ResumeData: Codable, Equatable, Sendable {
    /// 2 adds the partial file's identity and the task's options; 1 is still read.
    public static let currentVersion = 2
    static let readableVersions = 1...2

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
    /// Which file the partial file is (version 2).
    public var partialIdentity: FileIdentity?
    public var checksum: String?
    public var overwrite: Bool?

    // Every task's options (version 2): the new task has them unless `resume` says otherwise.
    public var session: String?
    public var limitRate: Int64?
    public var retries: Int?
    public var giveUpAfter: Double?
    public var connectTimeout: Double?
    public var noProgressTimeout: Double?
    public var insecure: Bool?
    public var allowDowngrade: Bool?
    public var metered: ConditionPolicy?
    public var battery: ConditionPolicy?

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
        session = task.session
        limitRate = task.limitRate
        retries = task.retries
        giveUpAfter = task.giveUpAfter
        connectTimeout = task.connectTimeout
        noProgressTimeout = task.noProgressTimeout
        insecure = task.insecure
        allowDowngrade = task.allowDowngrade
        metered = task.metered
        battery = task.battery
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
            partialIdentity = task.partialIdentity
            checksum = task.checksum
            overwrite = task.overwrite
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
        return try decode(data, path: path)
    }

    /// The same for the document's bytes; `path` names it in messages.
    static func decode(_ data: Data, path: String) throws -> ResumeData {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw BgxferError.usage("\(path) is not bgxfer resume data (not a JSON object)")
        }
        guard let version = object["version"] as? Int else {
            throw BgxferError.usage("\(path) is not bgxfer resume data (no version)")
        }
        guard readableVersions.contains(version) else {
            throw BgxferError.usage(
                "\(path) is resume data version \(version); this bgxfer reads versions \(readableVersions.lowerBound) to \(readableVersions.upperBound)")
        }
        let resume: ResumeData
        do {
            resume = try JSONDecoder().decode(ResumeData.self, from: data)
        } catch {
            throw BgxferError.usage("\(path) is damaged resume data (\(Self.describe(error)))")
        }
        try resume.checkCommon(path)
        switch resume.kind {
        case .download: try resume.checkDownload(path)
        case .upload: try resume.checkUpload(path)
        }
        return resume
    }

    /// A key whose value bgxfer will not act on: exit 64, naming the key.
    private static func refuse(_ path: String, _ key: String, _ why: String) -> BgxferError {
        .usage("resume data \(path): \(key) \(why)")
    }

    /// What downloads and uploads share: the URL, the headers, the titles, the options.
    private func checkCommon(_ path: String) throws {
        do {
            _ = try TransferURL.validate(url)
        } catch let error as BgxferError {
            throw Self.refuse(path, "url", "is refused: \(error.message)")
        }
        for header in headers {
            do {
                _ = try HeaderField.parse(header)
            } catch let error as BgxferError {
                throw Self.refuse(path, "headers", "are refused: \(error.message)")
            }
        }
        for title in [notify?.success, notify?.failure].compactMap({ $0 }) where !NotifySettings.isValidTitle(title) {
            throw Self.refuse(path, "notify", "has a title that is empty or not one line")
        }
        if let session, (try? SessionName.validate(session)) == nil { throw Self.refuse(path, "session", "is not a session name") }
        if let limitRate, !(1...Quantity.largestSize).contains(limitRate) { throw Self.refuse(path, "limitRate", "is out of range") }
        if let retries, !TaskDraft.retriesRange.contains(retries) { throw Self.refuse(path, "retries", "is out of range") }
        for (key, value) in [("giveUpAfter", giveUpAfter), ("connectTimeout", connectTimeout), ("noProgressTimeout", noProgressTimeout)] {
            if let value, !(value > 0 && value <= Quantity.longestDuration) { throw Self.refuse(path, key, "is out of range") }
        }
        if let checksum, (try? Checksum.parse(checksum)) == nil { throw Self.refuse(path, "checksum", "is malformed") }
    }

    private func checkDownload(_ path: String) throws {
        guard let destination, let partialPath, let bytesReceived, let validator, bytesReceived > 0, !validator.isEmpty,
            expectedLength.map({ $0 >= bytesReceived }) ?? true
        else {
            throw BgxferError.usage("\(path) is damaged resume data (inconsistent values)")
        }
        for (key, value) in [("destination", destination), ("partialPath", partialPath)]
        where !value.hasPrefix("/") || LexicalPath.absolute(value, in: "/") != value {
            throw Self.refuse(path, key, "must be a plain absolute path (no '.', '..' or '//')")
        }
        let (directory, name) = SafeFile.split(partialPath)
        guard directory == SafeFile.split(destination).directory, PartialFile.isPartialName(name) else {
            throw Self.refuse(
                path, "partialPath", "\(partialPath) is not a bgxfer partial file next to the destination \(destination)")
        }
        var info = stat()
        guard lstat(partialPath, &info) == 0 else {
            throw BgxferError("resume data \(path) is stale: the partial file \(partialPath) is gone")
        }
        if let problem = SafeFile.problem(with: info, expected: partialIdentity) {
            throw Self.refuse(path, "partialPath", "\(partialPath) is not the partial file bgxfer made: \(problem)")
        }
        guard Int64(info.st_size) >= bytesReceived else {
            throw BgxferError(
                "resume data \(path) is stale: the partial file \(partialPath) has \(info.st_size) bytes, "
                    + "fewer than the \(bytesReceived) recorded")
        }
    }

    private func checkUpload(_ path: String) throws {
        guard let source, source.path.hasPrefix("/"), let uploadURL, self.protocol?.isResumable == true, (bytesSent ?? 0) >= 0
        else {
            throw BgxferError.usage("\(path) is damaged resume data (inconsistent values)")
        }
        // tus and rufh are HTTP: neither the upload nor its resource may be anything else.
        for (key, value) in [("url", url), ("uploadURL", uploadURL)] {
            guard (try? TransferURL.validate(value)) != nil, value.lowercased().hasPrefix("http") else {
                throw Self.refuse(path, key, "must be an http or https URL")
            }
        }
        if let replyPath {
            guard replyPath.hasPrefix("/"), LexicalPath.absolute(replyPath, in: "/") == replyPath else {
                throw Self.refuse(path, "replyPath", "must be a plain absolute path (no '.', '..' or '//')")
            }
            guard !FileSystem.exists(replyPath) else {
                throw BgxferError.cannotCreate(
                    "resume data \(path): the reply file \(replyPath) exists: move it away (an upload's reply never replaces a file it did not make)")
            }
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
            etag: etag, lastModified: lastModified, identity: partialIdentity)
    }

    /// The task's options, as the new task starts with them (what `resume` is told overrides them).
    public func apply(to draft: inout TaskDraft) {
        draft.requestHeaders = headers
        draft.notify = notify
        if let session { draft.session = session }
        draft.limitRate = limitRate
        draft.retries = retries
        if let giveUpAfter { draft.giveUpAfter = giveUpAfter }
        draft.connectTimeout = connectTimeout
        if let noProgressTimeout { draft.noProgressTimeout = noProgressTimeout }
        draft.insecure = insecure ?? false
        draft.allowDowngrade = allowDowngrade ?? false
        draft.metered = metered
        draft.battery = battery
        draft.checksum = checksum
        draft.overwrite = overwrite ?? false
    }
}
