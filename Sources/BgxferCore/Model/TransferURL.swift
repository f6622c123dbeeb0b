import Foundation

/// The URL of a transfer, checked before any task exists (README, "Transfers").
public enum TransferURL {
    public static let schemes = ["http", "https", "ftp", "ftps"]

    /// Returns the URL unchanged when it is one bgxfer can fetch; throws a one-line message
    /// naming the problem otherwise.
    public static func validate(_ text: String) throws -> String {
        if text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7f }) {
            throw BgxferError.usage("malformed URL '\(Redaction.url(text).escapedForMessage)': it contains spaces or control characters")
        }
        guard let schemeEnd = text.range(of: "://") else {
            throw BgxferError.usage(
                "malformed URL '\(Redaction.url(text))': expected scheme://host/path, e.g. https://example.com/file")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard schemes.contains(scheme) else {
            throw BgxferError.usage(
                "unsupported URL scheme '\(scheme)' in '\(Redaction.url(text))': bgxfer transfers http, https, ftp and ftps")
        }
        guard let components = URLComponents(string: text) else {
            throw BgxferError.usage("malformed URL '\(Redaction.url(text))'")
        }
        guard let host = components.host, !host.isEmpty else {
            throw BgxferError.usage("malformed URL '\(Redaction.url(text))': it has no host")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw BgxferError.usage("malformed URL '\(Redaction.url(text))': port \(port) is out of range")
        }
        return text
    }

    /// The URL's last path segment, percent-decoded: the default file name (README, "Transfers").
    public static func lastPathSegment(_ text: String) -> String? {
        guard let components = URLComponents(string: text) else { return nil }
        let path = components.percentEncodedPath
        guard let segment = path.split(separator: "/", omittingEmptySubsequences: false).last else { return nil }
        return String(segment).removingPercentEncoding
    }
}
