import CCurl
import Crypto
import Foundation

/// One attempt at a resumable upload, tus 1.0.0 (core, creation, checksum, termination) or
/// IETF Resumable Uploads for HTTP, draft interop version 6 ("rufh"): the curl and file adapter
/// of `UploadExchange`, which decides each request from the last one's answer. Requests go one
/// at a time on one easy handle, reset between them. The upload resource is handed to the
/// worker as a checkpoint as soon as it is known, so that a worker killed a moment later leaves
/// enough for the next.
final class ResumableUpload: Attempt {
    /// tus PATCHes carry at most this much: a worker killed mid-chunk re-sends at most one
    /// chunk, even to a server that drops a cut-off PATCH body.
    static let chunkSize: Int64 = 4 << 20

    let task: TransferTask
    /// One handle for all the attempt's requests, reset between them.
    let easy: CurlEasy
    private(set) var offset: Int64 = 0
    let freshStartReason: String? = nil
    let speed = SpeedMeter()
    /// Bytes the server has confirmed holding.
    var durableBytes: Int64 { exchange.confirmed }
    var bytesWritten: Int64 { sending ? reader.position : durableBytes }
    var uploadURL: String? { exchange.uploadURL }

    private var exchange: UploadExchange
    private var dialect: UploadProtocol { exchange.dialect }
    private let reader: SourceReader
    private var reply = Reply()
    private var sending = false
    private var started = false
    private var ended = false

    init(task: TransferTask) throws {
        guard let source = task.source, let dialect = task.uploadProtocol, dialect.isResumable else {
            throw BgxferError("task \(task.id) is not a resumable upload of one file")
        }
        self.task = task
        reader = try SourceReader(source)
        exchange = UploadExchange(dialect: dialect, size: source.size, uploadURL: task.uploadURL, confirmed: task.durableBytes)
        easy = try CurlEasy()
        try prepare()
    }

    // MARK: - Requests

