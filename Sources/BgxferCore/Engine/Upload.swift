import CCurl
import Foundation

/// What the worker drives: one attempt at one task on an easy handle of its multi handle.
/// `Transfer` (a download) and `Upload` are the two kinds.
protocol Attempt: AnyObject {
    var task: TransferTask { get }
    var easy: CurlEasy { get }
    /// Where this attempt began: bytes kept from earlier attempts.
    var offset: Int64 { get }
    /// Why bytes from earlier attempts were given up (nil: nothing was lost).
    var freshStartReason: String? { get }
    /// Bytes moved so far (received into the partial file, or sent).
    var bytesWritten: Int64 { get }
    /// Of those, what a later attempt can continue from.
    var durableBytes: Int64 { get }
    var speed: SpeedMeter { get }
    func finish(result: CURLcode) -> TransferOutcome
    /// Inside the transaction that marks the task completed: put its result in place. Throws
    /// `PlacementError` when that cannot be done (the task then fails with its code).
    func putInPlace() throws
    /// The completion in words, for the log: after "completed: ".
    func completionSummary(seconds: Double) -> String
    func keep()
    func discard()
    func takeResponse() -> ResponseInfo?
    func takeTruncation() -> String?
    func syncIfDue(now: Double)
}

extension Transfer: Attempt {}

/// An attempt's result could not be put in place (`Attempt.putInPlace`).
struct PlacementError: Error {
    let code: String
    let message: String
}

/// One attempt at a plain upload (SPEC §2 `upload`): the source file streamed as the request
/// body with its length known (PUT, POST, PATCH; STOR for FTP), the reply's status, headers and
/// the start of its body kept.
///
/// The source must stay the file it was when the task was made: it is checked when the attempt
/// opens it and after every read, and the attempt is aborted, before the changed bytes go out,
/// when it changed. An HTTP upload cannot continue where it stopped: each attempt sends the
/// whole file. An FTP upload that had begun sending continues: curl asks the server how much
/// it holds (SIZE), moves the source there and appends (APPE): the server's word, never a
/// count of our own, says where to go on.
final class Upload: Attempt {
    let task: TransferTask
    let easy: CurlEasy
    /// Where this attempt began in the source: 0, or (FTP, continuing) the server's size.
    private(set) var offset: Int64 = 0
    let freshStartReason: String?
    private(set) var bytesWritten: Int64 = 0
    /// FTP: bytes that may be on the server, so that a next attempt asks it and appends;
    /// HTTP: nothing can be continued.
    var durableBytes: Int64 { isHTTP ? 0 : bytesWritten }
    /// FTP: this attempt continues what an earlier one began sending.
    private let continuing: Bool
    let speed = SpeedMeter()

    private let source: UploadSource
    private var descriptor: Int32
    private let isHTTP: Bool
    private var statusLine: String?
    private var headerLines: [String] = []
    private var reply = Data()
    /// The attempt has ended: the reply is whole, and can go to the store with the response.
    private var ended = false
    /// Why the attempt was aborted from the read callback.
    private var sourceProblem: String?
    /// The final response's headers are all in (a blank line after a non-1xx status)…
    private var headersComplete = false
    /// …and the worker has taken them to store.
    private var responseTaken = false

