import Foundation

/// What becomes of a failed attempt (README, "Interruptions" and "Network, cost and power"), as
/// a value decided from the failure, the task's record, what the attempt moved and what the
/// network and power hold back: wait for a condition, retry later, or fail keeping (or not)
/// the bytes on disk. The worker carries it out.
enum FailurePlan: Equatable {
    /// The network's going (or its cost, or the battery) explains the failure: wait for it to
    /// change, without spending an attempt; the bytes stay.
    case hold(TaskError)
    /// Try again after `delay` seconds; the bytes stay. `setbacks` and `progressAt` are the
    /// task's new count of failures in a row and time of its last progress.
    case retry(after: Double, setbacks: Int, progressAt: Date)
    /// The task fails. `keepBytes`: a later `resume` can continue from them. `why`: what ran
    /// out, when it was not the failure itself.
    case fail(keepBytes: Bool, why: String?)

    /// `task`: the store's record (the give-up clock as progress last moved it); `progressed`:
    /// the attempt moved bytes; `durableBytes`: what is on disk of them; `hold`: what the
    /// conditions hold the task back for now, if anything.
    static func decide(
        _ error: TaskError, task: TransferTask, progressed: Bool, durableBytes: Int64, hold: TaskError?,
        retryAfter: Double?, now: Date, random: Double = Double.random(in: 0...1)
    ) -> FailurePlan {
        if error.code.isTransient, let hold { return .hold(hold) }
        let budget = RetryPolicy.Budget(
            retries: task.retries, attemptsUsed: task.budgetUsed, giveUpAfter: task.giveUpAfter,
            progressAt: progressed ? now : task.progressAt ?? now, setbacks: (progressed ? 0 : task.setbacks) + 1)
        switch RetryPolicy.decide(error.code, budget: budget, retryAfter: retryAfter, now: now, random: random) {
        case .retry(let delay):
            return .retry(after: delay, setbacks: budget.setbacks, progressAt: budget.progressAt)
        case .giveUp(let why):
            // Bytes a later `resume` can continue from are kept; others are useless, and so are
            // bytes a checksum proved wrong.
            let keep = durableBytes > 0 && task.validator != nil && error.code != .checksumMismatch
            return .fail(keepBytes: keep, why: why)
        }
    }
}
