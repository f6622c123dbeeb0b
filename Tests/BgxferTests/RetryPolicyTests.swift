import Foundation
import Testing

@testable import BgxferCore

@Suite struct RetryPolicyTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func budget(
        retries: Int? = nil, used: Int = 1, giveUpAfter: Double = TaskDraft.defaultGiveUpAfter, stalled: Double = 0,
        setbacks: Int = 1
    ) -> RetryPolicy.Budget {
        RetryPolicy.Budget(
            retries: retries, attemptsUsed: used, giveUpAfter: giveUpAfter,
            progressAt: start.addingTimeInterval(-stalled), setbacks: setbacks)
    }

    @Test(arguments: [
        FailureCode.connectionDropped, .timeout, .connect, .dns, .tls, .http(500), .http(502), .http(503), .http(408),
        .http(429), .proxy(502), .proxy(503), .uploadConflict, .restart,
    ])
    func transientFailuresAreRetried(code: FailureCode) {
        #expect(code.isTransient)
        #expect(RetryPolicy.decide(code, budget: Self.budget(), retryAfter: nil, now: Self.start, random: 0) == .retry(after: 0.5))
    }

    @Test(arguments: [
        FailureCode.http(404), .http(403), .http(400), .http(501), .http(505), .proxy(407), .checksumMismatch,
        .writeError, .tlsRefused, .tooManyRedirects, .redirectRefused, .protocolError, .notFound, .accessDenied,
        .internal, .curl(27), .unrecognized("http-0"),
    ])
    func permanentFailuresAreNot(code: FailureCode) {
        #expect(!code.isTransient)
        #expect(RetryPolicy.decide(code, budget: Self.budget(), retryAfter: nil, now: Self.start) == .giveUp(why: nil))
    }

    @Test func backoffDoublesWithEqualJitterUpToAMinuteInTheFirstHour() {
        #expect(RetryPolicy.delay(setbacks: 1, stalled: 0, retryAfter: nil, random: 0) == 0.5)
        #expect(RetryPolicy.delay(setbacks: 1, stalled: 0, retryAfter: nil, random: 1) == 1)
        #expect(RetryPolicy.delay(setbacks: 3, stalled: 10, retryAfter: nil, random: 0) == 2)
        #expect(RetryPolicy.delay(setbacks: 3, stalled: 10, retryAfter: nil, random: 1) == 4)
        #expect(RetryPolicy.delay(setbacks: 30, stalled: 3599, retryAfter: nil, random: 1) == 60)
        #expect(RetryPolicy.delay(setbacks: 30, stalled: 3599, retryAfter: nil, random: 0) == 30)
    }

    @Test func afterAnHourWithoutProgressAttemptsComeAtMostTenMinutesApart() {
        #expect(RetryPolicy.delay(setbacks: 30, stalled: 3600, retryAfter: nil, random: 1) == 600)
        #expect(RetryPolicy.delay(setbacks: 30, stalled: 86_400, retryAfter: nil, random: 0) == 300)
        // The doubling goes on from where it was: 2^8 = 256 s is below the later cap.
        #expect(RetryPolicy.delay(setbacks: 9, stalled: 7200, retryAfter: nil, random: 1) == 256)
    }

    @Test func retryAfterWinsButIsBounded() {
        #expect(RetryPolicy.delay(setbacks: 4, stalled: 0, retryAfter: 2, random: 1) == 2)
        #expect(RetryPolicy.delay(setbacks: 1, stalled: 0, retryAfter: 86_400, random: 0) == 3600)
        #expect(RetryPolicy.delay(setbacks: 1, stalled: 0, retryAfter: -5, random: 0) == 0)
    }

    @Test func withoutRetriesATaskGivesUpOnlyAfterItsTimeWithoutProgress() {
        let connect = FailureCode.connect
        // A thousand attempts in, but progress an hour ago: go on.
        let early = Self.budget(used: 1000, giveUpAfter: 7 * 86400, stalled: 3600, setbacks: 1000)
        #expect(RetryPolicy.decide(connect, budget: early, retryAfter: nil, now: Self.start, random: 1) == .retry(after: 600))
        // Seven days without progress: fail, saying why.
        let late = Self.budget(giveUpAfter: 7 * 86400, stalled: 7 * 86400)
        guard case .giveUp(let why?) = RetryPolicy.decide(connect, budget: late, retryAfter: nil, now: Self.start) else {
            Issue.record("expected to give up")
            return
        }
        #expect(why.contains("no progress") && why.contains("--give-up-after"))
    }

    @Test func theLastAttemptComesWhenTheTimeIsUpNotAfter() {
        let budget = Self.budget(giveUpAfter: 100, stalled: 90, setbacks: 10)
        #expect(RetryPolicy.decide(.connect, budget: budget, retryAfter: nil, now: Self.start, random: 1) == .retry(after: 10))
    }

    @Test func withRetriesTheCountDecidesAndTimeDoesNot() {
        let spent = Self.budget(retries: 2, used: 2)
        #expect(RetryPolicy.decide(.connect, budget: spent, retryAfter: nil, now: Self.start) == .giveUp(why: "after 2 of 2 attempts"))
        let left = Self.budget(retries: 3, used: 2, giveUpAfter: 10, stalled: 1e6, setbacks: 2)
        #expect(RetryPolicy.decide(.connect, budget: left, retryAfter: nil, now: Self.start, random: 0) == .retry(after: 1))
    }
}
