import Foundation
import Testing

@testable import BgxferCore

@Suite struct RedactionTests {
    @Test func secretHeaderValuesAreMasked() {
        #expect(Redaction.header("Authorization: Bearer abc") == "Authorization: ***")
        #expect(Redaction.header("cookie: a=b") == "cookie: ***")
        #expect(Redaction.header("Proxy-Authorization: Basic x") == "Proxy-Authorization: ***")
        #expect(Redaction.header("Accept: */*") == "Accept: */*")
    }

    @Test func urlPasswordsAreMasked() {
        #expect(Redaction.url("ftp://user:secret@host:21/f") == "ftp://user:***@host:21/f")
        #expect(Redaction.url("https://user@host/f") == "https://user@host/f")
        #expect(Redaction.url("https://host/p?x=a:b@c") == "https://host/p?x=a:b@c")
        #expect(Redaction.url("https://u:p%40ss@host/") == "https://u:***@host/")
    }
}

@Suite struct JSONValueTests {
    @Test func keysKeepTheirOrderAndNullsArePrinted() {
        let value = JSONValue.object([("b", .int(1)), ("a", .null), ("c", .array([.bool(true), .string("x")]))])
        #expect(value.rendered() == #"{"b":1,"a":null,"c":[true,"x"]}"#)
    }

    @Test func stringsAreEscaped() {
        #expect(JSONValue.string("a\"b\\c\n\u{01}é").rendered() == #""a\"b\\c\n\u0001é""#)
    }

    @Test func renderedJSONParses() throws {
        let value = JSONValue.object([("x", .double(0.25)), ("y", .double(3)), ("z", .object([]))])
        let parsed = try JSONSerialization.jsonObject(with: Data(value.rendered(pretty: true).utf8)) as? [String: Any]
        #expect(parsed?["x"] as? Double == 0.25)
        #expect(parsed?["y"] as? Int == 3)
    }
}

@Suite struct WaitEventTests {
    func task(_ state: TaskState, bytes: Int64 = 0, headers: [String]? = nil) -> TransferTask {
        var draft = TaskDraft(url: "https://h/a", destination: "/tmp/a")
        draft.requestHeaders = []
        var task = TransferTask(draft: draft, id: TaskID("abcdef"), createdAt: Date(timeIntervalSince1970: 0))
        task.state = state
        task.bytesTransferred = bytes
        task.responseHeaders = headers
        return task
    }

    @Test func theFirstLookReportsTheState() {
        #expect(WaitEvent.between(nil, task(.queued), id: TaskID("abcdef")) == [.state(TaskID("abcdef"), .queued, error: nil)])
    }

    @Test func progressHeadersAndCompletionAreReportedOnce() {
        let id = TaskID("abcdef")
        let running = task(.running, bytes: 10, headers: ["Set-Cookie: s=1", "ETag: \"x\""])
        #expect(
            WaitEvent.between(task(.queued), running, id: id) == [
                .state(id, .running, error: nil), .headers(id, status: nil, headers: ["Set-Cookie: ***", "ETag: \"x\""]),
                .progress(id, bytesTransferred: 10, bytesExpected: nil, bytesPerSecond: nil),
            ])
        #expect(WaitEvent.between(running, running, id: id).isEmpty)
        let done = task(.completed, bytes: 20, headers: running.responseHeaders)
        #expect(
            WaitEvent.between(running, done, id: id) == [
                .state(id, .completed, error: nil), .progress(id, bytesTransferred: 20, bytesExpected: nil, bytesPerSecond: nil),
                .completed(id, destination: "/tmp/a", bytesTransferred: 20),
            ])
    }

    @Test func aRemovedTaskEndsAsFailed() {
        let id = TaskID("abcdef")
        #expect(
            WaitEvent.between(task(.running), nil, id: id) == [
                .failed(id, TaskError(code: .unrecognized("removed"), message: "the task was removed"))
            ])
    }

    @Test func aWaitingTaskReportsEachNewReasonWithItsError() {
        let id = TaskID("abcdef")
        var retrying = task(.waiting)
        retrying.errorCode = "connect"
        retrying.errorMessage = "Failed to connect to h port 80 after 0 ms: Connection refused"
        var offline = retrying
        offline.errorCode = "no-network"
        offline.errorMessage = "no network (netlink: no default route)"
        #expect(WaitEvent.between(task(.running), retrying, id: id) == [.state(id, .waiting, error: retrying.error)])
        #expect(WaitEvent.between(retrying, offline, id: id) == [.state(id, .waiting, error: offline.error)])
        #expect(WaitEvent.between(offline, offline, id: id).isEmpty)
        let line = WaitEvent.state(id, .waiting, error: offline.error).json(at: Date(timeIntervalSince1970: 0)).rendered()
        #expect(line.hasSuffix(#""state":"waiting","error":{"code":"no-network","message":"no network (netlink: no default route)"}}"#))
    }

    @Test func eventLinesStartWithEventIdAndTime() {
        let line = WaitEvent.state(TaskID("abcdef"), .running, error: nil).json(at: Date(timeIntervalSince1970: 0)).rendered()
        #expect(line == #"{"event":"state","id":"abcdef","time":"1970-01-01T00:00:00.000Z","state":"running","error":null}"#)
    }
}

@Suite struct FormatTests {
    @Test func sizes() {
        #expect(Format.bytes(0) == "0 B")
        #expect(Format.bytes(1536) == "1.50 KiB")
        #expect(Format.bytes(734_003_200) == "700.0 MiB")
    }

    @Test func spansAsTheyAreTyped() {
        #expect(Format.span(0) == "0s")
        #expect(Format.span(0.2) == "1s")
        #expect(Format.span(45) == "45s")
        #expect(Format.span(240) == "4m")
        #expect(Format.span(270) == "4m 30s")
        #expect(Format.span(3900) == "1h 5m")
        #expect(Format.span(7 * 86400) == "7d")
        #expect(Format.span(2 * 86400 + 3 * 3600 + 59) == "2d 3h")
        #expect(Format.span(1e300) == Format.span(1e12))
    }

    @Test func waitingReasonsAsListShowsThem() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        var task = TransferTask(
            draft: TaskDraft(url: "https://h/a", destination: "/tmp/a"), id: TaskID("abcdef"), createdAt: now)
        task.state = .waiting
        for (code, words) in [("no-network", "no network"), ("metered", "metered"), ("on-battery", "on battery")] {
            task.errorCode = code
            #expect(WaitingReason.describe(task, now: now) == words)
        }
        task.errorCode = "connect"
        task.errorMessage = "Failed to connect to 127.0.0.1 port 9 after 0 ms: Connection refused"
        task.nextAttemptAt = now.addingTimeInterval(240)
        #expect(WaitingReason.describe(task, now: now) == "retry in 4m: connect: Connection refused")
        #expect(TaskTable.row(task, now: now)[2] == "waiting (retry in 4m: connect: Connection refused)")
        task.nextAttemptAt = now
        #expect(WaitingReason.describe(task, now: now) == "retrying: connect: Connection refused")
        task.state = .running
        #expect(WaitingReason.describe(task, now: now) == nil)
    }

    @Test func durations() {
        #expect(Format.duration(7) == "0:07")
        #expect(Format.duration(3723) == "1:02:03")
        #expect(Format.duration(.infinity) == "--:--")
    }
}
