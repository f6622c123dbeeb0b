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
        #expect(WaitEvent.between(nil, task(.queued), id: TaskID("abcdef")) == [.state(TaskID("abcdef"), .queued)])
    }

    @Test func progressHeadersAndCompletionAreReportedOnce() {
        let id = TaskID("abcdef")
        let running = task(.running, bytes: 10, headers: ["Set-Cookie: s=1", "ETag: \"x\""])
        #expect(
            WaitEvent.between(task(.queued), running, id: id) == [
                .state(id, .running), .headers(id, status: nil, headers: ["Set-Cookie: ***", "ETag: \"x\""]),
                .progress(id, bytesTransferred: 10, bytesExpected: nil, bytesPerSecond: nil),
            ])
        #expect(WaitEvent.between(running, running, id: id).isEmpty)
        let done = task(.completed, bytes: 20, headers: running.responseHeaders)
        #expect(
            WaitEvent.between(running, done, id: id) == [
                .state(id, .completed), .progress(id, bytesTransferred: 20, bytesExpected: nil, bytesPerSecond: nil),
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

    @Test func eventLinesStartWithEventIdAndTime() {
        let line = WaitEvent.state(TaskID("abcdef"), .running).json(at: Date(timeIntervalSince1970: 0)).rendered()
        #expect(line == #"{"event":"state","id":"abcdef","time":"1970-01-01T00:00:00.000Z","state":"running"}"#)
    }
}

@Suite struct FormatTests {
    @Test func sizes() {
        #expect(Format.bytes(0) == "0 B")
        #expect(Format.bytes(1536) == "1.50 KiB")
        #expect(Format.bytes(734_003_200) == "700.0 MiB")
    }

    @Test func durations() {
        #expect(Format.duration(7) == "0:07")
        #expect(Format.duration(3723) == "1:02:03")
        #expect(Format.duration(.infinity) == "--:--")
    }
}
