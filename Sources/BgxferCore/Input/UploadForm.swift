import Foundation

extension FormPart {
    /// `NAME=VALUE`, or `NAME=@FILE[;type=TYPE][;filename=NAME]`. A file is inspected (it must
    /// be a readable regular file) and its identity recorded; relative paths are taken from
    /// `directory`.
    public static func parse(_ text: String, in directory: String) throws -> FormPart {
        guard let equals = text.firstIndex(of: "=") else {
            throw BgxferError.usage("malformed form part '\(text.escapedForMessage)': expected NAME=VALUE or NAME=@FILE")
        }
        let name = String(text[..<equals])
        let rest = String(text[text.index(after: equals)...])
        guard !name.isEmpty, !name.unicodeScalars.contains(where: { $0 == "\"" || $0.properties.generalCategory == .control }) else {
            throw BgxferError.usage(
                "malformed form part '\(text.escapedForMessage)': the name must be non-empty, without quotes or control characters")
        }
        guard rest.hasPrefix("@") else { return FormPart(name: name, value: rest) }

        var pieces = rest.dropFirst().split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        var parameters: [String: String] = [:]
        // Trailing `;type=…` / `;filename=…`; any other `;` belongs to the path.
        while pieces.count > 1, let last = pieces.last, let key = ["type", "filename"].first(where: { last.hasPrefix($0 + "=") }) {
            parameters[key] = String(last.dropFirst(key.count + 1))
            pieces.removeLast()
        }
        let given = pieces.joined(separator: ";")
        guard !given.isEmpty else {
            throw BgxferError.usage("malformed form part '\(text.escapedForMessage)': no file after '@'")
        }
        let path = Destination.absolute(given, in: directory)
        let filename = parameters["filename"] ?? (path as NSString).lastPathComponent
        if let bad = [filename, parameters["type"] ?? ""].first(where: { value in
            value.unicodeScalars.contains { $0 == "\"" || $0.properties.generalCategory == .control }
        }) {
            throw BgxferError.usage("malformed form part '\(text.escapedForMessage)': '\(bad.escapedForMessage)' has quotes or control characters")
        }
        return FormPart(
            name: name, file: try UploadSource.inspect(path), filename: filename,
            contentType: parameters["type"] ?? MediaType.guess(for: filename))
    }

}

extension UploadProtocol {
    public static func parse(_ text: String) throws -> UploadProtocol {
        guard let value = UploadProtocol(rawValue: text.lowercased()) else {
            throw BgxferError.usage("unknown upload protocol '\(text.escapedForMessage)': use plain, tus or rufh")
        }
        return value
    }

}

/// A file part's content type from its name's extension, as curl guesses it; otherwise
/// `application/octet-stream`.
enum MediaType {
    static func guess(for filename: String) -> String {
        let types = [
            "gif": "image/gif", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "svg": "image/svg+xml",
            "txt": "text/plain", "htm": "text/html", "html": "text/html", "pdf": "application/pdf",
            "xml": "application/xml", "json": "application/json", "zip": "application/zip",
            "gz": "application/gzip", "tar": "application/x-tar", "mp4": "video/mp4", "iso": "application/x-iso9660-image",
        ]
        return types[(filename as NSString).pathExtension.lowercased()] ?? "application/octet-stream"
    }
}

/// Which combinations of an upload's options make sense; each refusal is one line saying why.
public enum UploadRules {
    /// `method`: `-X` as given (nil: not given). Returns the method to store.
    public static func check(url: String, form: Bool, protocol kind: UploadProtocol, method: String?) throws -> String {
        let isFTP = url.lowercased().hasPrefix("ftp")
        if form && isFTP {
            throw BgxferError.usage("--form sends multipart/form-data over HTTP: it needs an http or https URL")
        }
        if kind.isResumable {
            if isFTP {
                throw BgxferError.usage("--protocol \(kind.rawValue) is an HTTP protocol: it needs an http or https URL (FTP uploads resume on their own)")
            }
            if form {
                throw BgxferError.usage("--protocol \(kind.rawValue) uploads one file: --form works only with --protocol plain")
            }
        }
        let validated = try method.map(UploadMethod.validate) ?? "POST"
        if kind == .tus && method != nil && validated != "POST" {
            throw BgxferError.usage("tus chooses its own requests (POST, HEAD, PATCH): leave out -X")
        }
        return validated
    }
}
