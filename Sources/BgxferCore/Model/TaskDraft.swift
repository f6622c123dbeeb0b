/// A validated request for a new task, before the store gives it an ID.
public struct TaskDraft: Sendable, Equatable {
    public var kind: TaskKind = .download
    public var session: String = "default"
    public var url: String
    public var destination: String?
    public var requestHeaders: [String] = []
    public var overwrite = false
    public var checksum: String?
    public var limitRate: Int64?
    public var insecure = false
    public var allowDowngrade = false
    public var connectTimeout: Double?
    public var noProgressTimeout: Double = 120

    public init(url: String, destination: String?) {
        self.url = url
        self.destination = destination
    }
}
