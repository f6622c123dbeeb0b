/// A download's `--limit-rate`, kept by bgxfer: a token bucket that the write callback asks
/// before it takes a chunk. libcurl's own limit (CURLOPT_MAX_RECV_SPEED_LARGE) runs ahead of
/// the rate in Debian 12's curl 7.88 (curl issue 10173): 100 MiB at `2M` took 37.7 s, not 50.
///
/// The bucket starts empty and fills at the rate, up to `capacity` (a quarter of a second's
/// worth, so a transfer that was slowed by the network does not make up for it in a burst); each
/// chunk taken empties it, into debt if need be. While in debt the transfer waits (curl is told
/// to pause). So by `time` after the start it has received at most `rate × time + one chunk`,
/// and over any later stretch at most `rate × time + capacity + one chunk`.
struct RateLimiter: Equatable {
    let bytesPerSecond: Double
    let capacity: Double
    private var tokens: Double
    private var last: Double

    init(bytesPerSecond: Int64, now: Double) {
        self.bytesPerSecond = Double(bytesPerSecond)
        capacity = Double(bytesPerSecond) / 4
        tokens = 0
        last = now
    }

    /// Seconds to wait before taking more; 0 when a chunk may be taken now.
    mutating func delay(at now: Double) -> Double {
        refill(at: now)
        // Less than a byte of debt is rounding: waiting for it could take less than the clock
        // can tell apart.
        return tokens > -1 ? 0 : -tokens / bytesPerSecond
    }

    /// A chunk of `bytes` was taken.
    mutating func take(_ bytes: Int, at now: Double) {
        refill(at: now)
        tokens -= Double(bytes)
    }

    private mutating func refill(at now: Double) {
        guard now > last else { return }
        tokens = min(capacity, tokens + (now - last) * bytesPerSecond)
        last = now
    }
}
