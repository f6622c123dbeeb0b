import CCurl
import Foundation

/// One attempt at a plain upload (README, "Uploads"): the source file streamed as the request
/// body with its length known (PUT, POST, PATCH; STOR for FTP), or a `multipart/form-data` body
/// of fields and files (`--form`), each file streamed from disk; the reply's status, headers and
/// the start of its body kept.
///
/// Every file is a `SourceReader`, which aborts the attempt before changed bytes go out. An HTTP
/// upload cannot continue where it stopped: each attempt sends the whole body. An FTP upload
/// that had begun sending continues: curl asks the server how much it holds (SIZE), moves the
/// source there and appends (APPE): the server's word, never a count of our own, says where to
/// go on.
final class Upload: Attempt {
    let task: TransferTask
    let easy: CurlEasy
    /// 0: where an FTP upload goes on is learnt later, from the server's SIZE.
    let offset: Int64 = 0
    let freshStartReason: String?
    /// Bytes of the files read for sending (a multipart body's fields and framing not counted).
    var bytesWritten: Int64 { readers.reduce(0) { $0 + $1.position } }
    /// FTP: bytes that may be on the server, so that a next attempt asks it and appends;
    /// HTTP: nothing can be continued.
    var durableBytes: Int64 { isHTTP ? 0 : bytesWritten }
    let speed = SpeedMeter()

    /// The files sent: the body, or the file parts of a multipart body.
    private let readers: [SourceReader]
    private let isHTTP: Bool
    /// FTP: this attempt continues what an earlier one began sending.
    private let continuing: Bool
    private let reply: Reply
    /// The attempt has ended: the reply is whole, and can go to the store with the response.
    private var ended = false

    init(task: TransferTask) throws {
        self.task = task
        isHTTP = task.url.lowercased().hasPrefix("http")
        continuing = !isHTTP && task.durableBytes > 0
        freshStartReason =
            task.attempts > 1 && !continuing
            ? "a plain upload cannot continue where it stopped: the whole body is sent again" : nil
        easy = try CurlEasy()
        reply = Reply(savingTo: task.replyPath)
        if let form = task.form {
            readers = try form.compactMap(\.file).map(SourceReader.init)
        } else if let source = task.source {
            readers = [try SourceReader(source)]
        } else {
            throw BgxferError("task \(task.id) has nothing to upload")
        }
        try configure()
    }

    private func configure() throws {
        // No redirects: following one means sending the body again, which a stream cannot.
        try easy.configure(for: task, followRedirects: false)
        var headers = task.requestHeaders
        let named = Set(headers.compactMap { $0.split(separator: ":").first?.lowercased() })
        let method = task.method ?? "POST"
        if let form = task.form {
            try configureMultipart(form)
            if method != "POST" { try easy.set(CURLOPT_CUSTOMREQUEST, method) }
        } else {
            let body = readers[0]
            switch (isHTTP, method) {
            case (false, _):
                try easy.set(CURLOPT_UPLOAD, true)  // FTP: STOR, or with a resume point APPE
                if continuing {
                    try easy.set(CURLOPT_RESUME_FROM_LARGE, offset: -1)  // from the server's SIZE
                }
            case (true, "POST"):
                try easy.set(CURLOPT_POST, true)
                try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: body.source.size)
                // curl's default for POST is a form's type; the body is a file.
                if !named.contains("content-type") { headers.append("Content-Type: application/octet-stream") }
            case (true, let method):
                try easy.set(CURLOPT_UPLOAD, true)
                if method != "PUT" { try easy.set(CURLOPT_CUSTOMREQUEST, method) }
            }
            try easy.set(CURLOPT_INFILESIZE_LARGE, offset: body.source.size)
            try easy.set(CURLOPT_READFUNCTION, callback: SourceReader.readCallback)
            try easy.set(CURLOPT_READDATA, pointer: body.context)
            try easy.set(CURLOPT_SEEKFUNCTION, seek: SourceReader.seekCallback)
            try easy.set(CURLOPT_SEEKDATA, pointer: body.context)
        }
        // No "Expect: 100-continue" wait unless asked for: the body goes at once.
        if isHTTP && !named.contains("expect") { headers.append("Expect:") }
        try easy.setHeaders(headers)
        let replyContext = Unmanaged.passUnretained(reply).toOpaque()
        try easy.set(CURLOPT_WRITEFUNCTION, callback: Reply.bodyCallback)
        try easy.set(CURLOPT_WRITEDATA, pointer: replyContext)
        try easy.set(CURLOPT_HEADERFUNCTION, callback: Reply.headerCallback)
        try easy.set(CURLOPT_HEADERDATA, pointer: replyContext)
        if let limit = task.limitRate { try easy.set(CURLOPT_MAX_SEND_SPEED_LARGE, offset: limit) }
    }

    /// The parts in the order given; each file read through its reader as curl sends it.
    private func configureMultipart(_ form: [FormPart]) throws {
        var files = readers.makeIterator()
        try easy.setMultipart { addPart in
            for field in form {
                let part = try addPart()
                try curl_mime_name(part, field.name).check()
                if let value = field.value {
                    try curl_mime_data(part, value, value.utf8.count).check()
                } else if let reader = files.next() {
                    try curl_mime_data_cb(
                        part, curl_off_t(reader.source.size), SourceReader.readCallback, SourceReader.seekCallback, nil,
                        reader.context
                    ).check()
                    try curl_mime_filename(part, field.filename).check()
                    try curl_mime_type(part, field.contentType ?? "application/octet-stream").check()
                }
            }
        }
    }

    // MARK: - The end

    func finish(result: CURLcode) -> TransferOutcome {
        for reader in readers { reader.close() }
        ended = true
        let outcome = outcome(of: result)
        if outcome != .verified { reply.discardSpool() }
        return outcome
    }

    private func outcome(of result: CURLcode) -> TransferOutcome {
        if let problem = readers.lazy.compactMap(\.problem).first {
            return .failed(TaskError(code: .sourceChanged, message: problem), retryAfter: nil)
        }
        if let problem = reply.spoolError { return .failed(TaskError(code: .replyError, message: problem), retryAfter: nil) }
        if result != CURLE_OK { return .failed(CurlFailure.error(result, message: easy.message(for: result)), retryAfter: nil) }
        if isHTTP && !(200..<300).contains(reply.status ?? 0) { return reply.failure() }
        return .verified
    }

    func putInPlace() throws { try reply.place(at: task.replyPath) }

    func completionSummary(seconds: Double) -> String {
        let status = isHTTP ? reply.status.map { ", the server answered \($0)" } ?? "" : ""
        return "\(bytesWritten) bytes sent in \(String(format: "%.2f", seconds)) s\(status)"
    }

    func keep() {
        for reader in readers { reader.close() }
        reply.discardSpool()
    }

    func discard() { keep() }

    /// The final response with the start of its body, once, when the attempt has ended.
    func takeResponse() -> ResponseInfo? { ended ? reply.takeFinal(easy: easy) : nil }

    func takeTruncation() -> String? { nil }
    func syncIfDue(now: Double) {}
}

@available(*, unavailable)
extension Upload: Sendable {}
