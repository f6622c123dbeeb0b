import Foundation

/// Whether a failed attempt is tried again, and when (README, "Interruptions"): transient
/// failures are retried with backoff until the task has made no progress for `--give-up-after`
/// (default 7 days), or until `--retries` attempts when that was given.
enum RetryPolicy {
    /// What the task's record says about its attempts so far.
    struct Budget: Equatable {
        /// `--retries`: attempts in all; nil: no limit but time.
        var retries: Int?
        /// Attempts made since the task was created or last resumed by the user, this one
        /// included.
        var attemptsUsed: Int
        /// `--give-up-after`, in seconds.
        var giveUpAfter: Double
        /// When bytes last moved (or the task first started).
        var progressAt: Date
        /// Failed attempts in a row since then, this one included.
        var setbacks: Int
    }

    enum Decision: Equatable {
        /// Try again after this many seconds.
        case retry(after: Double)
        /// Fail the task; `why` says what ran out, when it was not the failure itself.
        case giveUp(why: String?)
    }

    static func decide(
        _ code: FailureCode, budget: Budget, retryAfter: Double?, now: Date,
        random: Double = Double.random(in: 0...1)
    ) -> Decision {
        guard code.isTransient else { return .giveUp(why: nil) }
        let stalled = max(0, now.timeIntervalSince(budget.progressAt))
        if let retries = budget.retries {
            if budget.attemptsUsed >= retries { return .giveUp(why: "after \(budget.attemptsUsed) of \(retries) attempts") }
        } else if stalled >= budget.giveUpAfter {
            return .giveUp(why: "no progress for \(Format.span(stalled)) (--give-up-after \(Format.span(budget.giveUpAfter)))")
        }
        var delay = delay(setbacks: budget.setbacks, stalled: stalled, retryAfter: retryAfter, random: random)
        // The last attempt comes when the time is up, not after it.
        if budget.retries == nil { delay = min(delay, budget.giveUpAfter - stalled) }
        return .retry(after: delay)
    }

    /// The longest wait between attempts, with or without the server's `Retry-After`.
    static let maximumDelay = 3600.0
    static let baseDelay = 1.0
    /// Attempts come at most this far apart during the first hour without progress…
    static let firstHourCap = 60.0
    /// …and at most this far apart after it.
    static let laterCap = 600.0

    /// Seconds before the next attempt: the server's `Retry-After` when it gave one, else
    /// exponential backoff (1, 2, 4 … s, up to a minute in the first hour without progress and
    /// ten minutes after) with equal jitter, so that many tasks failing together do not retry
    /// together.
    static func delay(setbacks: Int, stalled: Double, retryAfter: Double?, random: Double) -> Double {
        if let retryAfter { return min(max(0, retryAfter), maximumDelay) }
        let cap = stalled < 3600 ? firstHourCap : laterCap
        let backoff = min(cap, baseDelay * pow2(max(0, min(setbacks - 1, 16))))
        return backoff / 2 + backoff / 2 * min(1, max(0, random))
    }

    private static func pow2(_ exponent: Int) -> Double {
        var value = 1.0
        for _ in 0..<exponent { value *= 2 }
        return value
    }
}
