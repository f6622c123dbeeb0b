import CCurl
import Crypto
import Foundation

/// One attempt at a resumable upload: tus 1.0.0 (core, creation, checksum, termination) or IETF
/// Resumable Uploads for HTTP, draft interop version 6 ("rufh"). An attempt is a sequence of
/// requests, one at a time on a fresh easy handle, each chosen by what the last one answered:
///
///     tus:  OPTIONS → [POST creation → Location] → HEAD → PATCH chunk → PATCH chunk → … → done
///     rufh: POST/PUT with the whole body (104 interim response → Location)              → done
///           or, when an upload resource exists: HEAD → PATCH the rest                 → done
///
/// Where to go on is always the server's word (`Upload-Offset` from HEAD or the last PATCH),
/// never a count of our own. The upload resource is handed to the worker as a checkpoint as
/// soon as it is known, so that a worker killed a moment later leaves enough for the next.
final class ResumableUpload: Attempt {
    /// tus PATCHes carry at most this much: a worker killed mid-chunk re-sends at most one
    /// chunk, even to a server that drops a cut-off PATCH body.
    static let chunkSize: Int64 = 4 << 20
    /// How often one attempt may meet a conflict, a checksum mismatch or a forgotten resource
    /// in a row, without the server confirming progress in between, before it gives up. The
    /// failure is retryable: the task's next attempt (after a delay) starts by asking again.
    static let maxSetbacks = 3

    private enum Step: Equatable {
        case discover  // tus OPTIONS: version, extensions, checksum algorithms, maximum size
        case create
        case query  // HEAD: Upload-Offset
        case append
    }

    let task: TransferTask
    /// One handle for all the attempt's requests, reset between them.
    let easy: CurlEasy
    private(set) var offset: Int64 = 0
    let freshStartReason: String? = nil
    let speed = SpeedMeter()
    /// Bytes the server has confirmed holding.
    private(set) var durableBytes: Int64
    var bytesWritten: Int64 { sending ? reader.position : durableBytes }

    private let dialect: UploadProtocol
    private let reader: SourceReader
    private(set) var uploadURL: String?
    private var step: Step
    private var reply = Reply()
    private var sending = false
    private var setbacks = 0
    /// tus chunks the server found damaged and that were sent again.
    private var resent = 0
    private var started = false
    /// tus: the checksum extension's algorithm the server takes, when it offers one we have.
    private var checksumAlgorithm: String?
    private var checkpoint: UploadCheckpoint?
    private var ended = false

    init(task: TransferTask) throws {
        guard let source = task.source, let dialect = task.uploadProtocol, dialect.isResumable else {
            throw BgxferError("task \(task.id) is not a resumable upload of one file")
        }
        self.task = task
        self.dialect = dialect
        reader = try SourceReader(source)
        uploadURL = task.uploadURL
        durableBytes = task.uploadURL == nil ? 0 : task.durableBytes
        step = dialect == .tus ? .discover : (uploadURL == nil ? .create : .query)
        easy = try CurlEasy()
        try prepare()
    }

    // MARK: - Requests

