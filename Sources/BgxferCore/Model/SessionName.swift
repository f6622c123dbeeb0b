/// `--session NAME`: it names lock files and, later, systemd units, so it is kept to letters,
/// digits, `.`, `_` and `-`.
public enum SessionName {
    public static let `default` = "default"

    public static func validate(_ text: String) throws -> String {
        guard !text.isEmpty, text.count <= 64, !text.hasPrefix("."), !text.hasPrefix("-"),
            text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
        else {
            throw BgxferError.usage(
                "invalid session name '\(text.escapedForMessage)': use up to 64 letters, digits, '.', '_' or '-'")
        }
        return text
    }
}
