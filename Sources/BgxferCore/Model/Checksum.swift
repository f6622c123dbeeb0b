/// `--checksum sha256:HEX`.
public enum Checksum {
    static let sha256Prefix = "sha256:"

    /// Returns the normalised form (`sha256:` and 64 lowercase hex digits).
    public static func parse(_ text: String) throws -> String {
        let lowered = text.lowercased()
        guard lowered.hasPrefix(sha256Prefix) else {
            throw BgxferError.usage("malformed checksum '\(text)': expected sha256:<64 hex digits>")
        }
        let digits = lowered.dropFirst(sha256Prefix.count)
        guard digits.count == 64, digits.allSatisfy(\.isHexDigit) else {
            throw BgxferError.usage(
                "malformed checksum '\(text)': a sha256 is 64 hex digits, this has \(digits.count) characters")
        }
        return lowered
    }
}
