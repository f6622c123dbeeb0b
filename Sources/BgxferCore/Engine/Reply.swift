import CCurl
import Foundation

/// What the server answers to one upload request: the status line and headers of each response
/// as it arrives (interim 1xx ones too) and the start of the final one's body.
final class Reply {
    /// `--reply FILE`: the body is written here as it arrives, and renamed onto FILE when the
    /// upload completes (`place`), so a reply of any size is saved whole without being held.
    private let spool: String?
    private var spoolDescriptor: Int32 = -1
    /// Why the body could not be written to the spool file.
    private(set) var spoolError: String?
    private(set) var statusLine: String?
    private(set) var headerLines: [String] = []
    private(set) var body = Data()
    /// The final response's headers are all in (a blank line after a status of 200 or more).
    private(set) var headersComplete = false
    /// …and the worker has taken the response to store.
    private var taken = false

    /// The headers of a response that has just ended, and its status.
    enum Event {
        case interim(status: Int, headers: ResponseInfo)
        case final
    }

    /// Takes one header line from curl's header callback; returns an event when it ended a response.
    func receiveHeader(_ bytes: UnsafeRawBufferPointer) -> Event? {
        ResponseInfo.collect(bytes, statusLine: &statusLine, headers: &headerLines)
        guard bytes.allSatisfy({ $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }), let status else { return nil }
        if status < 200 { return .interim(status: status, headers: ResponseInfo(headers: headerLines)) }
        headersComplete = true
        return .final
    }

    /// `replyPath`: where `--reply` wants the body (nil: nowhere). The spool file beside it has
    /// a name no one can guess (a planted file or link at a predictable name would be written
    /// through) and is made O_EXCL|O_NOFOLLOW.
    init(savingTo replyPath: String? = nil) {
        spool = replyPath.map { "\($0).bgxfer-reply-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))" }
    }

    /// The spool file, made when the first byte (or the end of an empty body) comes.
    private func openSpool(_ spool: String) -> Int32 {
        open(spool, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
    }

    deinit { closeSpool() }

    /// Keeps the body's first `TransferTask.replyLimit` bytes for the store, and with `--reply`
    /// writes all of it to the spool file; returns 0 (abort) when that write fails.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        let room = TransferTask.replyLimit - body.count
        if room > 0 { body.append(contentsOf: bytes.prefix(room)) }
        if let spool {
            if spoolDescriptor < 0 { spoolDescriptor = openSpool(spool) }
            let failure = spoolDescriptor < 0 ? errno : FileSystem.writeAll(spoolDescriptor, bytes)
            if let failure {
                spoolError = "cannot write the reply to \(spool): \(FileSystem.describe(errno: failure))"
                return 0
            }
        }
        return bytes.count
    }

    /// The status of the response being received, from its status line.
    var status: Int? {
        statusLine.flatMap { line in line.split(separator: " ").dropFirst().first.flatMap { Int($0) } }
    }

    var response: ResponseInfo { ResponseInfo(headers: headerLines) }

    /// The final response for the store, with the start of its body: once, when its headers
    /// are all in (an FTP upload has none).
    func takeFinal(easy: CurlEasy) -> ResponseInfo? {
        guard headersComplete, !taken else { return nil }
        taken = true
        var response = ResponseInfo(
            status: easy.info(long: CURLINFO_RESPONSE_CODE), headers: headerLines, bytesExpected: nil,
            effectiveURL: easy.info(string: CURLINFO_EFFECTIVE_URL))
        response.body = body
        return response
    }

    /// `--reply FILE`: the body, replacing the file whole or not at all (nil: not asked for).
    func place(at path: String?) throws {
        guard let path, let spool else { return }
        if spoolDescriptor < 0 { spoolDescriptor = openSpool(spool) }  // an empty body
        let synced = spoolDescriptor >= 0 && fsync(spoolDescriptor) == 0
        closeSpool()
        guard synced, rename(spool, path) == 0 else {
            let reason = FileSystem.describe(errno: errno)
            FileSystem.removeIfPresent(spool)
            throw PlacementError(code: .replyError, message: "cannot write the reply to \(path): \(reason)")
        }
    }

    /// The attempt did not complete: the spooled body is not wanted.
    func discardSpool() {
        closeSpool()
        if let spool { FileSystem.removeIfPresent(spool) }
    }

    private func closeSpool() {
        if spoolDescriptor >= 0 {
            close(spoolDescriptor)
            spoolDescriptor = -1
        }
    }

    /// An HTTP error status as the task's failure, with the server's Retry-After; a transfer
    /// that ended without a status line is a protocol error, never a status 0.
    func failure() -> TransferOutcome {
        guard let status else {
            return .failed(TaskError(code: .protocolError, message: "the server sent no HTTP response"), retryAfter: nil)
        }
        return .failed(
            HTTPStatus.error(status, statusLine: statusLine), retryAfter: RetryAfter.seconds(response.value(of: "Retry-After")))
    }

    /// curl's C callbacks for a `Reply` passed as the user-data pointer.
    static let headerCallback: bgx_curl_data_callback = { buffer, size, count, context in
        guard let buffer, let context else { return 0 }
        _ = Unmanaged<Reply>.fromOpaque(context).takeUnretainedValue()
            .receiveHeader(UnsafeRawBufferPointer(start: buffer, count: size * count))
        return size * count
    }

    static let bodyCallback: bgx_curl_data_callback = { buffer, size, count, context in
        guard let buffer, let context else { return 0 }
        return Unmanaged<Reply>.fromOpaque(context).takeUnretainedValue()
            .receiveBody(UnsafeRawBufferPointer(start: buffer, count: size * count))
    }
}

@available(*, unavailable)
extension Reply: Sendable {}
