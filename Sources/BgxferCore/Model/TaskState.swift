/// Where a task is in its life (README, "JSON").
public enum TaskState: String, Sendable, Codable, CaseIterable {
    /// Waits for a time (`--begin-after`, `--begin-at`).
    case scheduled
    /// Ready to run when its session's worker has a free slot.
    case queued
    /// A worker is transferring it.
    case running
    /// Waits for the network or a retry delay; the task's error says why.
    case waiting
    /// Paused by the user, keeping every byte.
    case suspended
    case completed
    case failed
    case canceled

    /// The task has ended: no worker will touch it again unless the user resumes it.
    public var isTerminal: Bool {
        switch self {
        case .completed, .failed, .canceled: true
        case .scheduled, .queued, .running, .waiting, .suspended: false
        }
    }

    /// A worker has (or should have) work to do for the task now.
    public var needsWorker: Bool {
        switch self {
        case .queued, .running, .waiting: true
        case .scheduled, .suspended, .completed, .failed, .canceled: false
        }
    }

    /// States whose task owns its destination path, so no second task may target it.
    public static let live: [TaskState] = allCases.filter { !$0.isTerminal }
}

/// Whether a task downloads or uploads.
public enum TaskKind: String, Sendable, Codable {
    case download
    case upload
}