    init(task: TransferTask) throws {
        guard let source = task.source else { throw BgxferError("task \(task.id) has no file to upload") }
        self.task = task
        self.source = source
        isHTTP = task.url.lowercased().hasPrefix("http")
        continuing = !isHTTP && task.durableBytes > 0
        freshStartReason =
            task.attempts > 1 && !continuing
            ? "a plain upload cannot continue where it stopped: the whole file is sent again" : nil
        easy = try CurlEasy()
        descriptor = open(source.path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 { throw BgxferError.system("cannot read the file to upload", path: source.path) }
        // From here a throw runs deinit, which closes the descriptor.
        if let change = UploadSource.identity(of: descriptor, path: source.path).flatMap(source.change) {
            throw UploadSourceChanged(message: "\(source.path) changed after the upload was queued: \(change)")
        }
        try configure()
    }

    deinit { closeFile() }

    private func configure() throws {
        let context = Unmanaged.passUnretained(self).toOpaque()
        // No redirects: following one means sending the body again, which a stream cannot.
        try easy.configure(for: task, followRedirects: false)
        var headers = task.requestHeaders
        let named = Set(headers.compactMap { $0.split(separator: ":").first?.lowercased() })
        switch (isHTTP, task.method ?? "POST") {
        case (false, _):
            try easy.set(CURLOPT_UPLOAD, true)  // FTP: STOR, or with a resume point APPE
            if continuing {
                try easy.set(CURLOPT_RESUME_FROM_LARGE, offset: -1)  // from the server's SIZE
                try easy.set(CURLOPT_SEEKFUNCTION, seek: UploadCallbacks.seek)
                try easy.set(CURLOPT_SEEKDATA, pointer: context)
            }
        case (true, "POST"):
            try easy.set(CURLOPT_POST, true)
            try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: source.size)
            // curl's default for POST is a form's type; the body is a file.
            if !named.contains("content-type") { headers.append("Content-Type: application/octet-stream") }
        case (true, let method):
            try easy.set(CURLOPT_UPLOAD, true)
            if method != "PUT" { try easy.set(CURLOPT_CUSTOMREQUEST, method) }
        }
        try easy.set(CURLOPT_INFILESIZE_LARGE, offset: source.size)
        // No "Expect: 100-continue" wait unless asked for: the body goes at once.
        if isHTTP && !named.contains("expect") { headers.append("Expect:") }
        try easy.setHeaders(headers)
        try easy.set(CURLOPT_READFUNCTION, callback: UploadCallbacks.read)
        try easy.set(CURLOPT_READDATA, pointer: context)
        try easy.set(CURLOPT_WRITEFUNCTION, callback: UploadCallbacks.write)
        try easy.set(CURLOPT_WRITEDATA, pointer: context)
        try easy.set(CURLOPT_HEADERFUNCTION, callback: UploadCallbacks.header)
        try easy.set(CURLOPT_HEADERDATA, pointer: context)
        if let limit = task.limitRate { try easy.set(CURLOPT_MAX_SEND_SPEED_LARGE, offset: limit) }
    }

    // MARK: - Callbacks (on the worker thread, inside curl_multi_perform)

