
/// What a session keeps besides its tasks (README, "Transfers"; Apple's background session): how many of
/// its transfers run at once, and whether it is finishing (`bgxfer session finish`: it takes no
/// new task until the ones it has end). A row of the `session` table, made the first time a
/// setting changes; a session without one has the defaults.
struct SessionSettings: Codable, Equatable {
    var name: String
    var parallelism: Int = Self.defaultParallelism
    /// Set by `session finish`. It holds only while the session has live tasks: once they have
    /// ended the session is open again (the flag is cleared by the next task it takes).
    var finishing = false
    /// `session set --metered`, `--battery`: its new tasks' policies when they give none.
    var metered: ConditionPolicy?
    var battery: ConditionPolicy?

    /// README, "Transfers": 6 transfers at once unless set otherwise, and at most 200.
    static let defaultParallelism = 6
    static let parallelismRange = 1...200
}

/// One session as `bgxfer session list` shows it.
public struct SessionSummary: Sendable, Equatable {
    public var name: String
    public var parallelism: Int
    /// `session finish` was asked and some of its tasks have not ended yet.
    public var finishing: Bool
    /// How many of its tasks are in each state (states without tasks are left out).
    public var counts: [TaskState: Int]
    /// The worker running the session now, if one is.
    public var workerPid: Int32?
    /// Its new tasks' policies when they give none.
    public var metered: ConditionPolicy = .allow
    public var battery: ConditionPolicy = .allow

    public var liveTasks: Int { counts.filter { !$0.key.isTerminal }.values.reduce(0, +) }
}
