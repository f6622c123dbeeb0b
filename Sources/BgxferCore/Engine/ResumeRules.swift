import CCurl
import Foundation

/// The resume rules (README, "Interruptions") as pure functions: how an attempt starts, and what
/// to make of the response to a ranged request. Never splice two versions of a file: when in
/// doubt, restart from zero.
enum ResumeRules {
    /// How an attempt begins.
    enum Start: Equatable {
        /// From byte zero; `reason` says why bytes on disk were given up (nil: there were none).
        case fresh(reason: String?)
        /// From `offset`, asking the server for the rest only if `validator` still matches.
        case resume(offset: Int64, validator: String)
    }

    /// Decides where an attempt starts from what the store recorded (`durable` flushed bytes,
    /// the validator of the response they came from) and the partial file's length now.
    static func start(durable: Int64, validator: String?, partialLength: Int64?) -> Start {
        guard durable > 0 else { return .fresh(reason: nil) }
        guard let validator else {
            return .fresh(reason: "the server gave no strong validator (ETag or Last-Modified) for the bytes on disk")
        }
        guard let partialLength else { return .fresh(reason: "the partial file is gone") }
        guard partialLength >= durable else {
            return .fresh(reason: "the partial file is shorter (\(partialLength) bytes) than recorded (\(durable))")
        }
        return .resume(offset: durable, validator: validator)
    }

    /// What to do with the response to a request for the bytes from `offset` on.
    enum Verdict: Equatable {
        /// 206 from the right offset, of the same file: append.
        case append
        /// 200: the file changed or ranges are unsupported. The body is the whole file: cut the
        /// partial file to zero and write it from the start, in this same attempt.
        case truncateAndWrite(reason: String)
        /// The response cannot be used: drop it and start again from zero with a new request.
        case restart(reason: String)
        /// 416 and the bytes on disk are the whole file.
        case alreadyComplete
        /// An error status: the usual failure handling applies.
        case error
    }

    static func judge(offset: Int64, status: Int, contentRange: String?, expectedTotal: Int64?) -> Verdict {
        switch status {
        case 206:
            guard let range = contentRange.flatMap(ContentRange.init) else {
                return .restart(reason: "the server's 206 response had no usable Content-Range")
            }
            if range.start != offset {
                return .restart(reason: "the server sent bytes from \(range.start ?? -1), not from \(offset) as asked")
            }
            if let expectedTotal, let total = range.total, total != expectedTotal {
                return .restart(reason: "the file's size changed from \(expectedTotal) to \(total) bytes")
            }
            return .append
        case 200:
            return .truncateAndWrite(
                reason: "the server sent the whole file instead of the rest (it changed, or ranges are unsupported)")
        case 416:
            let total = contentRange.flatMap(ContentRange.init)?.total
            if let total, total == offset, expectedTotal == nil || expectedTotal == total { return .alreadyComplete }
            return .restart(reason: "the server refused the range (416): the file is no longer what is on disk")
        default:
            return .error
        }
    }

    /// The validator to resume with, from a response's headers (RFC 9110 §13.1.5: never a weak
    /// ETag; a Last-Modified date only when no ETag was sent and the date is strong, that is at
    /// least a second before the response's Date).
    static func validator(etag: String?, lastModified: String?, date: String?) -> String? {
        if let etag { return Validators.isStrong(etag) ? etag : nil }
        guard let lastModified, let modified = HTTPDate.parse(lastModified),
            let date = date.flatMap(HTTPDate.parse), date.timeIntervalSince(modified) >= 1
        else { return nil }
        return lastModified
    }

    /// An FTP file's validator: its size and modification time (SIZE and MDTM).
    static func ftpValidator(size: Int64?, modified: Int64?) -> String? {
        guard let size, size >= 0, let modified, modified > 0 else { return nil }
        return "ftp:\(size):\(modified)"
    }
}

/// `Content-Range: bytes 100-199/1000`, `bytes 100-199/*` or `bytes */1000`. A range that
/// ends at or past the total is invalid (RFC 9110 §14.4) and refused: appended, it would make
/// the file longer than the server says it is.
struct ContentRange: Equatable {
    var start: Int64?
    var end: Int64?
    var total: Int64?

    init(start: Int64?, end: Int64?, total: Int64?) {
        (self.start, self.end, self.total) = (start, end, total)
    }

    init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes ") else { return nil }
        let spec = trimmed.dropFirst("bytes ".count).trimmingCharacters(in: .whitespaces)
        let parts = spec.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        if parts[1] == "*" {
            total = nil
        } else {
            guard let value = Int64(parts[1]), value >= 0 else { return nil }
            total = value
        }
        if parts[0] == "*" {
            guard total != nil else { return nil }
            (start, end) = (nil, nil)
            return
        }
        let bounds = parts[0].split(separator: "-", maxSplits: 1)
        guard bounds.count == 2, let first = Int64(bounds[0]), let last = Int64(bounds[1]), first >= 0, last >= first,
            total.map({ last < $0 }) ?? true
        else { return nil }
        (start, end) = (first, last)
    }
}

/// HTTP dates (RFC 9110 §5.6.7): the IMF-fixdate form `Sun, 06 Nov 1994 08:49:37 GMT` and the
/// obsolete ones a recipient must still accept, parsed by libcurl's `curl_getdate` (what curl
/// itself uses for `-z` and cookies). Foundation's `DateFormatter` would load ICU into the worker.
enum HTTPDate {
    static func parse(_ text: String) -> Date? {
        let seconds = curl_getdate(text.trimmingCharacters(in: .whitespaces), nil)
        return seconds == -1 ? nil : Date(timeIntervalSince1970: Double(seconds))
    }
}
