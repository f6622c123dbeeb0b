/// SPEC §5 retries: which failures are worth another attempt, and how long to wait first.
enum RetryPolicy {
    /// Dropped connections, timeouts, connection and name-resolution failures, 5xx, 408 and 429
    /// may go away by themselves; other 4xx, checksum mismatches and write errors will not.
    static func isRetryable(_ error: TaskError) -> Bool {
        switch error.code {
        case "connection-dropped", "timeout", "connect", "dns", "http-408", "http-429": return true
        // A resumable upload that met too many conflicts, damaged chunks or forgotten resources
        // in a row: the next attempt asks the server afresh.
        case "upload-conflict", "upload-damaged", "upload-restart": return true
        default:
            guard error.code.hasPrefix("http-5"), error.code.count == "http-5xx".count else { return false }
            return error.code != "http-501" && error.code != "http-505"
        }
    }

    /// The longest wait between attempts, with or without the server's `Retry-After`.
    static let maximumDelay = 3600.0
    static let baseDelay = 1.0
    static let backoffCap = 60.0

    /// Seconds before attempt `attempt + 1`: the server's `Retry-After` when it gave one,
    /// else exponential backoff (1, 2, 4 … up to 60 s) with equal jitter, so that many tasks
    /// failing together do not retry together.
    static func delay(afterAttempt attempt: Int, retryAfter: Double?, random: Double = Double.random(in: 0...1))
        -> Double
    {
        if let retryAfter { return min(max(0, retryAfter), maximumDelay) }
        let exponent = Double(max(0, min(attempt - 1, 16)))
        let backoff = min(backoffCap, baseDelay * pow2(exponent))
        return backoff / 2 + backoff / 2 * random
    }

    private static func pow2(_ exponent: Double) -> Double {
        var value = 1.0
        for _ in 0..<Int(exponent) { value *= 2 }
        return value
    }
}
