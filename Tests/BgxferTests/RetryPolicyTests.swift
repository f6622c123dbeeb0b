import Testing

@testable import BgxferCore

@Suite struct RetryPolicyTests {
    @Test(arguments: ["connection-dropped", "timeout", "connect", "dns", "http-500", "http-502", "http-503", "http-408", "http-429"])
    func transientFailuresAreRetried(code: String) {
        #expect(RetryPolicy.isRetryable(TaskError(code: code, message: "")))
    }

    @Test(arguments: ["http-404", "http-403", "http-400", "http-501", "checksum-mismatch", "write-error", "tls", "http-5"])
    func permanentFailuresAreNot(code: String) {
        #expect(!RetryPolicy.isRetryable(TaskError(code: code, message: "")))
    }

    @Test func backoffDoublesWithEqualJitterUpToACap() {
        #expect(RetryPolicy.delay(afterAttempt: 1, retryAfter: nil, random: 0) == 0.5)
        #expect(RetryPolicy.delay(afterAttempt: 1, retryAfter: nil, random: 1) == 1)
        #expect(RetryPolicy.delay(afterAttempt: 3, retryAfter: nil, random: 0) == 2)
        #expect(RetryPolicy.delay(afterAttempt: 3, retryAfter: nil, random: 1) == 4)
        #expect(RetryPolicy.delay(afterAttempt: 30, retryAfter: nil, random: 1) == 60)
    }

    @Test func retryAfterWinsButIsBounded() {
        #expect(RetryPolicy.delay(afterAttempt: 4, retryAfter: 2, random: 1) == 2)
        #expect(RetryPolicy.delay(afterAttempt: 1, retryAfter: 86_400, random: 0) == 3600)
        #expect(RetryPolicy.delay(afterAttempt: 1, retryAfter: -5, random: 0) == 0)
    }
}
