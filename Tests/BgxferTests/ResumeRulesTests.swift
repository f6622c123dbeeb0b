import Foundation
import Testing

@testable import BgxferCore

@Suite struct ResumeRulesTests {
    @Test func anAttemptResumesOnlyWithFlushedBytesAValidatorAndTheWholePartialFile() {
        #expect(ResumeRules.start(durable: 0, validator: "\"a\"", partialLength: 100) == .fresh(reason: nil))
        #expect(ResumeRules.start(durable: 50, validator: "\"a\"", partialLength: 100) == .resume(offset: 50, validator: "\"a\""))
        #expect(ResumeRules.start(durable: 50, validator: "\"a\"", partialLength: 50) == .resume(offset: 50, validator: "\"a\""))
        guard case .fresh(let noValidator?) = ResumeRules.start(durable: 50, validator: nil, partialLength: 100),
            case .fresh(let gone?) = ResumeRules.start(durable: 50, validator: "\"a\"", partialLength: nil),
            case .fresh(let short?) = ResumeRules.start(durable: 50, validator: "\"a\"", partialLength: 49)
        else {
            Issue.record("expected fresh starts with reasons")
            return
        }
        #expect(noValidator.contains("validator"))
        #expect(gone.contains("gone"))
        #expect(short.contains("shorter"))
    }

    @Test func a206FromTheRightOffsetOfTheSameFileIsAppended() {
        #expect(ResumeRules.judge(offset: 100, status: 206, contentRange: "bytes 100-999/1000", expectedTotal: 1000) == .append)
        #expect(ResumeRules.judge(offset: 100, status: 206, contentRange: "bytes 100-999/*", expectedTotal: 1000) == .append)
        #expect(ResumeRules.judge(offset: 100, status: 206, contentRange: "bytes 100-999/1000", expectedTotal: nil) == .append)
    }

    @Test func a206FromAnotherOffsetOrOfAnotherSizeRestarts() {
        for (range, total) in [("bytes 0-999/1000", 1000), ("bytes 101-999/1000", 1000), ("bytes 100-1999/2000", 1000)] {
            guard case .restart = ResumeRules.judge(offset: 100, status: 206, contentRange: range, expectedTotal: Int64(total))
            else {
                Issue.record("\(range) was not refused")
                continue
            }
        }
        guard case .restart = ResumeRules.judge(offset: 100, status: 206, contentRange: nil, expectedTotal: 1000) else {
            Issue.record("a 206 without Content-Range was used")
            return
        }
    }

    @Test func a200IsWrittenFromZeroAndA416CompletesOnlyWhenTheLengthsAgree() {
        guard case .truncateAndWrite = ResumeRules.judge(offset: 100, status: 200, contentRange: nil, expectedTotal: 1000)
        else {
            Issue.record("200 was not written from zero")
            return
        }
        #expect(ResumeRules.judge(offset: 1000, status: 416, contentRange: "bytes */1000", expectedTotal: 1000) == .alreadyComplete)
        guard case .restart = ResumeRules.judge(offset: 500, status: 416, contentRange: "bytes */1000", expectedTotal: 1000),
            case .restart = ResumeRules.judge(offset: 1000, status: 416, contentRange: nil, expectedTotal: 1000)
        else {
            Issue.record("a 416 that does not prove completeness was accepted")
            return
        }
        #expect(ResumeRules.judge(offset: 100, status: 503, contentRange: nil, expectedTotal: 1000) == .error)
    }

    @Test func onlyStrongValidatorsAreKept() {
        #expect(ResumeRules.validator(etag: "\"abc\"", lastModified: nil, date: nil) == "\"abc\"")
        #expect(ResumeRules.validator(etag: "W/\"abc\"", lastModified: "Sun, 06 Nov 1994 08:49:37 GMT", date: nil) == nil)
        let modified = "Sun, 06 Nov 1994 08:49:37 GMT"
        #expect(ResumeRules.validator(etag: nil, lastModified: modified, date: "Sun, 06 Nov 1994 08:49:38 GMT") == modified)
        #expect(ResumeRules.validator(etag: nil, lastModified: modified, date: "Sun, 06 Nov 1994 08:49:37 GMT") == nil)
        #expect(ResumeRules.validator(etag: nil, lastModified: modified, date: nil) == nil)
        #expect(ResumeRules.validator(etag: nil, lastModified: "yesterday", date: "Sun, 06 Nov 1994 08:49:38 GMT") == nil)
        #expect(ResumeRules.ftpValidator(size: 10, modified: 1_700_000_000) == "ftp:10:1700000000")
        #expect(ResumeRules.ftpValidator(size: 10, modified: -1) == nil)
    }

    @Test func contentRangeParses() {
        #expect(ContentRange("bytes 0-9/10") == ContentRange(start: 0, end: 9, total: 10))
        #expect(ContentRange("bytes */10") == ContentRange(start: nil, end: nil, total: 10))
        #expect(ContentRange("bytes 5-9/*") == ContentRange(start: 5, end: 9, total: nil))
        for bad in ["bytes 9-5/10", "bytes */*", "items 0-9/10", "bytes 0-9", "bytes a-9/10", ""] {
            #expect(ContentRange(bad) == nil, "\(bad)")
        }
    }

    /// Found by the content-range fuzzer: a range ending past the total it claims was taken, and
    /// appended it would have made the file longer than the server's own total.
    @Test func aRangeEndingPastItsTotalIsRefused() {
        #expect(ContentRange("bytes 100-199/10") == nil)
        #expect(ContentRange("bytes 0-10/10") == nil)
        #expect(ContentRange("bytes 0-9/10") != nil)
        guard case .restart = ResumeRules.judge(offset: 100, status: 206, contentRange: "bytes 100-199/150", expectedTotal: 150) else {
            Issue.record("an impossible range was appended")
            return
        }
    }
}
