import CCurl
import Foundation

/// What the worker drives: one attempt at one task, one request at a time on an easy handle of
/// its multi handle. `Transfer` (a download), `Upload` (a plain upload) and `ResumableUpload`
/// (tus, rufh) are the kinds.
protocol Attempt: AnyObject {
    var task: TransferTask { get }
    /// The request in flight; set up for the next one after `finish` answered `.nextRequest`.
    var easy: CurlEasy { get }
    /// Where this attempt began: bytes kept from earlier attempts.
    var offset: Int64 { get }
    /// Why bytes from earlier attempts were given up (nil: nothing was lost).
    var freshStartReason: String? { get }
    /// Downloads: which file the partial file is, for the store to keep.
    var partialIdentity: FileIdentity? { get }
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
    /// What a resumable upload learned that must outlive the worker: its upload resource.
    func takeCheckpoint() -> UploadCheckpoint?
    func syncIfDue(now: Double)
    /// Set while the attempt is paused by its rate limit: when it may go on (monotonic seconds).
    var resumeAt: Double? { get }
    /// Goes on after a pause for the rate limit; a result other than CURLE_OK ends the attempt.
    func resume() -> CURLcode
}

extension Attempt {
    var partialIdentity: FileIdentity? { nil }
    func takeCheckpoint() -> UploadCheckpoint? { nil }
    /// Uploads keep their rate through curl (CURLOPT_MAX_SEND_SPEED_LARGE holds it): never paused.
    var resumeAt: Double? { nil }
    func resume() -> CURLcode { CURLE_OK }
}

extension Transfer: Attempt {}

enum TransferOutcome: Equatable {
    /// The result is whole (a download flushed and verified, an upload accepted).
    case verified
    /// The response did not continue the bytes on disk: start again from zero.
    case restart(reason: String)
    /// `retryAfter`: seconds the server asked for (429, 503).
    case failed(TaskError, retryAfter: Double?)
    /// The attempt goes on with another request, set up on its `easy` handle (a resumable
    /// upload's creation, offset query or next chunk): the worker adds it again.
    case nextRequest
}

/// An attempt's result could not be put in place (`Attempt.putInPlace`).
struct PlacementError: Error, Equatable {
    let code: FailureCode
    let message: String
}

