/// Something that happens to a task.
public enum TaskEvent: Sendable, Equatable {
    /// A worker takes the queued task.
    case start
    /// The transfer ended with every byte on disk, verified and renamed into place.
    case complete
    /// The transfer ended with an error that retrying will not fix.
    case fail
    /// The user cancels.
    case cancel
    /// The user suspends.
    case suspend
    /// The user resumes a suspended or failed task.
    case resume
    /// The user resumes a suspended task whose beginning (`--begin-after`/`--begin-at`) is still
    /// to come: it waits for it again.
    case resumeScheduled
    /// The worker that ran the task is gone (killed, crashed, stopped): run it again.
    case workerLost
    /// A scheduled task's time has come.
    case due
    /// The attempt ended with an error worth retrying (or the bytes had to be thrown away):
    /// wait, then try again.
    case retry
    /// The network, its cost or the power stopped the task from running (README, "Network,
    /// cost and power"): it waits until that changes, without spending an attempt.
    case hold
}

/// The task lifecycle as a pure function: which event is allowed in which state, and where it
/// leads. The store applies it inside the same transaction that reads the current state, so a
/// worker finishing a task and a user canceling it cannot both win.
public enum TaskStateMachine {
    public static func next(after state: TaskState, on event: TaskEvent) -> TaskState? {
        switch (state, event) {
        case (.scheduled, .due): .queued
        case (.queued, .start), (.waiting, .start): .running
        case (.running, .complete): .completed
        case (.running, .fail), (.waiting, .fail): .failed
        case (.running, .retry): .waiting
        case (.queued, .hold), (.running, .hold), (.waiting, .hold): .waiting
        case (.scheduled, .cancel), (.queued, .cancel), (.running, .cancel), (.waiting, .cancel),
            (.suspended, .cancel), (.failed, .cancel):
            .canceled
        case (.scheduled, .suspend), (.queued, .suspend), (.running, .suspend), (.waiting, .suspend):
            .suspended
        case (.suspended, .resume), (.failed, .resume): .queued
        case (.suspended, .resumeScheduled): .scheduled
        case (.running, .workerLost): .queued
        default: nil
        }
    }

    /// Like `next(after:on:)`, throwing a message for the user when the event does not apply.
    public static func transition(_ id: TaskID, from state: TaskState, on event: TaskEvent) throws -> TaskState {
        if let next = next(after: state, on: event) { return next }
        throw BgxferError("task \(id) is \(state): cannot \(event.verb) it")
    }
}

extension TaskEvent {
    var verb: String {
        switch self {
        case .start: "start"
        case .complete: "complete"
        case .fail: "fail"
        case .cancel: "cancel"
        case .suspend: "suspend"
        case .resume, .resumeScheduled: "resume"
        case .workerLost: "recover"
        case .retry: "retry"
        case .hold: "hold"
        case .due: "start"
        }
    }
}
