import Foundation

/// The file name a `Content-Disposition` response header suggests (`--content-disposition`,
/// README, "Transfers"; RFC 6266): `filename*` (RFC 8187, `UTF-8''na%C3%AFve.txt` or ISO-8859-1) wins over
/// `filename`; the name is reduced to its base name (whatever precedes the last `/` or `\` is
/// dropped, as browsers do) and then held to `FileName`'s rules.
public enum ContentDisposition {
    public enum Suggestion: Equatable, Sendable {
        case name(String)
        /// The header names a file, but not one that may be saved: why.
        case refused(String)
        /// The header names no file.
        case none
    }

    public static func fileName(_ header: String) -> Suggestion {
        let parameters = Self.parameters(header)
        var candidate: String?
        if let extended = parameters["filename*"] {
            guard let decoded = decodeExtended(extended) else {
                return .refused("its filename* '\(extended.escapedForMessage)' is not valid RFC 8187 text")
            }
            candidate = decoded
        } else {
            candidate = parameters["filename"]
        }
        guard let candidate else { return .none }
        let base = String(candidate.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
            .split(separator: "\\", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        if let problem = FileName.problem(base) {
            return .refused("its file name '\(candidate.escapedForMessage)' is refused: \(problem)")
        }
        return .name(base)
    }

    /// The header's parameters by lowercased name: `type; name=token; name="quoted \"string\""`.
    static func parameters(_ header: String) -> [String: String] {
        var scalars = Substring(header).unicodeScalars[...]
        var result: [String: String] = [:]
        // Skip the disposition type.
        while let first = scalars.first, first != ";" { scalars.removeFirst() }
        while !scalars.isEmpty {
            scalars.removeFirst()  // the ';'
            let name = take(&scalars, until: ["=", ";"]).trimmingCharacters(in: .whitespaces).lowercased()
            guard scalars.first == "=" else { continue }
            scalars.removeFirst()
            while scalars.first == " " || scalars.first == "\t" { scalars.removeFirst() }
            var value = ""
            if scalars.first == "\"" {
                scalars.removeFirst()
                while let scalar = scalars.popFirst(), scalar != "\"" {
                    if scalar == "\\", let escaped = scalars.popFirst() {
                        value.unicodeScalars.append(escaped)
                    } else {
                        value.unicodeScalars.append(scalar)
                    }
                }
                _ = take(&scalars, until: [";"])
            } else {
                value = take(&scalars, until: [";"]).trimmingCharacters(in: .whitespaces)
            }
            if !name.isEmpty, result[name] == nil { result[name] = value }
        }
        return result
    }

    private static func take(_ scalars: inout Substring.UnicodeScalarView.SubSequence, until stops: Set<Unicode.Scalar>) -> String {
        var text = ""
        while let scalar = scalars.first, !stops.contains(scalar) {
            text.unicodeScalars.append(scalar)
            scalars.removeFirst()
        }
        return text
    }

    /// RFC 8187: `charset'language'percent-encoded`, UTF-8 or ISO-8859-1.
    static func decodeExtended(_ value: String) -> String? {
        let parts = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var bytes: [UInt8] = []
        var encoded = Array(parts[2].utf8)[...]
        while let byte = encoded.popFirst() {
            if byte == UInt8(ascii: "%") {
                guard encoded.count >= 2, let high = hex(encoded.removeFirst()), let low = hex(encoded.removeFirst()) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        switch parts[0].lowercased() {
        case "utf-8": return String(validating: bytes, as: UTF8.self)
        case "iso-8859-1": return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        default: return nil
        }
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
