import CCurl
import Foundation

/// What the server answers to one upload request: the status line and headers of each response
/// as it arrives (interim 1xx ones too) and the start of the final one's body.
final class Reply {
    private(set) var statusLine: String?
    private(set) var headerLines: [String] = []
    private(set) var body = Data()
    /// The final response's headers are all in (a blank line after a status of 200 or more).
    private(set) var headersComplete = false

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

    /// Keeps the body's first `TransferTask.replyLimit` bytes; the rest is counted and dropped.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        let room = TransferTask.replyLimit - body.count
        if room > 0 { body.append(contentsOf: bytes.prefix(room)) }
        return bytes.count
    }

    /// The status of the response being received, from its status line.
    var status: Int? {
        statusLine.flatMap { line in line.split(separator: " ").dropFirst().first.flatMap { Int($0) } }
    }

    var response: ResponseInfo { ResponseInfo(headers: headerLines) }

    /// The final response for the store, with the start of its body.
    func info(easy: CurlEasy) -> ResponseInfo {
        var response = ResponseInfo(
            status: easy.info(long: CURLINFO_RESPONSE_CODE), headers: headerLines, bytesExpected: nil,
            effectiveURL: easy.info(string: CURLINFO_EFFECTIVE_URL))
        response.body = body
        return response
    }

    /// `--reply FILE`: the body, replacing the file whole or not at all (nil: not asked for).
    func place(at path: String?) throws {
        guard let path else { return }
        let temporary = path + ".bgxfer-reply-\(getpid())"
        do {
            try body.write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path) == 0 else { throw BgxferError.system("cannot write the reply", path: path) }
        } catch {
            FileSystem.removeIfPresent(temporary)
            throw PlacementError(code: "reply-error", message: "cannot write the reply to \(path): \(error)")
        }
    }

    /// An HTTP error status as the task's failure, with the server's Retry-After.
    func failure() -> TransferOutcome {
        let retryAfter = response.value(of: "Retry-After").flatMap(Double.init)
        return .failed(HTTPStatus.error(status ?? 0, statusLine: statusLine), retryAfter: retryAfter)
    }

    /// curl's C callbacks for a `Reply` passed as the user-data pointer.
    static let bodyCallback: bgx_curl_data_callback = { buffer, size, count, context in
        guard let buffer, let context else { return 0 }
        return Unmanaged<Reply>.fromOpaque(context).takeUnretainedValue()
            .receiveBody(UnsafeRawBufferPointer(start: buffer, count: size * count))
    }
}

@available(*, unavailable)
extension Reply: Sendable {}
