import Foundation

/// Numbers for people: sizes in binary units, rates, durations.
public enum Format {
    /// `0 B`, `512 B`, `1.5 KiB`, `700.0 MiB`, `1.00 GiB`.
    public static func bytes(_ value: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024 && unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        if unit == 0 { return "\(value) B" }
        return String(format: amount < 10 ? "%.2f %@" : "%.1f %@", amount, units[unit])
    }

    public static func rate(_ bytesPerSecond: Double?) -> String {
        guard let bytesPerSecond, bytesPerSecond.isFinite, bytesPerSecond >= 0 else { return "-" }
        return bytes(Int64(Int(saturating: bytesPerSecond))) + "/s"
    }

    /// `0:07`, `12:34`, `1:02:03`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let total = Int(saturating: min(seconds, 1e12).rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0
            ? String(format: "%d:%02d:%02d", hours, minutes, secs) : String(format: "%d:%02d", minutes, secs)
    }

    /// A span as durations are typed (`90s`, `15m`, `7d`), with at most two units: `45s`,
    /// `4m 30s`, `1h 5m`, `7d`, `2d 3h`. Rounded up to the second.
    public static func span(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "forever" }
        let total = Int(saturating: max(0, min(seconds, 1e12)).rounded(.up))
        let units: [(Int, String)] = [(86400, "d"), (3600, "h"), (60, "m"), (1, "s")]
        guard let first = units.firstIndex(where: { total >= $0.0 }) else { return "0s" }
        let (size, name) = units[first]
        var text = "\(total / size)\(name)"
        if first + 1 < units.count {
            let (smaller, smallerName) = units[first + 1]
            let rest = total % size / smaller
            if rest > 0 { text += " \(rest)\(smallerName)" }
        }
        return text
    }

    public static func percent(_ fraction: Double?) -> String {
        guard let fraction else { return "-" }
        return String(format: "%.0f%%", (fraction * 100).rounded(.down))
    }
}
