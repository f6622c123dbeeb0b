import Foundation

/// One download or upload, as the task store holds it: the request, the user's options, and
/// what the worker has learned so far. A row of the `task` table.
public struct TransferTask: Sendable, Codable, Equatable {
    public var id: TaskID
    public var kind: TaskKind
    public var session: String
    public var state: TaskState
    /// The URL as given, secrets included; print it through `Redaction`.
    public var url: String
    /// Downloads: the final path. Nothing is written under this name until the file is whole.
    public var destination: String?
    /// Downloads: the file the bytes go to until they are complete, next to the destination.
    public var partialPath: String?
    /// Which file that is, as it was when bgxfer made it: another file put there is never
    /// written or continued (README, "Files").
    public var partialIdentity: FileIdentity?
    /// `Name: value` lines sent with every request, secrets included.
    public var requestHeaders: [String]
    public var overwrite: Bool
    /// `sha256:HEX`, checked before the file is renamed into place.
    public var checksum: String?
    /// Bytes per second, or nil for no limit.
    public var limitRate: Int64?
    public var insecure: Bool
    public var allowDowngrade: Bool
    /// Seconds; nil leaves curl's default (300 s).
    public var connectTimeout: Double?
    /// Seconds without a single byte after which an attempt is abandoned.
    public var noProgressTimeout: Double

    public var bytesTransferred: Int64
    public var bytesExpected: Int64?
    public var bytesPerSecond: Double?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var attempts: Int
    public var httpStatus: Int?
    /// The final response's header lines (after redirects), as received.
    public var responseHeaders: [String]?
    /// The URL the last attempt ended at, after redirects.
    public var effectiveURL: String?
    public var etag: String?
    public var lastModified: String?
    public var errorCode: String?
    public var errorMessage: String?
    public var workerPid: Int32?

    /// Bytes at the start of the partial file known to be on disk (flushed with fdatasync):
    /// where the next attempt continues. Anything past it is cut off first.
    public var durableBytes: Int64 = 0
    /// What the next attempt sends as `If-Range`: a strong ETag, a strong Last-Modified date,
    /// or for FTP `ftp:<size>:<mtime>`. nil: the bytes cannot be vouched for, start from zero.
    public var validator: String?
    /// Why the last resume had to start from zero, when it had to (shown by `show`).
    public var restartNote: String?
    /// `--retries`: attempts allowed before the task fails, the first included; nil: no limit
    /// but `giveUpAfter`.
    public var retries: Int?
    /// `--give-up-after`: seconds without progress after which a failing task fails.
    public var giveUpAfter: Double = TaskDraft.defaultGiveUpAfter
    /// When bytes last moved (or the task first started since created or resumed): where the
    /// give-up clock starts.
    public var progressAt: Date?
    /// Failed attempts in a row since the last progress: the backoff's exponent.
    public var setbacks: Int = 0
    /// Attempts made since the task was created or last resumed by the user.
    public var budgetUsed: Int = 0
    /// `--metered` and `--battery`: whether the task waits while the network is metered, or
    /// while the machine runs on battery.
    public var metered: ConditionPolicy = .allow
    public var battery: ConditionPolicy = .allow
    /// While `waiting`: when the next attempt may start.
    public var nextAttemptAt: Date?
    /// Canceled with `--resume-data`: the partial file belongs to the resume data now.
    public var keepPartial: Bool = false
    /// A desktop notification at the end, with these titles; nil: none.
    public var notify: NotifySettings?
    /// What became of that notification: `shown`, or `skipped: <why>` (shown by `show`).
    public var notification: String?
    /// Uploads: the file sent, as it was when the task was made.
    public var source: UploadSource?
    /// Uploads with `--form`: the parts of the `multipart/form-data` body (`source` is nil).
    public var form: [FormPart]?
    /// Uploads: the HTTP method (PUT, POST, PATCH).
    public var method: String?
    /// Uploads: `plain`, `tus` or `rufh` (nil: plain).
    public var uploadProtocol: UploadProtocol?
    /// Resumable uploads: the upload resource the server made, once known. Each attempt asks it
    /// how much it holds (its `Upload-Offset`) and sends the rest.
    public var uploadURL: String?
    /// Uploads: where to write the server's reply body (`--reply`).
    public var replyPath: String?
    /// Uploads: the start of the server's reply body (at most `replyLimit` bytes).
    public var replyBody: Data?
    /// A run of this refresh task: a 304 leaves the destination alone (README, "Refresh tasks and scheduled starts").
    public var refreshID: TaskID?
    /// `scheduled`: not started before this time (`--begin-after`, `--begin-at`).
    public var beginAt: Date?
    /// `--content-disposition`: the directory the file goes to. Its name comes from the first
    /// response's `Content-Disposition` (else the URL) and becomes `destination`, nil until then.
    public var nameDirectory: String?
    /// How much of a reply body the store keeps.
    public static let replyLimit = 64 * 1024

    public var error: TaskError? {
        guard let errorCode else { return nil }
        return TaskError(code: FailureCode(rawValue: errorCode), message: errorMessage ?? errorCode)
    }

    /// The file name shown in lists and notifications.
    public var displayName: String {
        let path = source?.path ?? form?.lazy.compactMap(\.file).first?.path ?? destination ?? url
        return (path as NSString).lastPathComponent
    }

    /// Whether the task could continue from the bytes it has rather than from zero: it has
    /// flushed bytes and a strong validator to ask the server whether they are still good
    /// (README, "Transfers").
    /// An upload can when the server made an upload resource for it (tus, rufh).
    public var resumable: Bool {
        guard state != .completed else { return false }
        return kind == .upload ? uploadURL != nil : durableBytes > 0 && validator != nil
    }

    public var progress: Double? {
        guard let bytesExpected, bytesExpected > 0 else { return nil }
        return min(1, Double(bytesTransferred) / Double(bytesExpected))
    }
}

/// Whether a task runs whatever the condition (`allow`) or waits until it changes (`wait`):
/// `--metered`, `--battery` (README, "Network, cost and power").
public enum ConditionPolicy: String, Sendable, Codable, CaseIterable {
    case allow
    case wait
}

/// Why a task failed or waits: a stable code for scripts and a sentence for people.
public struct TaskError: Sendable, Codable, Equatable {
    public var code: FailureCode
    public var message: String

    public init(code: FailureCode, message: String) {
        self.code = code
        self.message = message
    }
}

enum Validators {
    /// A weak ETag (`W/"…"`) cannot vouch for byte ranges (RFC 9110 §13.1.5).
    static func isStrong(_ etag: String) -> Bool { !etag.hasPrefix("W/") }
}
