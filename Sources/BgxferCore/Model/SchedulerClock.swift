import Foundation

/// The clock every scheduling decision reads (README, "Refresh tasks and scheduled starts"): refresh due times, `--begin-at` and
/// `--begin-after`, `wake`. `BGXFER_NOW` (an RFC 3339 time) replaces the real time, for tests
/// and dry runs; it changes nothing else.
public struct SchedulerClock: Sendable {
    public static let variable = "BGXFER_NOW"
    private let fixed: Date?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let text = environment[Self.variable], !text.isEmpty else {
            fixed = nil
            return
        }
        guard let date = Self.parse(text) else {
            throw BgxferError.usage("invalid \(Self.variable) '\(text.escapedForMessage)': expected an RFC 3339 time, e.g. 2026-11-24T10:00:00Z")
        }
        fixed = date
    }

    /// `fixed`: the time it always says (nil: the real time).
    public init(fixed: Date?) { self.fixed = fixed }

    public var now: Date { fixed ?? Date() }

    /// RFC 3339, with or without fractional seconds.
    public static func parse(_ text: String) -> Date? { Timestamp.parse(text) }

    /// `--begin-at`: an RFC 3339 time, or a local `HH:MM`, the next such moment after `now`.
    public func beginning(at text: String, timeZone: TimeZone = .current) throws -> Date {
        if let date = Self.parse(text) { return date }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let hour = Int(parts[0]), let minute = Int(parts[1]), hour < 24, minute < 60
        else {
            throw BgxferError.usage(
                "malformed time '\(text.escapedForMessage)': expected an RFC 3339 time (2026-11-24T18:30:00Z) or HH:MM")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard
            let next = calendar.nextDate(
                after: now, matching: DateComponents(hour: hour, minute: minute, second: 0), matchingPolicy: .nextTime)
        else { throw BgxferError.usage("no next \(text) after now") }
        return next
    }
}
