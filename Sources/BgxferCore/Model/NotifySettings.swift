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

    /// A title shows on one line: not empty, no control characters.
    public static func isValidTitle(_ title: String) -> Bool {
        !title.trimmingCharacters(in: .whitespaces).isEmpty
            && !title.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
    }

    public func successTitle(for kind: TaskKind) -> String {
        success ?? (kind == .upload ? "Upload complete" : "Download complete")
    }

    public func failureTitle(for kind: TaskKind) -> String {
        failure ?? (kind == .upload ? "Upload failed" : "Download failed")
    }
}
