import Foundation

/// Sizes, rates and durations as people type them (README, "Reference"), bounded so that no
/// later arithmetic on them can overflow: durations at most 100 years, sizes at most 1024T.
public enum Quantity {
    /// 100 years of 365.25 days.
    public static let longestDuration: Double = 100 * 365.25 * 86400
    /// 1024T (2^50 bytes).
    public static let largestSize: Int64 = 1 << 50

    /// `500K`, `2M`, `1G`, `1.5M`, `4096`: binary units, as curl reads them (1M = 1048576).
    /// An optional trailing `B` or `/s` is allowed (`2MB`, `2M/s`).
    public static func bytes(_ text: String, what: String = "rate") throws -> Int64 {
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        if body.lowercased().hasSuffix("/s") { body = body.dropLast(2) }
        if body.count > 1, body.last == "B" || body.last == "b", body.dropLast().last?.isLetter == true {
            body = body.dropLast()
        }
        var multiplier: Double = 1
        if let last = body.last, last.isLetter {
            switch last.lowercased() {
            case "k": multiplier = 0x1p10
            case "m": multiplier = 0x1p20
            case "g": multiplier = 0x1p30
            case "t": multiplier = 0x1p40
            default: throw malformed(text, what: what, expected: "a number with an optional K, M, G or T")
            }
            body = body.dropLast()
        }
        guard let number = decimal(body), number > 0 else {
            throw malformed(text, what: what, expected: "a positive number with an optional K, M, G or T, e.g. 500K")
        }
        let value = (number * multiplier).rounded()
        guard value >= 1 else { throw malformed(text, what: what, expected: "at least 1 byte") }
        guard value <= Double(largestSize) else {
            throw BgxferError.usage("\(what) '\(text.escapedForMessage)' is too large: at most 1024T")
        }
        return Int64(value)
    }

    /// `90s`, `15m`, `2h`, `1d`, or plain seconds (`30`, `2.5`).
    public static func seconds(_ text: String, what: String = "duration") throws -> Double {
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        var multiplier: Double = 1
        if let last = body.last, last.isLetter {
            switch last {
            case "s": multiplier = 1
            case "m": multiplier = 60
            case "h": multiplier = 3600
            case "d": multiplier = 86400
            default: throw malformed(text, what: what, expected: "a number followed by s, m, h or d, e.g. 90s")
            }
            body = body.dropLast()
        }
        guard let number = decimal(body), number > 0 else {
            throw malformed(text, what: what, expected: "a positive number followed by s, m, h or d, e.g. 90s")
        }
        guard number * multiplier <= longestDuration else {
            throw BgxferError.usage("\(what) '\(text.escapedForMessage)' is too long: at most 36525d (100 years)")
        }
        return number * multiplier
    }

    /// Digits with at most one decimal point; nothing else (no signs, exponents or spaces).
    private static func decimal(_ text: Substring) -> Double? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            text.filter({ $0 == "." }).count <= 1, text != "."
        else { return nil }
        return Double(text)
    }

    private static func malformed(_ text: String, what: String, expected: String) -> BgxferError {
        .usage("malformed \(what) '\(text.escapedForMessage)': expected \(expected)")
    }
}
