import CCurl
import Foundation

/// What a download decided about its response before the first body byte (or at the end, for
/// a response without a body): whether the body may reach the partial file (README,
/// "Interruptions" and "Transfers").
enum ResponseVerdict: Equatable {
    /// The body goes into the partial file.
    case accepted
    /// A refresh run's conditional GET answered 304: the destination stays as it is.
    case notModified
    /// A 416 proved the bytes on disk are the whole file.
    case alreadyComplete
    /// The response does not continue the bytes on disk: start again from zero.
    case restart(String)
    /// An error status: its body never reaches the file.
    case rejected(status: Int)
    /// `--content-disposition` could not name the file.
    case nameRefused(TaskError)
    /// Cutting the partial file back for a whole new body failed (errno).
    case truncateFailed(Int32)
}

/// Everything that decides how a download attempt ended, gathered when curl is done with it,
/// and the decision itself (`outcome`): a value, so that every combination is tested without a
/// server (Tests/BgxferTests/DownloadEndTests.swift).
struct DownloadEnd: Equatable {
    /// curl's result, its most specific message, and the OS error behind it (CURLINFO_OS_ERRNO).
    var result: CURLcode
    var curlMessage: String = ""
    var osErrno: Int32 = 0
    /// HTTP: the status of the last response received; nil when none came at all (or FTP).
    var status: Int?
    /// The proxy's answer to CONNECT, when a tunnel was asked for (CURLINFO_HTTP_CONNECTCODE).
    var proxyStatus: Int?
    /// The last response's Location: where a redirect that was not followed pointed.
    var location: String?
    /// The URL is https and `--allow-downgrade` was not given.
    var downgradeGuarded = false
    /// What was decided about the response; nil when none was judged (no response came).
    var verdict: ResponseVerdict?
    /// errno of a failed write to the partial file.
    var writeErrno: Int32?
    /// `--checksum`, and the digest of the bytes in the partial file (`sha256:hex`).
    var expectedChecksum: String?
    var actualChecksum: String?
    /// errno of a failed flush of the partial file.
    var flushErrno: Int32?
    /// The server's `Retry-After`, in seconds.
    var retryAfter: Double?
    /// For messages.
    var partialPath = ""
    var statusLine: String?

    /// Whether a response that sent no body byte is judged at the end: a final HTTP response
    /// that curl is not in the middle of following (a redirect it refused or gave up on is a
    /// curl failure, not the answer), or a whole FTP transfer. No response at all is never
    /// judged: it is not a status 0.
    static func judgesUnstartedResponse(result: CURLcode, status: Int?, isHTTP: Bool) -> Bool {
        guard isHTTP else { return result == CURLE_OK }
        guard let status, status >= 200 else { return false }
        return result == CURLE_OK || !(300..<400).contains(status)
    }

    /// How the attempt ended. Only a verified outcome means the partial file is whole.
    var outcome: TransferOutcome {
        switch verdict {
        case .restart(let reason)?: return .restart(reason: reason)
        case .nameRefused(let error)?: return .failed(error, retryAfter: nil)
        case .rejected(let status)?: return .failed(HTTPStatus.error(status, statusLine: statusLine), retryAfter: retryAfter)
        case .truncateFailed(let error)?: return .failed(writeFailure(error, "truncating"), retryAfter: nil)
        case .accepted?, .notModified?, .alreadyComplete?, nil: break
        }
        if let writeErrno { return .failed(writeFailure(writeErrno, "writing"), retryAfter: nil) }
        if result == CURLE_OK && verdict == nil {
            return .failed(TaskError(code: .protocolError, message: "the transfer ended without a response"), retryAfter: nil)
        }
        // A 416 that proved the file whole: curl's result is our own abort of the empty body.
        if result != CURLE_OK && verdict != .alreadyComplete {
            let error = CurlFailure.error(
                result, message: curlMessage, osErrno: osErrno, proxyStatus: proxyStatus, location: location,
                downgradeGuarded: downgradeGuarded)
            if error.code == .restart { return .restart(reason: "the server cannot continue from a byte offset (\(curlMessage))") }
            return .failed(error, retryAfter: nil)
        }
        if verdict == .notModified { return .verified }
        if let expected = expectedChecksum, actualChecksum != expected.lowercased() {
            let got = actualChecksum ?? "nothing"
            return .failed(
                TaskError(code: .checksumMismatch, message: "checksum mismatch: expected \(expected), got \(got)"),
                retryAfter: nil)
        }
        if let flushErrno { return .failed(writeFailure(flushErrno, "flushing"), retryAfter: nil) }
        return .verified
    }

    private func writeFailure(_ error: Int32, _ doing: String) -> TaskError {
        TaskError(code: .writeError, message: "\(FileSystem.describe(errno: error)) (\(doing) \(partialPath))")
    }
}