    /// Sets up the request for the exchange's step on the (reset) easy handle.
    private func prepare() throws {
        reply.discardSpool()  // the last request's reply is not the upload's
        reply = Reply(savingTo: task.replyPath)
        sending = false
        try easy.reset()
        try easy.configure(for: task, followRedirects: false)
        var headers = task.requestHeaders
        if let version = dialect.versionHeader { headers.append(version) }
        let size = reader.source.size
        let (durableBytes, uploadURL) = (exchange.confirmed, exchange.uploadURL)
        switch (exchange.step, dialect) {
        case (.discover, _):
            try easy.set(CURLOPT_CUSTOMREQUEST, "OPTIONS")
            try easy.set(CURLOPT_NOBODY, true)
        case (.create, .tus):
            try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: 0)
            try easy.set(CURLOPT_COPYPOSTFIELDS, "")  // an empty body, not one read from anywhere
            headers += ["Upload-Length: \(size)", "Upload-Metadata: \(Self.metadata(for: reader.source.path))", "Content-Type:"]
        case (.create, _):
            // The whole body in one request; the server says in a 104 where to resume it.
            try send(from: 0, to: size, method: task.method ?? "POST", headers: &headers)
            headers.append("Upload-Complete: ?1")
            if !task.requestHeaders.contains(where: { $0.lowercased().hasPrefix("content-type:") }) {
                headers.append("Content-Type: application/octet-stream")
            }
        case (.query, _):
            try easy.set(CURLOPT_URL, uploadURL ?? task.url)
            try easy.set(CURLOPT_NOBODY, true)
        case (.append, .tus):
            let end = min(size, durableBytes + Self.chunkSize)
            try easy.set(CURLOPT_URL, uploadURL ?? task.url)
            try send(from: durableBytes, to: end, method: "PATCH", headers: &headers)
            headers += ["Upload-Offset: \(durableBytes)", "Content-Type: application/offset+octet-stream"]
            if let algorithm = exchange.checksumAlgorithm, let sum = checksum(algorithm, from: durableBytes, to: end) {
                headers.append("Upload-Checksum: \(algorithm) \(sum)")
            }
        case (.append, _):
            try easy.set(CURLOPT_URL, uploadURL ?? task.url)
            try send(from: durableBytes, to: size, method: "PATCH", headers: &headers)
            headers += ["Upload-Offset: \(durableBytes)", "Upload-Complete: ?1", "Content-Type: application/partial-upload"]
        }
        try easy.setHeaders(headers)
        try easy.set(CURLOPT_WRITEFUNCTION, callback: Reply.bodyCallback)
        try easy.set(CURLOPT_WRITEDATA, pointer: Unmanaged.passUnretained(reply).toOpaque())
        try easy.set(CURLOPT_HEADERFUNCTION, callback: Self.headerCallback)
        try easy.set(CURLOPT_HEADERDATA, pointer: Unmanaged.passUnretained(self).toOpaque())
        if let limit = task.limitRate { try easy.set(CURLOPT_MAX_SEND_SPEED_LARGE, offset: limit) }
    }

    /// A request whose body is the source from `start` to `end`.
    private func send(from start: Int64, to end: Int64, method: String, headers: inout [String]) throws {
        guard reader.select(from: start, to: end) else {
            throw BgxferError("cannot move to byte \(start) of \(reader.source.path)")
        }
        try easy.set(CURLOPT_UPLOAD, true)
        if method != "PUT" { try easy.set(CURLOPT_CUSTOMREQUEST, method) }
        try easy.set(CURLOPT_INFILESIZE_LARGE, offset: end - start)
        try easy.set(CURLOPT_READFUNCTION, callback: SourceReader.readCallback)
        try easy.set(CURLOPT_READDATA, pointer: reader.context)
        try easy.set(CURLOPT_SEEKFUNCTION, seek: SourceReader.seekCallback)
        try easy.set(CURLOPT_SEEKDATA, pointer: reader.context)
        headers.append("Expect:")
        sending = true
        if !started {
            started = true
            offset = start
        }
    }

    /// tus `Upload-Metadata`: the file's name and type, base64-encoded.
    static func metadata(for path: String) -> String {
        let name = (path as NSString).lastPathComponent
        let encode = { (text: String) in Data(text.utf8).base64EncodedString() }
        return "filename \(encode(name)),filetype \(encode(MediaType.guess(for: name)))"
    }

    /// tus checksum extension: the chunk's digest, base64-encoded; nil when it cannot be read.
    private func checksum(_ algorithm: String, from start: Int64, to end: Int64) -> String? {
        func digest<H: HashFunction>(_ hasher: H) -> String? {
            var hasher = hasher
            guard reader.forEachBlock(from: start, to: end, { hasher.update(bufferPointer: $0) }) else { return nil }
            return Data(hasher.finalize()).base64EncodedString()
        }
        switch algorithm {
        case "sha256": return digest(SHA256())
        case "sha1": return digest(Insecure.SHA1())
        default: return digest(Insecure.MD5())
        }
    }

    // MARK: - Answers

    /// An interim response (rufh's 104 names the upload resource before the body goes out).
    fileprivate func receiveHeader(_ bytes: UnsafeRawBufferPointer) {
        guard case .interim(let status, let headers)? = reply.receiveHeader(bytes) else { return }
        _ = exchange.handle(.interim(status: status, location: headers.value(of: "Location").flatMap(resolve)))
    }

    func finish(result: CURLcode) -> TransferOutcome {
        if let problem = reader.problem {
            return end(.failed(TaskError(code: .sourceChanged, message: problem), retryAfter: nil))
        }
        if let problem = reply.spoolError { return end(.failed(TaskError(code: .replyError, message: problem), retryAfter: nil)) }
        if result != CURLE_OK {
            return end(.failed(CurlFailure.error(result, message: easy.message(for: result)), retryAfter: nil))
        }
        let response = reply.response
        let action = exchange.handle(
            .answered(status: reply.status ?? 0, response: response, location: response.value(of: "Location").flatMap(resolve)))
        switch action {
        case .send:
            do {
                try prepare()
            } catch {
                return end(.failed(TaskError(code: .readError, message: "\(error)"), retryAfter: nil))
            }
            return .nextRequest
        case .done: return end(.verified)
        case .fail(let error): return end(.failed(error, retryAfter: nil))
        case .failWithResponse, .none: return end(reply.failure())
        }
    }

    private func end(_ outcome: TransferOutcome) -> TransferOutcome {
        reader.close()
        if outcome != .verified { reply.discardSpool() }
        sending = false
        ended = true
        return outcome
    }

    /// A Location relative to the request's URL made absolute.
    private func resolve(_ location: String) -> String? {
        let base = URL(string: easy.info(string: CURLINFO_EFFECTIVE_URL) ?? task.url)
        return URL(string: location, relativeTo: base)?.absoluteString
    }

    // MARK: - Attempt

    func putInPlace() throws { try reply.place(at: task.replyPath) }

    func completionSummary(seconds: Double) -> String {
        let status = reply.status.map { ", the server answered \($0)" } ?? ""
        let from = offset > 0 ? " (continuing from byte \(offset))" : ""
        let damaged = exchange.resent > 0 ? ", \(exchange.resent) damaged chunk(s) sent again" : ""
        return "\(reader.source.size - offset) bytes sent over \(dialect.rawValue) in \(String(format: "%.2f", seconds)) s\(from)\(damaged)\(status)"
    }

    func keep() {
        reader.close()
        reply.discardSpool()
    }

    func discard() { keep() }

    func takeResponse() -> ResponseInfo? { ended ? reply.takeFinal(easy: easy) : nil }

    func takeCheckpoint() -> UploadCheckpoint? { exchange.takeCheckpoint() }

    func takeTruncation() -> String? { nil }
    func syncIfDue(now: Double) {}

    private static let headerCallback: bgx_curl_data_callback = { buffer, size, count, context in
        guard let buffer, let context else { return 0 }
        Unmanaged<ResumableUpload>.fromOpaque(context).takeUnretainedValue()
            .receiveHeader(UnsafeRawBufferPointer(start: buffer, count: size * count))
        return size * count
    }
}

@available(*, unavailable)
extension ResumableUpload: Sendable {}

/// A resumable upload's resource on the server.
public enum UploadResource {
    /// Asks the server to forget the upload resource and what it holds (tus termination, rufh
    /// upload cancellation): a DELETE, bounded by `timeout` seconds. Blocks; returns what
    /// became of it, in words.
    public static func delete(_ uploadURL: String, of task: TransferTask, timeout: Double = 5) -> String {
        do {
            let easy = try CurlEasy()
            try easy.configure(for: task, followRedirects: false)
            try easy.set(CURLOPT_URL, uploadURL)
            try easy.set(CURLOPT_CUSTOMREQUEST, "DELETE")
            try easy.set(CURLOPT_NOBODY, true)
            try easy.set(CURLOPT_TIMEOUT_MS, Int(saturating: timeout * 1000))
            try easy.setHeaders(task.requestHeaders + (task.uploadProtocol?.versionHeader.map { [$0] } ?? []))
            let result = easy.perform()
            guard result == CURLE_OK else { return "could not delete the upload resource: \(easy.message(for: result))" }
            let status = easy.info(long: CURLINFO_RESPONSE_CODE) ?? 0
            return (200..<300).contains(status) || status == 404 || status == 410
                ? "the server deleted the upload resource (\(status))"
                : "the server refused to delete the upload resource (\(status))"
        } catch {
            return "could not delete the upload resource: \(error)"
        }
    }
}
