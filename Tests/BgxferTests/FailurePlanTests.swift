import Foundation
import Testing

@testable import BgxferCore

/// What becomes of a failed attempt, decided without a worker.
@Suite struct FailurePlanTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func task(retries: Int? = nil, used: Int = 1, setbacks: Int = 0, progressAt: Date? = now, validator: String? = "\"e\"") -> TransferTask {
        var task = TransferTask(draft: TaskDraft(url: "https://h/a", destination: "/tmp/a"), id: TaskID("abcdef"), createdAt: now)
        task.retries = retries
        task.budgetUsed = used
        task.setbacks = setbacks
        task.progressAt = progressAt
        task.validator = validator
        return task
    }

    static let refused = TaskError(code: .connect, message: "Connection refused")
    static let offline = TaskError(code: .noNetwork, message: "no network")

    @Test func aTransientFailureTheConditionsExplainWaitsForThem() {
        #expect(
            FailurePlan.decide(Self.refused, task: Self.task(), progressed: false, durableBytes: 10, hold: Self.offline, retryAfter: nil, now: Self.now)
                == .hold(Self.offline))
        // A permanent one fails whatever the network does.
        let gone = TaskError(code: .http(404), message: "Not Found")
        #expect(
            FailurePlan.decide(gone, task: Self.task(), progressed: false, durableBytes: 0, hold: Self.offline, retryAfter: nil, now: Self.now)
                == .fail(keepBytes: false, why: nil))
    }

    @Test func aRetryCountsTheSetbackUnlessBytesMoved() {
        let stalled = FailurePlan.decide(
            Self.refused, task: Self.task(setbacks: 2, progressAt: Self.now.addingTimeInterval(-30)), progressed: false,
            durableBytes: 10, hold: nil, retryAfter: nil, now: Self.now, random: 1)
        #expect(stalled == .retry(after: 4, setbacks: 3, progressAt: Self.now.addingTimeInterval(-30)))
        let moved = FailurePlan.decide(
            Self.refused, task: Self.task(setbacks: 7, progressAt: Self.now.addingTimeInterval(-3000)), progressed: true,
            durableBytes: 10, hold: nil, retryAfter: nil, now: Self.now, random: 1)
        #expect(moved == .retry(after: 1, setbacks: 1, progressAt: Self.now))
    }

    @Test func givingUpKeepsOnlyBytesAResumeCanUse() {
        let spent = Self.task(retries: 2, used: 2)
        #expect(
            FailurePlan.decide(Self.refused, task: spent, progressed: false, durableBytes: 10, hold: nil, retryAfter: nil, now: Self.now)
                == .fail(keepBytes: true, why: "after 2 of 2 attempts"))
        #expect(
            FailurePlan.decide(
                Self.refused, task: Self.task(retries: 1, validator: nil), progressed: false, durableBytes: 10, hold: nil,
                retryAfter: nil, now: Self.now) == .fail(keepBytes: false, why: "after 1 of 1 attempts"))
        let mismatch = TaskError(code: .checksumMismatch, message: "checksum mismatch")
        #expect(
            FailurePlan.decide(mismatch, task: Self.task(), progressed: true, durableBytes: 10, hold: nil, retryAfter: nil, now: Self.now)
                == .fail(keepBytes: false, why: nil))
    }

    @Test func theServersRetryAfterIsHonoured() {
        let busy = TaskError(code: .http(503), message: "Service Unavailable")
        #expect(
            FailurePlan.decide(busy, task: Self.task(), progressed: false, durableBytes: 0, hold: nil, retryAfter: 42, now: Self.now)
                == .retry(after: 42, setbacks: 1, progressAt: Self.now))
    }
}
