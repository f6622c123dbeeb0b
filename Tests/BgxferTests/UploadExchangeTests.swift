import Testing

@testable import BgxferCore

/// The tus and rufh exchanges, request by request, without a server (README, "Resumable
/// uploads").
@Suite struct UploadExchangeTests {
    static func answer(_ status: Int, _ headers: [String] = [], location: String? = nil) -> UploadExchange.Event {
        .answered(status: status, response: ResponseInfo(status: status, headers: headers), location: location)
    }

    static func failure(_ action: UploadExchange.Action) -> FailureCode? {
        if case .fail(let error) = action { return error.code }
        return nil
    }

    @Test func tusDiscoversCreatesAndSendsChunksUntilTheServerHoldsItAll() {
        var tus = UploadExchange(dialect: .tus, size: 10, uploadURL: nil, confirmed: 0)
        #expect(tus.step == .discover)
        #expect(tus.handle(Self.answer(204, ["Tus-Extension: creation, checksum", "Tus-Checksum-Algorithm: md5,SHA1"])) == .send)
        #expect(tus.step == .create && tus.checksumAlgorithm == "sha1")
        #expect(tus.handle(Self.answer(201, location: "https://h/files/1")) == .send)
        #expect(tus.step == .append && tus.uploadURL == "https://h/files/1")
        #expect(tus.takeCheckpoint() == UploadCheckpoint(uploadURL: "https://h/files/1", offset: 0))
        #expect(tus.takeCheckpoint() == nil)
        #expect(tus.handle(Self.answer(204, ["Upload-Offset: 4"])) == .send)
        #expect(tus.confirmed == 4 && tus.takeCheckpoint()?.offset == 4)
        #expect(tus.handle(Self.answer(204, ["Upload-Offset: 10"])) == .done)
    }

    @Test func tusRefusesWhatItCannotUse() {
        var small = UploadExchange(dialect: .tus, size: 10, uploadURL: nil, confirmed: 0)
        #expect(Self.failure(small.handle(Self.answer(204, ["Tus-Max-Size: 9", "Tus-Extension: creation"]))) == .tusTooLarge)
        var plain = UploadExchange(dialect: .tus, size: 10, uploadURL: nil, confirmed: 0)
        #expect(Self.failure(plain.handle(Self.answer(204, ["Tus-Extension: termination"]))) == .tusUnsupported)
        var notTus = UploadExchange(dialect: .tus, size: 10, uploadURL: nil, confirmed: 0)
        #expect(Self.failure(notTus.handle(Self.answer(405))) == .tusUnsupported)
        var noLocation = UploadExchange(dialect: .tus, size: 10, uploadURL: nil, confirmed: 0)
        _ = noLocation.handle(Self.answer(204, ["Tus-Extension: creation"]))
        #expect(Self.failure(noLocation.handle(Self.answer(201))) == .tusProtocol)
    }

    @Test func anEmptyFileIsDoneOnceItsResourceIsMade() {
        var empty = UploadExchange(dialect: .tus, size: 0, uploadURL: nil, confirmed: 0)
        _ = empty.handle(Self.answer(204, ["Tus-Extension: creation"]))
        #expect(empty.handle(Self.answer(201, location: "https://h/files/e")) == .done)
    }

    @Test func aLaterAttemptAsksTheServerWhereToGoOn() {
        var tus = UploadExchange(dialect: .tus, size: 10, uploadURL: "https://h/files/1", confirmed: 6)
        #expect(tus.confirmed == 6)
        #expect(tus.handle(Self.answer(204, ["Tus-Extension: checksum"])) == .send)  // creation not needed
        #expect(tus.step == .query)
        #expect(tus.handle(Self.answer(200, ["Upload-Offset: 3", "Upload-Length: 10"])) == .send)
        #expect(tus.step == .append && tus.confirmed == 3)  // the server's word, not ours
        var whole = UploadExchange(dialect: .tus, size: 10, uploadURL: "https://h/files/1", confirmed: 0)
        _ = whole.handle(Self.answer(204))
        #expect(whole.handle(Self.answer(200, ["Upload-Offset: 10"])) == .done)
        var wrong = UploadExchange(dialect: .tus, size: 10, uploadURL: "https://h/files/1", confirmed: 0)
        _ = wrong.handle(Self.answer(204))
        #expect(Self.failure(wrong.handle(Self.answer(200, ["Upload-Offset: 11"]))) == .tusProtocol)
    }

    @Test func aForgottenOrForeignResourceStartsOverUntilTooOften() {
        var tus = UploadExchange(dialect: .tus, size: 10, uploadURL: "https://h/files/1", confirmed: 5)
        _ = tus.handle(Self.answer(204, ["Tus-Extension: creation"]))
        #expect(tus.handle(Self.answer(200, ["Upload-Offset: 5", "Upload-Length: 99"])) == .send)
        #expect(tus.step == .create && tus.uploadURL == nil && tus.confirmed == 0)
        #expect(tus.takeCheckpoint()?.restartNote == "the upload resource is for 99 bytes, the file has 10; starting again from zero")
        var gone = UploadExchange(dialect: .rufh, size: 10, uploadURL: "https://h/u/1", confirmed: 5)
        #expect(gone.handle(Self.answer(404)) == .send)
        #expect(gone.step == .create && gone.uploadURL == nil)
        // Lost again and again, with no progress in between: it gives up (retryably).
        var tooOften = UploadExchange(dialect: .tus, size: 10, uploadURL: "https://h/files/1", confirmed: 5)
        _ = tooOften.handle(Self.answer(204, ["Tus-Extension: creation"]))
        for _ in 1...UploadExchange.maxSetbacks {
            #expect(tooOften.handle(Self.answer(410)) == .send)
            #expect(tooOften.handle(Self.answer(201, location: "https://h/files/again")) == .send)
        }
        #expect(Self.failure(tooOften.handle(Self.answer(410))) == .uploadRestart)
        #expect(FailureCode.uploadRestart.isTransient)
    }

