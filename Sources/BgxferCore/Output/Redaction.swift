import Foundation

/// Keeps secrets out of every output and log (README, "JSON"): header values of `Authorization`,
/// `Cookie`, `Proxy-Authorization` (and `Set-Cookie` in responses) print as `***`, and a URL's
/// password as `user:***@host`.
public enum Redaction {
    static let secretHeaders: Set<String> = ["authorization", "cookie", "proxy-authorization", "set-cookie"]
    public static let mask = "***"

    public static func header(_ line: String) -> String {
        guard let colon = line.firstIndex(of: ":") else { return line }
        let name = line[..<colon]
        guard secretHeaders.contains(name.trimmingCharacters(in: .whitespaces).lowercased()) else { return line }
        return "\(name): \(mask)"
    }

    public static func headers(_ lines: [String]) -> [String] { lines.map(header) }

    /// Without `://` (a URL typed wrong), whatever stands as `user:password@` before the first
    /// `@` is masked all the same.
    public static func url(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else {
            guard let at = text.firstIndex(of: "@") else { return text }
            let start = text[..<at].lastIndex(of: "/").map { text.index(after: $0) } ?? text.startIndex
            guard let colon = text[start..<at].firstIndex(of: ":") else { return text }
            return String(text[...colon]) + mask + String(text[at...])
        }
        let authorityStart = schemeEnd.upperBound
        let authorityEnd = text[authorityStart...].firstIndex(where: { "/?#".contains($0) }) ?? text.endIndex
        let authority = text[authorityStart..<authorityEnd]
        guard let at = authority.lastIndex(of: "@"),
            let colon = authority[..<at].firstIndex(of: ":")
        else { return text }
        return String(text[..<authority.index(after: colon)]) + mask + String(text[at...])
    }

    /// For free text that may quote a URL (curl's error messages): masks the given URL's
    /// password wherever it appears.
    static func text(_ message: String, url: String) -> String {
        let redacted = Redaction.url(url)
        return redacted == url ? message : message.replacingOccurrences(of: url, with: redacted)
    }
}