    /// Sets up the request for `step` on the (reset) easy handle.
    private func prepare() throws {
        reply.discardSpool()  // the last request's reply is not the upload's
        reply = Reply(savingTo: task.replyPath)
        sending = false
        try easy.reset()
        try easy.configure(for: task, followRedirects: false)
        var headers = task.requestHeaders
        if let version = dialect.versionHeader { headers.append(version) }
        let size = reader.source.size
        switch (step, dialect) {
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
            if let algorithm = checksumAlgorithm, let sum = checksum(algorithm, from: durableBytes, to: end) {
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

    /// rufh: the 104 interim response names the upload resource before the body goes out.
    fileprivate func receiveHeader(_ bytes: UnsafeRawBufferPointer) {
        guard case .interim(104, let headers)? = reply.receiveHeader(bytes), dialect == .rufh, step == .create,
            let location = headers.value(of: "Location").flatMap(resolve)
        else { return }
        uploadURL = location
        checkpoint = UploadCheckpoint(uploadURL: location, offset: 0)
    }

    func finish(result: CURLcode) -> TransferOutcome {
        if let problem = reader.problem {
            return end(.failed(TaskError(code: .sourceChanged, message: problem), retryAfter: nil))
        }
        if let problem = reply.spoolError { return end(.failed(TaskError(code: .replyError, message: problem), retryAfter: nil)) }
        if result != CURLE_OK {
            return end(.failed(CurlFailure.error(result, message: easy.message(for: result)), retryAfter: nil))
        }
        let outcome = answer(status: reply.status ?? 0, response: reply.response)
        if outcome == .nextRequest {
            do {
                try prepare()
            } catch {
                return end(.failed(TaskError(code: .readError, message: "\(error)"), retryAfter: nil))
            }
        }
        return outcome == .nextRequest ? outcome : end(outcome)
    }

    /// What to do after the current step's response; moves `step` on.
    private func answer(status: Int, response: ResponseInfo) -> TransferOutcome {
        let size = reader.source.size
        let serverOffset = response.value(of: "Upload-Offset").flatMap(Int64.init)
        switch (step, status) {
        case (.discover, 200..<300):
            if let max = response.value(of: "Tus-Max-Size").flatMap(Int64.init), max < size {
                return fail(.tusTooLarge, "the server takes uploads of at most \(max) bytes; this file has \(size)")
            }
            let extensions = Set((response.value(of: "Tus-Extension") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            if uploadURL == nil && !extensions.contains("creation") {
                return fail(.tusUnsupported, "the tus server does not offer the creation extension")
            }
            if extensions.contains("checksum") {
                let offered = Set((response.value(of: "Tus-Checksum-Algorithm") ?? "").split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces).lowercased()
                })
                checksumAlgorithm = ["sha256", "sha1", "md5"].first(where: offered.contains)
            }
            step = uploadURL == nil ? .create : .query
            return .nextRequest
        case (.discover, _):
            return fail(.tusUnsupported, "the server does not speak tus: OPTIONS answered \(status)")

        case (.create, 201) where dialect == .tus:
            guard let location = response.value(of: "Location").flatMap(resolve) else {
                return fail(.tusProtocol, "the server created an upload but sent no Location")
            }
            uploadURL = location
            durableBytes = 0
            checkpoint = UploadCheckpoint(uploadURL: location, offset: 0)
            step = .append
            return size == 0 ? .verified : .nextRequest  // an empty upload is complete once made

        case (.query, 200..<300):
            guard let serverOffset, (0...size).contains(serverOffset) else {
                return fail(dialect == .tus ? .tusProtocol : .rufhProtocol, "the server's Upload-Offset is missing or out of range")
            }
            if dialect == .tus, let length = response.value(of: "Upload-Length").flatMap(Int64.init), length != size {
                return startOver("the upload resource is for \(length) bytes, the file has \(size)")
            }
            confirm(serverOffset)
            if serverOffset == size && (dialect == .tus || response.value(of: "Upload-Complete") == "?1") {
                return .verified  // all there: the last attempt ended as its final answer was on its way
            }
            step = .append
            return .nextRequest
        case (.query, 404), (.query, 410), (.append, 404), (.append, 410):
            return startOver("the server no longer knows the upload resource (it answered \(status))")

        case (.append, 409):
            // Our offset is not the server's: ask it again.
            guard let next = setback() else { return fail(.uploadConflict, "the server kept disagreeing about the offset (409)") }
            step = next
            return .nextRequest
        case (.append, 460) where dialect == .tus:
            guard setback() != nil else { return fail(.uploadDamaged, "the server kept finding chunks damaged (460 Checksum Mismatch)") }
            resent += 1
            return .nextRequest  // the same chunk again
        case (.append, 204) where dialect == .tus:
            guard let serverOffset, serverOffset > durableBytes || serverOffset == size, serverOffset <= size else {
                return fail(.tusProtocol, "the server's Upload-Offset after a PATCH is missing or did not advance")
            }
            confirm(serverOffset)
            return serverOffset == size ? .verified : .nextRequest

        case (.create, 200..<300), (.append, 200..<300):
            // rufh: the final answer is the application's; an "incomplete" one says to go on.
            if response.value(of: "Upload-Complete") == "?0", let serverOffset, serverOffset < size {
                confirm(serverOffset)
                step = .append
                return .nextRequest
            }
            confirm(size)
            return .verified
        default:
            return reply.failure()
        }
    }

    private func confirm(_ serverOffset: Int64) {
        if serverOffset > durableBytes { setbacks = 0 }  // progress: the setbacks so far are behind us
        durableBytes = serverOffset
        checkpoint = UploadCheckpoint(uploadURL: uploadURL, offset: serverOffset)
    }

    /// A conflict or damaged chunk: returns the step to take, or nil after too many.
    private func setback() -> Step? {
        setbacks += 1
        return setbacks <= Self.maxSetbacks ? .query : nil
    }

    /// The server lost or cannot continue the upload resource: a new one, from byte zero.
    private func startOver(_ reason: String) -> TransferOutcome {
        guard setback() != nil else { return fail(.uploadRestart, reason) }
        uploadURL = nil
        durableBytes = 0
        checkpoint = UploadCheckpoint(uploadURL: nil, offset: 0, restartNote: "\(reason); starting again from zero")
        step = .create
        return .nextRequest
    }

    private func fail(_ code: FailureCode, _ message: String) -> TransferOutcome {
        .failed(TaskError(code: code, message: message), retryAfter: nil)
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
        let damaged = resent > 0 ? ", \(resent) damaged chunk(s) sent again" : ""
        return "\(reader.source.size - offset) bytes sent over \(dialect.rawValue) in \(String(format: "%.2f", seconds)) s\(from)\(damaged)\(status)"
    }

    func keep() {
        reader.close()
        reply.discardSpool()
    }

    func discard() { keep() }

    func takeResponse() -> ResponseInfo? { ended ? reply.takeFinal(easy: easy) : nil }

    func takeCheckpoint() -> UploadCheckpoint? {
        defer { checkpoint = nil }
        return checkpoint
    }

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