    @Test func conflictsAndDamagedChunksAreRetriedThenGiveUpAndProgressForgivesThem() {
        var tus = UploadExchange(dialect: .tus, size: 10, uploadURL: "https://h/files/1", confirmed: 0)
        _ = tus.handle(Self.answer(204))
        _ = tus.handle(Self.answer(200, ["Upload-Offset: 0"]))
        #expect(tus.handle(Self.answer(409)) == .send && tus.step == .query)
        _ = tus.handle(Self.answer(200, ["Upload-Offset: 0"]))
        #expect(tus.handle(Self.answer(460)) == .send && tus.step == .append && tus.resent == 1)
        #expect(tus.handle(Self.answer(460)) == .send && tus.resent == 2)
        #expect(Self.failure(tus.handle(Self.answer(460))) == .uploadDamaged)

        var forgiven = UploadExchange(dialect: .tus, size: 10, uploadURL: "https://h/files/1", confirmed: 0)
        _ = forgiven.handle(Self.answer(204))
        _ = forgiven.handle(Self.answer(200, ["Upload-Offset: 0"]))
        for _ in 1...UploadExchange.maxSetbacks { #expect(forgiven.handle(Self.answer(460)) == .send) }
        #expect(forgiven.handle(Self.answer(204, ["Upload-Offset: 4"])) == .send)  // progress
        #expect(forgiven.handle(Self.answer(460)) == .send)  // a new setback, not the fourth
        var conflicts = UploadExchange(dialect: .tus, size: 10, uploadURL: "https://h/files/1", confirmed: 0)
        _ = conflicts.handle(Self.answer(204))
        for _ in 1...UploadExchange.maxSetbacks {
            _ = conflicts.handle(Self.answer(200, ["Upload-Offset: 0"]))
            #expect(conflicts.handle(Self.answer(409)) == .send)
        }
        _ = conflicts.handle(Self.answer(200, ["Upload-Offset: 0"]))
        #expect(Self.failure(conflicts.handle(Self.answer(409))) == .uploadConflict)
    }

    @Test func aPatchThatDoesNotAdvanceIsAProtocolError() {
        var tus = UploadExchange(dialect: .tus, size: 10, uploadURL: "https://h/files/1", confirmed: 0)
        _ = tus.handle(Self.answer(204))
        _ = tus.handle(Self.answer(200, ["Upload-Offset: 4"]))
        #expect(Self.failure(tus.handle(Self.answer(204, ["Upload-Offset: 4"]))) == .tusProtocol)
    }

    @Test func rufhSendsTheWholeBodyAndTheInterimResponseNamesTheResource() {
        var rufh = UploadExchange(dialect: .rufh, size: 10, uploadURL: nil, confirmed: 0)
        #expect(rufh.step == .create)
        #expect(rufh.handle(.interim(status: 100, location: nil)) == .none)
        #expect(rufh.takeCheckpoint() == nil)
        #expect(rufh.handle(.interim(status: 104, location: "https://h/u/1")) == .none)
        #expect(rufh.takeCheckpoint() == UploadCheckpoint(uploadURL: "https://h/u/1", offset: 0))
        // Cut short: the server says it is incomplete, with what it holds.
        #expect(rufh.handle(Self.answer(200, ["Upload-Complete: ?0", "Upload-Offset: 6"])) == .send)
        #expect(rufh.step == .append && rufh.confirmed == 6)
        #expect(rufh.handle(Self.answer(201)) == .done)
        #expect(rufh.confirmed == 10)
    }

    @Test func rufhQueriesAnExistingResourceAndOnlyACompleteOneIsDone() {
        var rufh = UploadExchange(dialect: .rufh, size: 10, uploadURL: "https://h/u/1", confirmed: 4)
        #expect(rufh.step == .query)
        #expect(rufh.handle(Self.answer(204, ["Upload-Offset: 10", "Upload-Complete: ?0"])) == .send)
        #expect(rufh.step == .append)
        var complete = UploadExchange(dialect: .rufh, size: 10, uploadURL: "https://h/u/1", confirmed: 4)
        #expect(complete.handle(Self.answer(204, ["Upload-Offset: 10", "Upload-Complete: ?1"])) == .done)
        var broken = UploadExchange(dialect: .rufh, size: 10, uploadURL: "https://h/u/1", confirmed: 4)
        #expect(Self.failure(broken.handle(Self.answer(204))) == .rufhProtocol)
    }

    @Test func anyOtherAnswerFailsWithTheServersStatus() {
        var rufh = UploadExchange(dialect: .rufh, size: 10, uploadURL: nil, confirmed: 0)
        #expect(rufh.handle(Self.answer(503, ["Retry-After: 5"])) == .failWithResponse)
        var tus = UploadExchange(dialect: .tus, size: 10, uploadURL: "https://h/files/1", confirmed: 0)
        _ = tus.handle(Self.answer(204))
        #expect(tus.handle(Self.answer(403)) == .failWithResponse)
    }
}
