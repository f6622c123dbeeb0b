import Foundation

/// `-H 'Name: value'`.
public enum HeaderField {
    /// Returns the line as curl should send it: `Name: value`. `Name:` alone (curl's way of
    /// removing a header curl would add) is kept.
    /// A refusal names the header by its name (or first word) only: its value may be a secret.
    public static func parse(_ text: String) throws -> String {
        // Scalars, not Characters: "\r\n" is a single Character that equals neither.
        if text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            throw BgxferError.usage("malformed header '\(shown(text))': it must not contain CR, LF or NUL")
        }
        guard let colon = text.firstIndex(of: ":") else {
            throw BgxferError.usage("malformed header '\(shown(text))': expected 'Name: value'")
        }
        let name = text[..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenCharacter) else {
            throw BgxferError.usage("malformed header '\(shown(text))': it does not start with a valid header name")
        }
        let value = text[text.index(after: colon)...].drop(while: { $0 == " " || $0 == "\t" })
        return value.isEmpty ? "\(name):" : "\(name): \(value)"
    }

    /// The header as a message may quote it: its name, or its first word, and `…` for the rest.
    static func shown(_ text: String) -> String {
        let end = text.firstIndex { $0 == ":" || $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" } ?? text.endIndex
        let head = String(text[..<end].prefix(64)).escapedForMessage
        return end == text.endIndex && head.count == text.count ? head : head + (text[end...].hasPrefix(":") ? ": …" : " …")
    }

    /// RFC 9110 §5.6.2 `tchar`.
    private static func isTokenCharacter(_ character: Character) -> Bool {
        guard character.isASCII, let ascii = character.asciiValue, ascii > 32, ascii < 127 else { return false }
        return character.isLetter || character.isNumber || "!#$%&'*+-.^_`|~".contains(character)
    }
}

extension String {
    /// Control characters shown as escapes, so a message stays on one line and text from a
    /// server cannot move the cursor, recolour or retitle the terminal (ESC, CSI sequences):
    /// C0 controls, DEL and the C1 controls U+0080–U+009F.
    public var escapedForMessage: String {
        guard unicodeScalars.contains(where: \.isControl) else { return self }
        return unicodeScalars.map { scalar in
            switch scalar {
            case "\r": "\\r"
            case "\n": "\\n"
            case "\t": "\\t"
            case _ where scalar.isControl: "\\x" + String(scalar.value, radix: 16)
            default: String(scalar)
            }
        }.joined()
    }
}

extension Unicode.Scalar {
    fileprivate var isControl: Bool { value < 0x20 || (0x7f...0x9f).contains(value) }
}
