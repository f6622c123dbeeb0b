import Foundation

/// RFC 3339 times in UTC, as every output prints them: `2026-11-24T15:33:00Z`, or with
/// milliseconds, `2026-11-24T15:33:00.125Z`.
///
/// Written on libc's `gmtime_r`/`timegm` rather than `Date.ISO8601FormatStyle`: building that
/// style asks for the current time zone's calendar, which in swift-corelibs-foundation loads ICU
/// and its data (5 MiB of the worker's resident memory, for a log line's time).
public enum Timestamp {
    /// `separator` and `zone` give the forms other programs want of the same time: systemd's
    /// calendar (`2026-11-24 15:33:00.125 UTC`), the store's (`2026-11-24 15:33:00.125`).
    /// Times before year 1 or after 9999 (never parsed, but a store may hold anything) print
    /// as those bounds.
    public static func string(_ date: Date, fractional: Bool = false, separator: String = "T", zone: String = "Z") -> String {
        let milliseconds = (min(max(date.timeIntervalSince1970, earliest), latest) * 1000).rounded(.down)
        var seconds = time_t((milliseconds / 1000).rounded(.down))
        let millis = Int(milliseconds - Double(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let text = "\(digits(Int(parts.tm_year) + 1900, 4))-\(digits(Int(parts.tm_mon) + 1, 2))-\(digits(Int(parts.tm_mday), 2))"
            + "\(separator)\(digits(Int(parts.tm_hour), 2)):\(digits(Int(parts.tm_min), 2)):\(digits(Int(parts.tm_sec), 2))"
        return fractional ? "\(text).\(digits(millis, 3))\(zone)" : "\(text)\(zone)"
    }

    /// `YYYY-MM-DDTHH:MM:SS`, optional fraction, then `Z` or `±HH:MM` (`t`, `z` and a space for
    /// the `T` are accepted too, as RFC 3339 allows). `zoneless` reads a time without a zone as UTC.
    public static func parse(_ text: String, zoneless: Bool = false) -> Date? {
        var scanner = Scanner(Array(text.utf8))
        guard let year = scanner.number(4), scanner.take("-"), let month = scanner.number(2), scanner.take("-"),
              let day = scanner.number(2), scanner.take("T") || scanner.take("t") || scanner.take(" "),
              let hour = scanner.number(2), scanner.take(":"), let minute = scanner.number(2), scanner.take(":"),
              let second = scanner.number(2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var fraction = 0.0
        if scanner.take(".") {
            var scale = 0.1
            var any = false
            while let digit = scanner.digit() { fraction += Double(digit) * scale; scale /= 10; any = true }
            guard any else { return nil }
        }
        var offset = 0
        if scanner.take("Z") || scanner.take("z") || (zoneless && scanner.atEnd) {
        } else if let sign = scanner.sign(), let hours = scanner.number(2), scanner.take(":"), let minutes = scanner.number(2),
                  hours < 24, minutes < 60 {
            offset = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard scanner.atEnd else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        // timegm normalises out-of-range fields (February 30th becomes March 2nd): refuse those.
        guard parts.tm_mday == Int32(day), parts.tm_mon == Int32(month - 1) else { return nil }
        return Date(timeIntervalSince1970: Double(seconds - offset) + fraction)
    }

    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z.
    static let earliest: Double = -62_135_596_800
    static let latest: Double = 253_402_300_799.999

    private static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func take(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
            index += 1
            return true
        }

        mutating func digit() -> Int? {
            guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
            defer { index += 1 }
            return Int(bytes[index] - UInt8(ascii: "0"))
        }

        mutating func number(_ width: Int) -> Int? {
            var value = 0
            for _ in 0..<width {
                guard let digit = digit() else { return nil }
                value = value * 10 + digit
            }
            return value
        }

        mutating func sign() -> Int? {
            if take("+") { return 1 }
            if take("-") { return -1 }
            return nil
        }
    }
}
