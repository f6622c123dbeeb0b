import Foundation

/// A validated request for a new task, before the store gives it an ID.
public struct TaskDraft: Sendable, Equatable {
    public var kind: TaskKind = .download
    public var session: String = "default"
    public var url: String
    public var destination: String?
    /// `--content-disposition`: the directory the file goes to; its name comes from the response
    /// (`destination` is nil until then).
    public var nameDirectory: String?
    public var requestHeaders: [String] = []
    public var overwrite = false
    public var checksum: String?
    public var limitRate: Int64?
    public var insecure = false
    public var allowDowngrade = false
    public var connectTimeout: Double?
    public var noProgressTimeout: Double = 120
    /// `--retries`; nil: retry transient failures until `giveUpAfter` without progress.
    public var retries: Int?
    public var giveUpAfter: Double = Self.defaultGiveUpAfter
    /// `--metered`, `--battery`; nil: the session's default (`session set`), else allow.
    public var metered: ConditionPolicy?
    public var battery: ConditionPolicy?
    public var notify: NotifySettings?
    /// Uploads: the file, the method and `--reply`.
    public var source: UploadSource?
    public var form: [FormPart]?
    public var method: String?
    public var uploadProtocol: UploadProtocol?
    public var replyPath: String?
    /// Continue an upload from resume data: its upload resource.
    public var uploadURL: String?
    /// `--begin-after` / `--begin-at`: the task waits, `scheduled`, until then.
    public var beginAt: Date?
    /// A refresh task's run.
    public var refreshID: TaskID?
    /// Continue from resume data: the partial file, its flushed length and validator.
    public var resumeFrom: ResumePoint?

    /// README, "Interruptions": a failing task gives up after 7 days without progress (Apple's
    /// default resource timeout).
    public static let defaultGiveUpAfter: Double = 7 * 86400
    /// `--retries` takes 1 to this many attempts.
    public static let retriesRange = 1...1000

    public init(url: String, destination: String?) {
        self.url = url
        self.destination = destination
    }
}

/// Where a new task continues from (`resume --resume-data`).
public struct ResumePoint: Sendable, Equatable {
    public var partialPath: String
    public var bytes: Int64
    public var validator: String?
    public var expectedLength: Int64?
    public var etag: String?
    public var lastModified: String?
    /// Which file the partial file is.
    public var identity: FileIdentity?

    public init(
        partialPath: String, bytes: Int64, validator: String?, expectedLength: Int64?, etag: String?,
        lastModified: String?, identity: FileIdentity?
    ) {
        self.identity = identity
        self.partialPath = partialPath
        self.bytes = bytes
        self.validator = validator
        self.expectedLength = expectedLength
        self.etag = etag
        self.lastModified = lastModified
    }
}
