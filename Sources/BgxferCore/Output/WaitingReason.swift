import Foundation

/// What a waiting task waits for, in a few words (README, "Network, cost and power"):
/// `no network`, `metered`, `on battery`, `retry in 4m: connect: Connection refused`.
public enum WaitingReason {
    public static func describe(_ task: TransferTask, now: Date = Date()) -> String? {
        guard task.state == .waiting, let error = task.error else { return nil }
        switch error.code {
        case .noNetwork: return "no network"
        case .metered: return "metered"
        case .onBattery: return "on battery"
        default: break
        }
        let when = task.nextAttemptAt.map { $0 > now ? "retry in \(Format.span($0.timeIntervalSince(now)))" : "retrying" } ?? "retrying"
        return "\(when): \(error.code): \(short(error.message))"
    }

    /// A long message's last clause (curl's `Failed to connect to h port 80 after 0 ms:
    /// Connection refused` → `Connection refused`), so that a table stays readable.
    static func short(_ message: String, limit: Int = 40) -> String {
        guard message.count > limit else { return message }
        if let colon = message.range(of: ": ", options: .backwards) {
            let tail = message[colon.upperBound...]
            if !tail.isEmpty && tail.count <= limit { return String(tail) }
        }
        return String(message.prefix(limit - 1)) + "…"
    }
}
