/// `bgxfer session list`: a line per session, or with `--json` an object per session.
public enum SessionTable {
    public static let header = [
        "SESSION", "STATE", "PARALLEL", "METERED", "BATTERY", "RUNNING", "PENDING", "SUSPENDED", "ENDED", "WORKER",
    ]

    public static func render(_ sessions: [SessionSummary]) -> String {
        TextTable.render([header] + sessions.map(row))
    }

    static func row(_ session: SessionSummary) -> [String] {
        let count = { (states: [TaskState]) in String(states.reduce(0) { $0 + (session.counts[$1] ?? 0) }) }
        return [
            session.name, state(session), String(session.parallelism), session.metered.rawValue,
            session.battery.rawValue, count([.running]),
            count([.scheduled, .queued, .waiting]), count([.suspended]), count([.completed, .failed, .canceled]),
            session.workerPid.map(String.init) ?? "-",
        ]
    }

    /// `finishing` while `session finish` waits for its tasks; else `open`.
    static func state(_ session: SessionSummary) -> String { session.finishing ? "finishing" : "open" }

    /// `{"name", "state", "parallelism", "metered", "battery", "workerPid", "tasks": {state:
    /// count, …}}`, every state present.
    public static func json(_ session: SessionSummary) -> JSONValue {
        .object([
            ("name", .string(session.name)),
            ("state", .string(state(session))),
            ("parallelism", .int(Int64(session.parallelism))),
            ("metered", .string(session.metered.rawValue)),
            ("battery", .string(session.battery.rawValue)),
            ("workerPid", JSONValue(session.workerPid)),
            ("tasks", .object(TaskState.allCases.map { ($0.rawValue, .int(Int64(session.counts[$0] ?? 0))) })),
        ])
    }
}
