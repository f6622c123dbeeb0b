/// The requests of a resumable upload attempt, tus 1.0.0 or rufh (interop version 6), as a
/// value: which request comes next, decided from what the last one answered (README,
/// "Resumable uploads"). `ResumableUpload` is only its curl and file adapter: it sends the
/// request for `step` and hands each answer to `handle`.
///
///     tus:  OPTIONS → [POST creation → Location] → HEAD → PATCH chunk → PATCH chunk → … → done
///     rufh: POST/PUT with the whole body (104 interim response → Location)              → done
///           or, when an upload resource exists: HEAD → PATCH the rest                 → done
///
/// Where to go on is always the server's word (`Upload-Offset`), never a count of our own.
struct UploadExchange: Equatable {
    enum Step: Equatable {
        /// tus OPTIONS: version, extensions, checksum algorithms, maximum size.
        case discover
        /// tus POST creation; rufh the whole body in one request.
        case create
        /// HEAD: the server's Upload-Offset.
        case query
        /// tus PATCH of the next chunk; rufh PATCH of the rest.
        case append
    }

    /// What a request's end tells: a 104's Location (rufh), or the final answer, with its
    /// Location already made absolute.
    enum Event: Equatable {
        case interim(status: Int, location: String?)
        case answered(status: Int, response: ResponseInfo, location: String?)
    }

    enum Action: Equatable {
        /// Send the request for `step`.
        case send
        /// The server holds the whole file: the upload is done.
        case done
        case fail(TaskError)
        /// The answer is an error status of the server's: fail with it (its reason and
        /// Retry-After).
        case failWithResponse
        /// Nothing to do (an interim response that says nothing new).
        case none
    }

    /// How often one attempt may meet a conflict, a checksum mismatch or a forgotten resource
    /// in a row, without the server confirming progress in between, before it gives up. The
    /// failure is retryable: the task's next attempt (after a delay) starts by asking again.
    static let maxSetbacks = 3

    let dialect: UploadProtocol
    /// The file's length.
    let size: Int64
    private(set) var step: Step
    private(set) var uploadURL: String?
    /// Bytes the server has confirmed holding.
    private(set) var confirmed: Int64
    /// tus: the checksum extension's algorithm the server takes, when it offers one we have.
    private(set) var checksumAlgorithm: String?
    /// Chunks the server found damaged, sent again.
    private(set) var resent = 0
    private var setbacks = 0
    /// What the store must keep now (the resource, the confirmed offset), once: `takeCheckpoint`.
    private var checkpoint: UploadCheckpoint?

    /// `uploadURL`: the resource an earlier attempt made, and what the server had confirmed.
    init(dialect: UploadProtocol, size: Int64, uploadURL: String?, confirmed: Int64) {
        self.dialect = dialect
        self.size = size
        self.uploadURL = uploadURL
        self.confirmed = uploadURL == nil ? 0 : confirmed
        step = dialect == .tus ? .discover : (uploadURL == nil ? .create : .query)
    }

    mutating func takeCheckpoint() -> UploadCheckpoint? {
        defer { checkpoint = nil }
        return checkpoint
    }

    mutating func handle(_ event: Event) -> Action {
        switch event {
        case .interim(let status, let location):
            // rufh: the 104 names the upload resource before the body goes out.
            guard status == 104, dialect == .rufh, step == .create, let location else { return .none }
            uploadURL = location
            checkpoint = UploadCheckpoint(uploadURL: location, offset: 0)
            return .none
        case .answered(let status, let response, let location):
            return answer(status: status, response: response, location: location)
        }
    }

