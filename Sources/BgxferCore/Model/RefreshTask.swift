import Foundation

/// A periodic refresh (README, "Refresh tasks and scheduled starts", watchOS's refresh tasks): the URL re-fetched into the
/// destination every `every` seconds, at least 15 minutes apart, with a conditional GET; a row
/// of the `refresh` table. Each run is a download task (`TransferTask.refreshID`) that a
/// session's worker carries out like any other.
public struct RefreshTask: Sendable, Codable, Equatable {
    /// README, "Refresh tasks and scheduled starts": at most four runs an hour.
    public static let minimumInterval: Double = 15 * 60

    public var id: TaskID
    public var url: String
    public var destination: String
    /// Seconds between runs.
    public var every: Double
    public var requestHeaders: [String]
    public var notify: NotifySettings?
    public var session: String
    public var createdAt: Date
    /// When the next run is due (the scheduler clock's time).
    public var nextRunAt: Date
    public var lastRunAt: Date?
    public var lastResult: RefreshResult?
    /// When a run last replaced the destination.
    public var lastChangedAt: Date?
    public var lastError: String?
    /// The validators of the last response that described the destination.
    public var etag: String?
    public var lastModified: String?
    /// The run in flight, if any: its download task.
    public var currentTask: TaskID?
    /// `--metered`, `--battery` for its runs; nil: the session's default when a run is made.
    public var metered: ConditionPolicy?
    public var battery: ConditionPolicy?

    /// A new refresh task, due at once.
    public init(
        id: TaskID, url: String, destination: String, every: Double, requestHeaders: [String], notify: NotifySettings?,
        session: String, createdAt: Date, nextRunAt: Date
    ) {
        self.id = id
        self.url = url
        self.destination = destination
        self.every = every
        self.requestHeaders = requestHeaders
        self.notify = notify
        self.session = session
        self.createdAt = createdAt
        self.nextRunAt = nextRunAt
    }

    /// `--every`: a duration of at least 15 minutes.
    public static func interval(_ text: String) throws -> Double {
        let seconds = try Quantity.seconds(text, what: "interval")
        guard seconds >= minimumInterval else {
            throw BgxferError.usage(
                "--every \(text) is too often: refresh tasks run at most every 15m (four times an hour)")
        }
        return seconds
    }
}

/// What a refresh run found (README, "JSON" `lastResult`).
public enum RefreshResult: String, Sendable, Codable {
    /// 200: the destination was replaced.
    case downloaded
    /// 304: the destination was left alone.
    case notModified = "not-modified"
    case failed
}
