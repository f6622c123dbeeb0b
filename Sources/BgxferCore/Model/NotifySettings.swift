/// `--notify`, `--success-title`, `--failure-title`: a desktop notification when the task ends,
/// with these titles (nil: the default for the task's kind). Stored with the task and carried in
/// its resume data, so a task resumed after a crash or from resume data keeps them.
public struct NotifySettings: Codable, Sendable, Equatable {
    public var success: String?
    public var failure: String?

    public init(success: String? = nil, failure: String? = nil) {
        self.success = success
        self.failure = failure
    }

    public func successTitle(for kind: TaskKind) -> String {
        success ?? (kind == .upload ? "Upload complete" : "Download complete")
    }

    public func failureTitle(for kind: TaskKind) -> String {
        failure ?? (kind == .upload ? "Upload failed" : "Download failed")
    }
}