    private mutating func answer(status: Int, response: ResponseInfo, location: String?) -> Action {
        let serverOffset = response.value(of: "Upload-Offset").flatMap(Int64.init)
        switch (step, status) {
        case (.discover, 200..<300):
            if let max = response.value(of: "Tus-Max-Size").flatMap(Int64.init), max < size {
                return fail(.tusTooLarge, "the server takes uploads of at most \(max) bytes; this file has \(size)")
            }
            let extensions = Self.list(response.value(of: "Tus-Extension"))
            if uploadURL == nil && !extensions.contains("creation") {
                return fail(.tusUnsupported, "the tus server does not offer the creation extension")
            }
            if extensions.contains("checksum") {
                let offered = Set(Self.list(response.value(of: "Tus-Checksum-Algorithm")).map { $0.lowercased() })
                checksumAlgorithm = ["sha256", "sha1", "md5"].first(where: offered.contains)
            }
            step = uploadURL == nil ? .create : .query
            return .send
        case (.discover, _):
            return fail(.tusUnsupported, "the server does not speak tus: OPTIONS answered \(status)")

        case (.create, 201) where dialect == .tus:
            guard let location else { return fail(.tusProtocol, "the server created an upload but sent no Location") }
            uploadURL = location
            confirmed = 0
            checkpoint = UploadCheckpoint(uploadURL: location, offset: 0)
            step = .append
            return size == 0 ? .done : .send  // an empty upload is complete once made

        case (.query, 200..<300):
            guard let serverOffset, (0...size).contains(serverOffset) else {
                return fail(dialect == .tus ? .tusProtocol : .rufhProtocol, "the server's Upload-Offset is missing or out of range")
            }
            if dialect == .tus, let length = response.value(of: "Upload-Length").flatMap(Int64.init), length != size {
                return startOver("the upload resource is for \(length) bytes, the file has \(size)")
            }
            confirm(serverOffset)
            if serverOffset == size && (dialect == .tus || response.value(of: "Upload-Complete") == "?1") {
                return .done  // all there: the last attempt ended as its final answer was on its way
            }
            step = .append
            return .send
        case (.query, 404), (.query, 410), (.append, 404), (.append, 410):
            return startOver("the server no longer knows the upload resource (it answered \(status))")

        case (.append, 409):
            // Our offset is not the server's: ask it again.
            guard setback() else { return fail(.uploadConflict, "the server kept disagreeing about the offset (409)") }
            step = .query
            return .send
        case (.append, 460) where dialect == .tus:
            guard setback() else { return fail(.uploadDamaged, "the server kept finding chunks damaged (460 Checksum Mismatch)") }
            resent += 1
            return .send  // the same chunk again
        case (.append, 204) where dialect == .tus:
            guard let serverOffset, serverOffset > confirmed || serverOffset == size, serverOffset <= size else {
                return fail(.tusProtocol, "the server's Upload-Offset after a PATCH is missing or did not advance")
            }
            confirm(serverOffset)
            return serverOffset == size ? .done : .send

        case (.create, 200..<300), (.append, 200..<300):
            // rufh: the final answer is the application's; an "incomplete" one says to go on.
            if response.value(of: "Upload-Complete") == "?0", let serverOffset, serverOffset < size {
                confirm(serverOffset)
                step = .append
                return .send
            }
            confirm(size)
            return .done
        default:
            return .failWithResponse
        }
    }

    private mutating func confirm(_ serverOffset: Int64) {
        if serverOffset > confirmed { setbacks = 0 }  // progress: the setbacks so far are behind us
        confirmed = serverOffset
        checkpoint = UploadCheckpoint(uploadURL: uploadURL, offset: serverOffset)
    }

    /// A conflict, a damaged chunk or a lost resource: false after too many in a row.
    private mutating func setback() -> Bool {
        setbacks += 1
        return setbacks <= Self.maxSetbacks
    }

    /// The server lost or cannot continue the upload resource: a new one, from byte zero.
    private mutating func startOver(_ reason: String) -> Action {
        guard setback() else { return fail(.uploadRestart, reason) }
        uploadURL = nil
        confirmed = 0
        checkpoint = UploadCheckpoint(uploadURL: nil, offset: 0, restartNote: "\(reason); starting again from zero")
        step = .create
        return .send
    }

    private func fail(_ code: FailureCode, _ message: String) -> Action {
        .fail(TaskError(code: code, message: message))
    }

    /// `a, b,c` → [a, b, c].
    private static func list(_ value: String?) -> [String] {
        (value ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