    fileprivate func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = Foundation.read(descriptor, buffer.baseAddress, buffer.count)
        if count < 0 {
            sourceProblem = "cannot read \(source.path): \(FileSystem.describe(errno: errno))"
            return Int(CURL_READFUNC_ABORT)
        }
        // Checked after the read, before curl sends what was read.
        if let change = UploadSource.identity(of: descriptor, path: source.path).flatMap(source.change) {
            sourceProblem = "\(source.path) changed while it was being sent: \(change)"
            return Int(CURL_READFUNC_ABORT)
        }
        if count == 0 && bytesWritten < source.size {
            sourceProblem = "\(source.path) ended after \(bytesWritten) of \(source.size) bytes"
            return Int(CURL_READFUNC_ABORT)
        }
        bytesWritten += Int64(count)
        return count
    }

    fileprivate func seek(to position: Int64, origin: Int32) -> Int32 {
        guard origin == SEEK_SET, position >= 0, position <= source.size,
            lseek(descriptor, off_t(position), SEEK_SET) == position
        else { return CURL_SEEKFUNC_FAIL }
        offset = position
        bytesWritten = position
        return CURL_SEEKFUNC_OK
    }

    fileprivate func receiveHeader(_ bytes: UnsafeRawBufferPointer) {
        guard isHTTP else { return }
        ResponseInfo.collect(bytes, statusLine: &statusLine, headers: &headerLines)
        let blank = bytes.allSatisfy { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }
        if blank, let statusLine, !statusLine.contains(" 100 "), !statusLine.contains(" 103 ") { headersComplete = true }
    }

    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        let room = TransferTask.replyLimit - reply.count
        if room > 0 { reply.append(contentsOf: bytes.prefix(room)) }
        return bytes.count
    }

    // MARK: - The end

    func finish(result: CURLcode) -> TransferOutcome {
        closeFile()
        ended = true
        let status = easy.info(long: CURLINFO_RESPONSE_CODE) ?? 0
        if let sourceProblem { return .failed(TaskError(code: "source-changed", message: sourceProblem), retryAfter: nil) }
        if result != CURLE_OK { return .failed(CurlFailure.error(result, message: easy.message(for: result)), retryAfter: nil) }
        if isHTTP && !(200..<300).contains(status) {
            let retryAfter = ResponseInfo(headers: headerLines).value(of: "Retry-After").flatMap(Double.init)
            return .failed(HTTPStatus.error(status, statusLine: statusLine), retryAfter: retryAfter)
        }
        return .verified
    }

    /// `--reply FILE`: the server's reply body, replacing the file whole or not at all.
    func putInPlace() throws {
        guard let path = task.replyPath else { return }
        let temporary = path + ".bgxfer-reply-\(getpid())"
        do {
            try reply.write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path) == 0 else { throw BgxferError.system("cannot write the reply", path: path) }
        } catch {
            FileSystem.removeIfPresent(temporary)
            throw PlacementError(code: "reply-error", message: "cannot write the reply to \(path): \(error)")
        }
    }

    func completionSummary(seconds: Double) -> String {
        let status = easy.info(long: CURLINFO_RESPONSE_CODE).map { ", the server answered \($0)" } ?? ""
        return "\(bytesWritten) bytes sent in \(String(format: "%.2f", seconds)) s\(status)"
    }

    func keep() { closeFile() }
    func discard() { closeFile() }

    /// The final response with the start of its body, once, when the attempt has ended.
    func takeResponse() -> ResponseInfo? {
        guard ended, headersComplete, !responseTaken else { return nil }
        responseTaken = true
        var response = ResponseInfo(
            status: easy.info(long: CURLINFO_RESPONSE_CODE), headers: headerLines, bytesExpected: nil,
            effectiveURL: easy.info(string: CURLINFO_EFFECTIVE_URL))
        response.body = reply
        return response
    }

    func takeTruncation() -> String? { nil }
    func syncIfDue(now: Double) {}

    private func closeFile() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
    }
}

/// The source changed between queueing and the attempt: not worth retrying.
struct UploadSourceChanged: Error {
    let message: String
}

@available(*, unavailable)
extension Upload: Sendable {}

private enum UploadCallbacks {
    static let read: bgx_curl_data_callback = { buffer, size, count, context in
        guard let buffer, let context else { return Int(CURL_READFUNC_ABORT) }
        let upload = Unmanaged<Upload>.fromOpaque(context).takeUnretainedValue()
        return upload.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
    }

    static let seek: bgx_curl_seek_callback = { context, offset, origin in
        guard let context else { return CURL_SEEKFUNC_FAIL }
        return Unmanaged<Upload>.fromOpaque(context).takeUnretainedValue().seek(to: Int64(offset), origin: origin)
    }

    static let write: bgx_curl_data_callback = { buffer, size, count, context in
        guard let buffer, let context else { return 0 }
        let upload = Unmanaged<Upload>.fromOpaque(context).takeUnretainedValue()
        return upload.receiveBody(UnsafeRawBufferPointer(start: buffer, count: size * count))
    }

    static let header: bgx_curl_data_callback = { buffer, size, count, context in
        guard let buffer, let context else { return 0 }
        let upload = Unmanaged<Upload>.fromOpaque(context).takeUnretainedValue()
        upload.receiveHeader(UnsafeRawBufferPointer(start: buffer, count: size * count))
        return size * count
    }
}
