import Testing

@testable import BgxferCore

@Suite struct RateLimiterTests {
    /// A network that delivers a chunk whenever the limiter lets it, as loopback does: the
    /// limiter alone decides the pace. Returns the bytes taken by each time in `checkpoints`.
    static func simulate(
        rate: Int64, chunk: Int, until end: Double, idle: Range<Double>? = nil, checkpoints: [Double]
    ) -> [Double: Int64] {
        var limiter = RateLimiter(bytesPerSecond: rate, now: 0)
        var now = 0.0, taken: Int64 = 0
        var seen: [Double: Int64] = [:]
        var pending = checkpoints.sorted()
        while now < end {
            while let next = pending.first, next <= now { seen[next] = taken; pending.removeFirst() }
            if let idle, idle.contains(now) {
                now = idle.upperBound  // the server sent nothing
                continue
            }
            let wait = limiter.delay(at: now)
            if wait > 0 {
                now += wait
            } else {
                limiter.take(chunk, at: now)
                taken += Int64(chunk)
                now += 0.0001  // a chunk takes a little time to arrive
            }
        }
        for next in pending { seen[next] = taken }
        return seen
    }

    @Test(arguments: [(Int64(2 << 20), 512 * 1024), (Int64(100 << 20), 512 * 1024), (Int64(1024), 1024)])
    func neverAheadOfTheRateByMoreThanAChunk(rate: Int64, chunk: Int) {
        let times = stride(from: 0.5, through: 30, by: 0.5).map { $0 }
        let seen = Self.simulate(rate: rate, chunk: chunk, until: 30, checkpoints: times)
        for time in times {
            let allowed = Double(rate) * time + Double(chunk)
            #expect(Double(seen[time] ?? 0) <= allowed, "at \(time) s")
        }
        // And it does not hold back either: over 30 s, within a chunk of the rate.
        #expect(Double(seen[30] ?? 0) >= Double(rate) * 30 - Double(chunk))
    }

    @Test func aSlowStretchIsNotMadeUpForInABurst() {
        let rate: Int64 = 4 << 20, chunk = 256 * 1024
        // Nothing arrives from 2 s to 12 s; then the limit holds again within a quarter second.
        let seen = Self.simulate(rate: rate, chunk: chunk, until: 20, idle: 2..<12, checkpoints: [12, 13, 16])
        let before = Double(seen[12] ?? 0)
        let capacity = Double(rate) / 4
        #expect(Double(seen[13] ?? 0) - before <= Double(rate) * 1 + capacity + Double(chunk))
        #expect(Double(seen[16] ?? 0) - before <= Double(rate) * 4 + capacity + Double(chunk))
    }

    @Test func theFirstChunkIsTakenAtOnceAndTheNextWaitsForIt() {
        var limiter = RateLimiter(bytesPerSecond: 1000, now: 100)
        #expect(limiter.delay(at: 100) == 0)
        limiter.take(500, at: 100)
        #expect(abs(limiter.delay(at: 100) - 0.5) < 1e-9)
        #expect(abs(limiter.delay(at: 100.25) - 0.25) < 1e-9)
        #expect(limiter.delay(at: 100.5) == 0)
        // A clock that seems to go back changes nothing.
        #expect(limiter.delay(at: 99) == 0)
    }
}
