import Foundation

/// Bytes per second over the last few seconds, from samples taken as progress is saved.
final class SpeedMeter {
    private var samples: [(time: Double, bytes: Int64)] = []
    private let window: Double

    init(window: Double = 3) { self.window = window }

    func record(bytes: Int64, at time: Double = Monotonic.seconds()) {
        samples.append((time, bytes))
        while let first = samples.first, time - first.time > window, samples.count > 2 {
            samples.removeFirst()
        }
    }

    /// nil until two samples exist.
    var bytesPerSecond: Double? {
        guard let first = samples.first, let last = samples.last, last.time > first.time else { return nil }
        return Double(last.bytes - first.bytes) / (last.time - first.time)
    }
}

