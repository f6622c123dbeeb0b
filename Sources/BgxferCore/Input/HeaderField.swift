import Foundation

/// `-H 'Name: value'`.
public enum HeaderField {
    /// Returns the line as curl should send it: `Name: value`. `Name:` alone (curl's way of
    /// removing a header curl would add) is kept.
    public static func parse(_ text: String) throws -> String {
        // Scalars, not Characters: "\r\n" is a single Character that equals neither.
        if text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            throw BgxferError.usage("malformed header '\(text.escapedForMessage)': it must not contain CR, LF or NUL")
        }
        guard let colon = text.firstIndex(of: ":") else {
            throw BgxferError.usage("malformed header '\(text)': expected 'Name: value'")
        }
        let name = text[..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenCharacter) else {
            throw BgxferError.usage("malformed header '\(text)': '\(name)' is not a valid header name")
        }
        let value = text[text.index(after: colon)...].drop(while: { $0 == " " || $0 == "\t" })
        return value.isEmpty ? "\(name):" : "\(name): \(value)"
    }

    /// RFC 9110 §5.6.2 `tchar`.
    private static func isTokenCharacter(_ character: Character) -> Bool {
        guard character.isASCII, let ascii = character.asciiValue, ascii > 32, ascii < 127 else { return false }
        return character.isLetter || character.isNumber || "!#$%&'*+-.^_`|~".contains(character)
    }
}

extension String {
    /// Control characters shown as escapes, so a message stays on one line.
    public var escapedForMessage: String {
        unicodeScalars.map { scalar in
            switch scalar {
            case "\r": "\\r"
            case "\n": "\\n"
            case "\t": "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f: "\\x" + String(scalar.value, radix: 16)
            default: String(scalar)
            }
        }.joined()
    }
}
