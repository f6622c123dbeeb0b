import CBgxferSupport
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
    /// The partial file's directory, open, and its name in it: every use of the file goes
    /// through them (SafeFile).
    private let directory: Int32
    private let partialName: String
    /// Which file the partial file is (made or opened again by this attempt).
    let partialIdentity: FileIdentity?
    private var descriptor: Int32
    private var hasher: SHA256?
    private let isHTTP: Bool
    /// Where this attempt began writing: the flushed bytes it continues from, or zero.
    let offset: Int64
    /// Why bytes on disk were given up before this attempt began (nil: nothing was lost).
    let freshStartReason: String?

    /// Length of the partial file's content: `offset` plus what this attempt wrote.
    private(set) var bytesWritten: Int64
    /// How much of it is known to be on disk (fdatasync'd): what a later attempt may resume from.
    private(set) var durableBytes: Int64
    /// Where the last writeback the kernel was asked to start ended.
    private var writebackStart: Int64 = 0
    private var lastSync = Monotonic.seconds()
    private var headerLines: [String] = []
    private var statusLine: String?
    /// What was decided about the response, once it was judged (before its first body byte).
    private var verdict: ResponseVerdict?
    /// Where the file goes: the task's destination, or for `--content-disposition` the name the
    /// first response gives it (nil until then).
    private(set) var destination: String?
    /// Records the name a `--content-disposition` download takes (in the store, refusing one a
    /// live task already targets); set by the worker.
    private let claimDestination: (String) throws -> Void
    /// errno of a failed write to the partial file.
    private var writeError: Int32?
    /// The response, once known, until the worker has stored it.
    private var unsavedResponse: ResponseInfo?
    private var unsavedTruncation: String?
    let speed = SpeedMeter()
    /// `--limit-rate`, and when the transfer, paused by it, may go on (monotonic seconds).
    private var limiter: RateLimiter?
    private(set) var resumeAt: Double?

    static let bufferSize: Int64 = 512 * 1024
    /// curl refuses a receive buffer below 1 KiB.
    static let minimumBufferSize: Int64 = 1024
    /// README, "Interruptions": durability: flush at least this often while bytes arrive…
    static let syncInterval = 0.5
    /// …and at least every this many bytes.
    static let syncBytes: Int64 = 64 << 20
    /// Between flushes, the kernel is asked to start writing every this many bytes, so that a
    /// flush waits for little and the disk works while bytes arrive (as it would for curl). Only
    /// advice: when it fails, the flush does the work. (1 GiB from loopback: 16 MiB flushes
    /// alone 2.04 s, 64 MiB alone 2.20 s, 64 MiB with writeback 1.43 s; curl 1.76 s.)
    static let writebackBytes: Int64 = 4 << 20

    init(task: TransferTask, claimDestination: @escaping (String) throws -> Void = { _ in }) throws {
        guard let partialPath = task.partialPath else {
            throw BgxferError("task \(task.id) has no partial file path")
        }
        self.task = task
        self.partialPath = partialPath
        self.claimDestination = claimDestination
        destination = task.destination
        isHTTP = task.url.lowercased().hasPrefix("http")
        let (directoryPath, name) = SafeFile.split(partialPath)
        partialName = name
        directory = try SafeFile.openDirectory(directoryPath)
        let opened: (fd: Int32, identity: FileIdentity)
        var resumeValidator: String?
        do {
            (opened, offset, resumeValidator, freshStartReason) = try Self.open(task, name, in: directory, path: partialPath)
        } catch {
            close(directory)
            throw error
        }
        descriptor = opened.fd
        partialIdentity = opened.identity
        bytesWritten = offset
        durableBytes = offset
        writebackStart = offset
        do {
            easy = try CurlEasy()
        } catch {
            if offset == 0 { SafeFile.remove(name, in: directory, identity: opened.identity) }
            close(opened.fd)
            close(directory)
            throw error
        }
        do {
            // Never O_TRUNC: after a crash the file may hold more than was flushed; it is cut
            // back to exactly the recorded offset, and the bytes before it are kept.
            if ftruncate(descriptor, off_t(offset)) != 0 || lseek(descriptor, off_t(offset), SEEK_SET) < 0 {
                throw BgxferError.system("cannot prepare", path: partialPath)
            }
            if let checksum = task.checksum, checksum.hasPrefix(Checksum.sha256Prefix) {
                hasher = try Self.hash(descriptor, upTo: offset, path: partialPath)
            }
            try configure(resumeValidator: resumeValidator)
        } catch {
            if offset == 0 { SafeFile.remove(name, in: directory, identity: opened.identity) }
            closeFile()
            close(directory)
            throw error
        }
    }

    /// The partial file for this attempt (README, "Files"): bgxfer's own one opened again to
    /// continue it, or a new one. A file at its name that is not bgxfer's (a symbolic link,
    /// another user's, another file than the one recorded) is never written: it is not
    /// continued, and unless it is this user's it is not replaced either (the attempt fails).
    private static func open(_ task: TransferTask, _ name: String, in directory: Int32, path: String) throws -> (
        opened: (fd: Int32, identity: FileIdentity), offset: Int64, validator: String?, freshStartReason: String?
    ) {
        let existing = SafeFile.status(name, in: directory)
        let length = existing.flatMap { $0.st_mode & S_IFMT == S_IFREG ? Int64($0.st_size) : nil }
        var freshStartReason: String?
        switch ResumeRules.start(durable: task.durableBytes, validator: task.validator, partialLength: length) {
        case .resume(let from, let validator):
            do {
                return (try SafeFile.reopen(name, in: directory, expected: task.partialIdentity, path: path), from, validator, nil)
            } catch let error as BgxferError {
                freshStartReason = error.message
            }
        case .fresh(let reason):
            freshStartReason = reason
        }
        if let existing {
            if let problem = SafeFile.problem(with: existing, expected: nil) {
                throw BgxferError("\(path) is in the way and is not bgxfer's (\(problem)): move it away, or download elsewhere")
            }
            unlinkat(directory, name, 0)
        }
        return (try SafeFile.create(name, in: directory, mode: 0o666, path: path), 0, nil, freshStartReason)
    }

    /// A hash fed with the first `length` bytes of the file (the part an attempt continues).
    private static func hash(_ fd: Int32, upTo length: Int64, path: String) throws -> SHA256 {
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var done: Int64 = 0
        while done < length {
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, Int(min(length - done, 1 << 20)), off_t(done)) }
            guard count > 0 else { throw BgxferError("\(path) is shorter than \(length) bytes") }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            done += Int64(count)
        }
        return hasher
    }

    deinit {
        closeFile()
        close(directory)
    }

    private func configure(resumeValidator: String?) throws {
        let context = Unmanaged.passUnretained(self).toOpaque()
        try easy.configure(for: task, followRedirects: true)
        var headers = task.requestHeaders
        if let resumeValidator, offset > 0 {
            if isHTTP {
                // Not CURLOPT_RESUME_FROM: curl would fail on a 200 instead of letting us restart.
                try easy.set(CURLOPT_RANGE, "\(offset)-")
                headers.append("If-Range: \(resumeValidator)")
            } else {
                try easy.set(CURLOPT_RESUME_FROM_LARGE, offset: offset)  // FTP: REST
            }
        }
        if !isHTTP { try easy.set(CURLOPT_FILETIME, true) }  // FTP: MDTM, part of the validator
        try easy.setHeaders(headers)
        // Fewer, larger writes: curl hands the write callback at most this much at a time. A
        // rate limit below that gets a buffer of one second's worth, as the curl tool does: the
        // limiter lets a chunk in whole, so it is never more than a second ahead.
        try easy.set(CURLOPT_BUFFERSIZE, Int(min(Self.bufferSize, max(Self.minimumBufferSize, task.limitRate ?? .max))))
        try easy.set(CURLOPT_WRITEFUNCTION, callback: Callbacks.write)
        try easy.set(CURLOPT_WRITEDATA, pointer: context)
        try easy.set(CURLOPT_HEADERFUNCTION, callback: Callbacks.header)
        try easy.set(CURLOPT_HEADERDATA, pointer: context)
        limiter = task.limitRate.map { RateLimiter(bytesPerSecond: $0, now: Monotonic.seconds()) }
    }

    // MARK: - Callbacks (on the worker thread, inside curl_multi_perform)

    fileprivate func receiveHeader(_ bytes: UnsafeRawBufferPointer) {
        guard isHTTP else { return }
        ResponseInfo.collect(bytes, statusLine: &statusLine, headers: &headerLines)
    }

    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        if verdict == nil { verdict = judgeResponse() }
        guard verdict == .accepted else { return 0 }
        if limiter != nil {
            // Over the rate: curl keeps the chunk and hands it over again when the worker
            // resumes the transfer (`resume()`), and reads nothing from the socket meanwhile.
            let now = Monotonic.seconds()
            if let wait = limiter?.delay(at: now), wait > 0 {
                resumeAt = now + wait
                return Int(CURL_WRITEFUNC_PAUSE)
            }
            limiter?.take(bytes.count, at: now)
        }
        if let error = FileSystem.writeAll(descriptor, bytes) {
            writeError = error
            return 0
        }
        hasher?.update(bufferPointer: bytes)
        bytesWritten += Int64(bytes.count)
        if bytesWritten - durableBytes >= Self.syncBytes {
            sync()
        } else if bytesWritten - writebackStart >= Self.writebackBytes {
            bgx_start_writeback(descriptor)
            writebackStart = bytesWritten
        }
        return bytes.count
    }

    /// Called before the first body byte (or at the end, for a response without a body):
    /// records the response, refuses a body that is an error page so it never reaches the file,
    /// and checks that a resumed transfer continues the same file from the right byte (README,
    /// "Interruptions").
    private func judgeResponse() -> ResponseVerdict {
        let status = easy.info(long: CURLINFO_RESPONSE_CODE) ?? 0
        var response = ResponseInfo(
            status: isHTTP ? status : nil, headers: isHTTP ? headerLines : nil, bytesExpected: nil,
            effectiveURL: easy.info(string: CURLINFO_EFFECTIVE_URL))
        defer { unsavedResponse = response }
        let length = expectedLength()
        guard isHTTP else { return judgeFTP(&response, remaining: length) }

        let contentRange = response.value(of: "Content-Range")
        if offset > 0 {
            switch ResumeRules.judge(offset: offset, status: status, contentRange: contentRange, expectedTotal: task.bytesExpected) {
            case .append:
                response.bytesExpected = contentRange.flatMap(ContentRange.init)?.total ?? length.map { offset + $0 }
            case .truncateAndWrite(let reason):
                if let failure = startOverInPlace(reason) { return .truncateFailed(failure) }
                response.bytesExpected = length
            case .restart(let reason):
                return .restart(reason)
            case .alreadyComplete:
                response.bytesExpected = offset
                return .alreadyComplete
            case .error:
                return .rejected(status: status)
            }
        } else if status == 304 && task.refreshID != nil {
            return .notModified
        } else if !(200..<300).contains(status) {
            return .rejected(status: status)
        } else {
            response.bytesExpected = length
            if let refused = nameFile(&response) { return .nameRefused(refused) }
        }
        response.validator = ResumeRules.validator(
            etag: response.value(of: "ETag"), lastModified: response.value(of: "Last-Modified"),
            date: response.value(of: "Date"))
        response.describesFile = true
        return .accepted
    }

    /// FTP: the file's size and modification time vouch for the bytes on disk.
    private func judgeFTP(_ response: inout ResponseInfo, remaining: Int64?) -> ResponseVerdict {
        let size = remaining.map { offset + $0 }
        let modified = easy.info(offset: CURLINFO_FILETIME_T).flatMap { $0 > 0 ? $0 : nil }
        let validator = ResumeRules.ftpValidator(size: size, modified: modified)
        if offset > 0 && validator != task.validator {
            return .restart("the file on the FTP server changed (size or modification time)")
        }
        if let refused = nameFile(&response) { return .nameRefused(refused) }
        response.bytesExpected = size
        response.validator = validator
        response.describesFile = true
        return .accepted
    }

    /// `--content-disposition`, before the first byte is written: the file's name, from the
    /// response's `Content-Disposition` when it gives a safe one, else from the URL. A name
    /// that is taken (an existing file without `--overwrite`, another live task's destination)
    /// or missing fails the attempt: the error is returned then. Other tasks, and later attempts
    /// of this one, keep the destination they have.
    private func nameFile(_ response: inout ResponseInfo) -> TaskError? {
        guard destination == nil, let directory = task.nameDirectory else { return nil }
        let name: String
        let origin: String
        switch FileNaming.choose(contentDisposition: response.value(of: "Content-Disposition"), url: task.url) {
        case .named(let chosen, let from, let note):
            (name, origin) = (chosen, from)
            if let note { response.note = note }
        case .unnamed(let error, let note):
            if let note { response.note = note }
            return error
        }
        let path = directory + "/" + name
        do {
            if FileSystem.exists(path) && !task.overwrite {
                throw BgxferError("\(path) exists: use --overwrite to replace it, or -o to choose another name")
            }
            try claimDestination(path)
        } catch {
            let message = (error as? BgxferError)?.message ?? "\(error)"
            return TaskError(code: .destinationExists, message: "\(message) (named by \(origin))")
        }
        destination = path
        response.note = [response.note, "saving as \(name), named by \(origin)"].compactMap { $0 }.joined(separator: "; ")
        return nil
    }

    /// The whole file is coming instead of the rest: cut the partial file to zero and write it
    /// from the start. Returns errno when that failed.
    private func startOverInPlace(_ reason: String) -> Int32? {
        guard ftruncate(descriptor, 0) == 0, lseek(descriptor, 0, SEEK_SET) == 0 else { return errno }
        bytesWritten = 0
        durableBytes = 0
        writebackStart = 0
        unsavedTruncation = reason
        if hasher != nil { hasher = SHA256() }
        return nil
    }

    private func expectedLength() -> Int64? {
        guard let length = easy.info(offset: CURLINFO_CONTENT_LENGTH_DOWNLOAD_T), length >= 0 else { return nil }
        return length
    }

    /// Lets a transfer paused by its rate limit go on. curl hands the chunk it kept to the write
    /// callback before this returns (which may pause it again); a failure there (the partial file
    /// could not be written) is the attempt's result.
    func resume() -> CURLcode {
        resumeAt = nil
        return easy.unpause()
    }

    /// The response learned since the last call, for the worker to store.
    func takeResponse() -> ResponseInfo? {
        defer { unsavedResponse = nil }
        return unsavedResponse
    }

    /// Why the bytes on disk were dropped for this attempt's response, once, for the worker to
    /// store with the response.
    func takeTruncation() -> String? {
        defer { unsavedTruncation = nil }
        return unsavedTruncation
    }

    // MARK: - The end

    /// Decides how the attempt ended (`DownloadEnd`). On success the partial file is complete,
    /// verified and flushed to disk, ready to be renamed onto the destination. Otherwise what
    /// was written is flushed, so `durableBytes` is what a later attempt can continue from.
    func finish(result: CURLcode) -> TransferOutcome {
        if verdict == nil, DownloadEnd.judgesUnstartedResponse(result: result, status: easy.info(long: CURLINFO_RESPONSE_CODE), isHTTP: isHTTP) {
            verdict = judgeResponse()
        }
        var end = DownloadEnd(result: result)
        end.curlMessage = result == CURLE_OK ? "" : easy.message(for: result)
        end.osErrno = Int32(easy.info(long: CURLINFO_OS_ERRNO) ?? 0)
        if isHTTP {
            end.status = easy.info(long: CURLINFO_RESPONSE_CODE).flatMap { $0 >= 100 ? $0 : nil }
            end.proxyStatus = easy.info(long: CURLINFO_HTTP_CONNECTCODE).flatMap { $0 > 0 ? $0 : nil }
            let last = ResponseInfo(headers: headerLines)
            end.location = last.value(of: "Location")
            end.retryAfter = RetryAfter.seconds(last.value(of: "Retry-After"))
        }
        end.downgradeGuarded = task.url.lowercased().hasPrefix("https:") && !task.allowDowngrade
        end.verdict = verdict
        end.statusLine = statusLine
        end.writeErrno = writeError
        end.partialPath = partialPath
        if let checksum = task.checksum, let hasher {
            end.expectedChecksum = checksum
            end.actualChecksum = Checksum.sha256Prefix + hasher.finalize().map { String(format: "%02x", $0) }.joined()
        }
        if case .restart? = verdict {} else if !sync() { end.flushErrno = errno }
        let outcome = end.outcome
        if outcome == .verified { closeFile() }
        return outcome
    }

    // MARK: - Completion

    /// Renames the verified partial file onto the destination, atomically, refusing to replace
    /// a file that appeared meanwhile unless `--overwrite` was given; then makes the rename
    /// durable. On failure the bytes are good: they stay where the message says.
    func putInPlace() throws {
        switch Placement.decide(verdict: verdict, destination: destination, partialPath: partialPath, overwrite: task.overwrite) {
        case .discardPartial:
            SafeFile.remove(partialName, in: directory, identity: partialIdentity)
            return
        case .refuse(let error):
            throw error
        case .rename(let name, let replace):
            // A symbolic link at the destination is replaced (with --overwrite), never written through.
            if SafeFile.rename(partialName, to: name, in: directory, replace: replace) != 0 {
                throw Placement.renameFailure(errno: errno, destination: destination ?? name, partialPath: partialPath)
            }
        }
        fsync(directory)
    }

    func completionSummary(seconds: Double) -> String {
        if verdict == .notModified { return "not modified (304): \(destination ?? "-") left as it was" }
        return "\(bytesWritten) bytes in \(String(format: "%.2f", seconds)) s → \(destination ?? "-")"
    }

    // MARK: - Durability

    /// Flushes written bytes to disk when the last flush is old enough.
    func syncIfDue(now: Double) {
        if bytesWritten > durableBytes && now - lastSync >= Self.syncInterval { sync() }
    }

    /// fdatasync: afterwards every byte written is durable. Returns false when it failed.
    @discardableResult
    func sync() -> Bool {
        guard descriptor >= 0 else { return true }
        lastSync = Monotonic.seconds()
        guard fdatasync(descriptor) == 0 else { return false }
        durableBytes = bytesWritten
        writebackStart = bytesWritten
        return true
    }

    /// Stops writing, keeping the partial file (flushed) for a later attempt.
    func keep() {
        sync()
        closeFile()
    }

    /// Stops writing and deletes the partial file (the one this attempt wrote, nothing put in
    /// its place).
    func discard() {
        closeFile()
        SafeFile.remove(partialName, in: directory, identity: partialIdentity)
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

extension CurlEasy {
    /// What every attempt sets, download or upload: URL, protocols, redirects, user agent,
    /// timeouts, TLS.
    func configure(for task: TransferTask, followRedirects: Bool) throws {
        try set(CURLOPT_URL, task.url)
        try set(CURLOPT_PROTOCOLS_STR, "http,https,ftp,ftps")
        try set(CURLOPT_FOLLOWLOCATION, followRedirects)
        try set(CURLOPT_MAXREDIRS, Redirects.limit)
        // README, "Transfers": redirects only to http, https or ftp, and never from https down to plain
        // text unless the user allowed it. curl itself drops Authorization and Cookie headers
        // when a redirect changes host.
        let downgradeGuarded = task.url.lowercased().hasPrefix("https:") && !task.allowDowngrade
        try set(CURLOPT_REDIR_PROTOCOLS_STR, downgradeGuarded ? "https" : "http,https,ftp")
        try set(CURLOPT_USERAGENT, "bgxfer/\(Version.current)")
        try set(CURLOPT_NOSIGNAL, true)
        try set(CURLOPT_TCP_KEEPALIVE, true)
        if let timeout = task.connectTimeout { try set(CURLOPT_CONNECTTIMEOUT_MS, Int(saturating: timeout * 1000)) }
        // No-progress timeout: abandon the attempt when fewer than 1 byte/s move for that long.
        try set(CURLOPT_LOW_SPEED_LIMIT, 1)
        try set(CURLOPT_LOW_SPEED_TIME, max(1, Int(saturating: task.noProgressTimeout.rounded(.up))))
        if task.insecure {
            try set(CURLOPT_SSL_VERIFYPEER, false)
            try set(CURLOPT_SSL_VERIFYHOST, 0)
        }
    }
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
