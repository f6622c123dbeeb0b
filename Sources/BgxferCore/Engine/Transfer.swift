import CCurl
import Crypto
import Foundation

/// One attempt at one download: an easy handle writing into the task's partial file.
///
/// Everything here runs on the worker's thread, inside `curl_multi_perform`. The write
/// callback is the hot path: it checks the response once, then only writes, hashes (when a
/// checksum was asked for) and counts.
final class Transfer {
    let task: TransferTask
    let easy: CurlEasy
    private let partialPath: String
    private var descriptor: Int32
    private var hasher: SHA256?
    private let isHTTP: Bool

    /// Bytes written to the partial file in this attempt.
    private(set) var bytesWritten: Int64 = 0
    private var bodyStarted = false
    private var headerLines: [String] = []
    private var statusLine: String?
    /// Set when the response must not reach the file (an HTTP error status).
    private var rejectedStatus: Int?
    /// errno of a failed write to the partial file.
    private var writeError: Int32?
    /// The response, once known, until the worker has stored it.
    private var unsavedResponse: ResponseInfo?
    let speed = SpeedMeter()

    static let bufferSize: Int64 = 512 * 1024
    /// curl refuses a receive buffer below 1 KiB.
    static let minimumBufferSize: Int64 = 1024

    init(task: TransferTask) throws {
        guard let partialPath = task.partialPath else {
            throw BgxferError("task \(task.id) has no partial file path")
        }
        self.task = task
        self.partialPath = partialPath
        isHTTP = task.url.lowercased().hasPrefix("http")
        if let checksum = task.checksum, checksum.hasPrefix(Checksum.sha256Prefix) { hasher = SHA256() }
        easy = try CurlEasy()
        descriptor = open(partialPath, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o666)
        if descriptor < 0 { throw BgxferError.system("cannot create", path: partialPath) }
        do {
            try configure()
        } catch {
            closeFile()
            FileSystem.removeIfPresent(partialPath)
            throw error
        }
    }

    deinit { closeFile() }

    private func configure() throws {
        let context = Unmanaged.passUnretained(self).toOpaque()
        try easy.set(CURLOPT_URL, task.url)
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https,ftp,ftps")
        try easy.set(CURLOPT_FOLLOWLOCATION, true)
        try easy.set(CURLOPT_MAXREDIRS, 20)
        // SPEC §5: redirects only to http, https or ftp, and never from https down to plain
        // text unless the user allowed it. curl itself drops Authorization and Cookie headers
        // when a redirect changes host.
        let downgradeGuarded = task.url.lowercased().hasPrefix("https:") && !task.allowDowngrade
        try easy.set(CURLOPT_REDIR_PROTOCOLS_STR, downgradeGuarded ? "https" : "http,https,ftp")
        try easy.set(CURLOPT_USERAGENT, "bgxfer/\(Version.current)")
        try easy.setHeaders(task.requestHeaders)
        try easy.set(CURLOPT_NOSIGNAL, true)
        try easy.set(CURLOPT_TCP_KEEPALIVE, true)
        // Fewer, larger writes: curl hands the write callback at most this much at a time. A
        // rate limit below that gets a buffer of one second's worth, as the curl tool does, so
        // the limit holds from the first read.
        try easy.set(CURLOPT_BUFFERSIZE, Int(min(Self.bufferSize, max(Self.minimumBufferSize, task.limitRate ?? .max))))
        try easy.set(CURLOPT_WRITEFUNCTION, callback: Callbacks.write)
        try easy.set(CURLOPT_WRITEDATA, pointer: context)
        try easy.set(CURLOPT_HEADERFUNCTION, callback: Callbacks.header)
        try easy.set(CURLOPT_HEADERDATA, pointer: context)
        if let limit = task.limitRate { try easy.set(CURLOPT_MAX_RECV_SPEED_LARGE, offset: limit) }
        if let timeout = task.connectTimeout { try easy.set(CURLOPT_CONNECTTIMEOUT_MS, Int(timeout * 1000)) }
        // No-progress timeout: abandon the attempt when fewer than 1 byte/s arrive for that long.
        try easy.set(CURLOPT_LOW_SPEED_LIMIT, 1)
        try easy.set(CURLOPT_LOW_SPEED_TIME, max(1, Int(task.noProgressTimeout.rounded(.up))))
        if task.insecure {
            try easy.set(CURLOPT_SSL_VERIFYPEER, false)
            try easy.set(CURLOPT_SSL_VERIFYHOST, 0)
        }
    }

    // MARK: - Callbacks (on the worker thread, inside curl_multi_perform)

