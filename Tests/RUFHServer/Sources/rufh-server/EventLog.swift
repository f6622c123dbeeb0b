import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One event of the `--log` file: a JSON object on one line. Fields that don't apply are left out.
struct Event: Encodable {
    /// "request" (a request ended, or its connection went away mid-request), "response" (a response head
    /// went out, informational 1xx included), "upload" (the application got a whole upload, or lost it).
    var event: String
    /// Which TCP connection, numbered from 1 in accept order.
    var conn: Int?
    var method: String?
    var path: String?
    // Request headers, as the client sent them (parsed where the draft gives them a type).
    var uploadDraftInteropVersion: String?
    var uploadComplete: Bool?
    var uploadOffset: Int64?
    var uploadLength: Int64?
    var contentLength: Int64?
    var contentType: String?
    var expect: String?
    /// Body bytes of this request that reached the server (HTTP body, no chunked framing).
    var bodyBytes: Int64?
    /// false when the connection closed before the request's end arrived.
    var ended: Bool?
    // Responses.
    var status: Int?
    var headers: [String: String]?
    // Uploads, as the application sees them.
    var name: String?
    var size: Int64?
    var sha256: String?
    var error: String?
}

/// Appends one line per event to a file and flushes it at once (a single write(2) per line), so a test
/// can read the file while the server runs. Safe to use from any thread.
final class EventLog: Sendable {
    private let fd: Int32?

    /// `path` nil: log nothing; "-": standard error.
    init(path: String?) throws {
        switch path {
        case nil:
            self.fd = nil
        case "-":
            self.fd = 2
        case let path?:
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            self.fd = fd
        }
    }

    func log(_ event: Event) {
        guard let fd else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(event) else { return }
        line.append(UInt8(ascii: "\n"))
        line.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var written = 0
            while written < bytes.count {
                let n = write(fd, bytes.baseAddress! + written, bytes.count - written)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                written += n
            }
        }
    }
}
