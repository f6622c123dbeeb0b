import Foundation

/// `-H 'Name: value'`.
public enum HeaderField {
    /// Returns the line as curl should send it: `Name: value`. `Name:` alone (curl's way of
    /// removing a header curl would add) is kept.
    /// A refusal names the header by its name (or first word) only: its value may be a secret.
    /// Read as scalars, not Characters: a header is bytes on the wire, and Characters join what
    /// it does not ("\r\n" is one Character; so is a mark that prepends itself to a ':').
    public static func parse(_ text: String) throws -> String {
        let scalars = text.unicodeScalars
        if scalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            throw BgxferError.usage("malformed header '\(shown(text))': it must not contain CR, LF or NUL")
        }
        guard let colon = scalars.firstIndex(of: ":") else {
            throw BgxferError.usage("malformed header '\(shown(text))': expected 'Name: value'")
        }
        let name = scalars[..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenCharacter) else {
            throw BgxferError.usage("malformed header '\(shown(text))': it does not start with a valid header name")
        }
        let value = scalars[scalars.index(after: colon)...].drop(while: { $0 == " " || $0 == "\t" })
        return value.isEmpty ? "\(String(name)):" : "\(String(name)): \(String(value))"
    }

    /// The header as a message may quote it: its name, or its first word (at most 64
    /// characters), and `…` for the rest. Scalars, not Characters: "\r\n" is one Character.
    static func shown(_ text: String) -> String {
        let scalars = text.unicodeScalars
        let end = scalars.firstIndex { ":\t\r\n ".unicodeScalars.contains($0) } ?? scalars.endIndex
        let name = String(scalars[..<end])
        let head = String(name.prefix(64)).escapedForMessage
        if end == scalars.endIndex && name.count <= 64 { return head }
        return head + (scalars[end...].first == ":" ? ": …" : " …")
    }

    /// RFC 9110 §5.6.2 `tchar`.
    private static func isTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.isASCII, scalar.value > 32, scalar.value < 127 else { return false }
        return scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar)
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