    fileprivate func receiveHeader(_ bytes: UnsafeRawBufferPointer) {
        guard isHTTP else { return }
        var end = bytes.count
        while end > 0, bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let line = String(decoding: bytes[..<end], as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            // A new response: an interim 1xx or a redirect came before this one.
            statusLine = line
            headerLines = []
        } else if !line.isEmpty {
            headerLines.append(line)
        }
    }

    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        if !bodyStarted {
            bodyStarted = true
            if !acceptResponse() { return 0 }
        }
        if let error = FileSystem.writeAll(descriptor, bytes) {
            writeError = error
            return 0
        }
        hasher?.update(bufferPointer: bytes)
        bytesWritten += Int64(bytes.count)
        return bytes.count
    }

    /// Called before the first body byte (or at the end, for an empty body): records the
    /// response, and refuses a body that is an error page so it never reaches the file.
    private func acceptResponse() -> Bool {
        let status = easy.info(long: CURLINFO_RESPONSE_CODE) ?? 0
        unsavedResponse = ResponseInfo(
            status: isHTTP ? status : nil,
            headers: isHTTP ? headerLines : nil,
            bytesExpected: expectedLength(),
            effectiveURL: easy.info(string: CURLINFO_EFFECTIVE_URL))
        if isHTTP && !(200..<300).contains(status) {
            rejectedStatus = status
            return false
        }
        return true
    }

    private func expectedLength() -> Int64? {
        guard let length = easy.info(offset: CURLINFO_CONTENT_LENGTH_DOWNLOAD_T), length >= 0 else { return nil }
        return length
    }

    /// The response learned since the last call, for the worker to store.
    func takeResponse() -> ResponseInfo? {
        defer { unsavedResponse = nil }
        return unsavedResponse
    }

    // MARK: - The end

    /// Decides how the attempt ended. On success the partial file is complete, verified and
    /// flushed to disk, ready to be renamed onto the destination.
    func finish(result: CURLcode) -> TransferOutcome {
        if !bodyStarted {
            bodyStarted = true
            _ = acceptResponse()
        }
        if let status = rejectedStatus {
            return .failed(HTTPStatus.error(status, statusLine: statusLine))
        }
        if let writeError {
            return .failed(TaskError(
                code: "write-error",
                message: "\(FileSystem.describe(errno: writeError)) (writing \(partialPath))"))
        }
        if result != CURLE_OK {
            return .failed(CurlFailure.error(result, message: easy.message(for: result)))
        }
        if let expected = task.checksum, let hasher {
            let actual = Checksum.sha256Prefix + hasher.finalize().map { String(format: "%02x", $0) }.joined()
            if actual != expected.lowercased() {
                return .failed(TaskError(
                    code: "checksum-mismatch",
                    message: "checksum mismatch: expected \(expected), got \(actual)"))
            }
        }
        if fdatasync(descriptor) != 0 {
            return .failed(TaskError(
                code: "write-error",
                message: "\(FileSystem.describe(errno: errno)) (flushing \(partialPath))"))
        }
        closeFile()
        return .verified
    }

    /// Stops writing and deletes the partial file.
    func discard() {
        closeFile()
        FileSystem.removeIfPresent(partialPath)
    }

    private func closeFile() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
    }
}

@available(*, unavailable)
extension Transfer: Sendable {}

/// What a response told us, stored with the task (`show`, the `headers` event).
struct ResponseInfo: Equatable {
    var status: Int?
    var headers: [String]?
    var bytesExpected: Int64?
    var effectiveURL: String?

    /// The header's value in the final response (names compare case-insensitively).
    func value(of name: String) -> String? {
        headers?.lazy.compactMap { line -> String? in
            guard let colon = line.firstIndex(of: ":"),
                line[..<colon].trimmingCharacters(in: .whitespaces).caseInsensitiveCompare(name) == .orderedSame
            else { return nil }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }.first
    }
}

enum TransferOutcome: Equatable {
    /// The partial file holds the whole, verified body, flushed to disk.
    case verified
    case failed(TaskError)
}

/// curl's C callbacks: they capture nothing; the `Transfer` comes back through the user-data
/// pointer.
private enum Callbacks {
    static let write: bgx_curl_data_callback = { buffer, size, count, context in
        guard let buffer, let context else { return 0 }
        let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
        return transfer.receiveBody(UnsafeRawBufferPointer(start: buffer, count: size * count))
    }

    static let header: bgx_curl_data_callback = { buffer, size, count, context in
        guard let buffer, let context else { return 0 }
        let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
        transfer.receiveHeader(UnsafeRawBufferPointer(start: buffer, count: size * count))
        return size * count
    }
}
